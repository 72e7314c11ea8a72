"""Published event contracts. Importing this package registers every event type."""

from shared.events import catalog, dossier, feedback, notification, payment
from shared.events.envelope import CONTENT_TYPE, Envelope
from shared.events.registry import EventData, EventSpec, UnknownEventType, registry

__all__ = [
    "CONTENT_TYPE",
    "Envelope",
    "EventData",
    "EventSpec",
    "UnknownEventType",
    "catalog",
    "dossier",
    "feedback",
    "notification",
    "payment",
    "registry",
]
