"""Storage through SQLAlchemy 2: the event store, the outbox and the inbox, on SQLite
(the embedded default, one file per service) or PostgreSQL (production)."""

from shared.store.database import Database
from shared.store.eventstore import (
    Causation,
    ConcurrencyConflict,
    EventStore,
    StoredEvent,
)
from shared.store.schema import store_metadata

__all__ = [
    "Causation",
    "ConcurrencyConflict",
    "Database",
    "EventStore",
    "StoredEvent",
    "store_metadata",
]
