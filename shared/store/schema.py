"""Tables every service's store has: its events, its outbox and its inbox."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from shared.events.envelope import ID_LENGTH

store_metadata = MetaData()

# SQLite only autoincrements an INTEGER PRIMARY KEY; PostgreSQL gets a BIGINT identity.
Position = BigInteger().with_variant(Integer(), "sqlite")

events = Table(
    "events",
    store_metadata,
    Column("position", Position, primary_key=True, autoincrement=True),
    Column("event_id", String(ID_LENGTH), nullable=False, unique=True),
    Column("stream_id", String(200), nullable=False),
    Column("version", Integer, nullable=False),
    Column("type", String(100), nullable=False),
    Column("envelope", Text, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    # A second writer of the same version gets an integrity error, never a lost write.
    UniqueConstraint("stream_id", "version", name="uq_events_stream_version"),
)

outbox = Table(
    "outbox",
    store_metadata,
    Column("position", Position, primary_key=True, autoincrement=True),
    Column("event_id", String(ID_LENGTH), nullable=False),
    Column("topic", String(200), nullable=False),
    Column("key", String(200), nullable=False),
    Column("payload", Text, nullable=False),
    Column("traceparent", String(55)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("sent_at", DateTime(timezone=True)),
)
Index(
    "ix_outbox_unsent",
    outbox.c.position,
    sqlite_where=outbox.c.sent_at.is_(None),
    postgresql_where=outbox.c.sent_at.is_(None),
)

inbox = Table(
    "inbox",
    store_metadata,
    Column("consumer", String(100), primary_key=True),
    Column("event_id", String(ID_LENGTH), primary_key=True),
    Column("type", String(100), nullable=False),
    Column("topic", String(200), nullable=False),
    Column("partition", Integer, nullable=False),
    Column("offset", BigInteger, nullable=False),
    Column("trace_id", String(32)),
    Column("handled_at", DateTime(timezone=True), nullable=False),
)
