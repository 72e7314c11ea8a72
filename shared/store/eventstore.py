"""The append-only event store: append with an expected version, load a stream, read
everything in order. Appending writes the outbox row in the same transaction."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared.events.envelope import Envelope, utcnow
from shared.events.registry import EventData, EventRegistry, registry
from shared.logging import correlation_id
from shared.store.schema import events, outbox
from shared.tracing import current_traceparent


class ConcurrencyConflict(Exception):
    """Another writer appended to the stream since it was loaded."""

    def __init__(
        self, stream_id: str, expected: int, actual: int | None = None
    ) -> None:
        self.stream_id = stream_id
        self.expected = expected
        self.actual = actual
        found = "" if actual is None else f", found {actual}"
        super().__init__(f"stream {stream_id}: expected version {expected}{found}")


@dataclass(frozen=True)
class StoredEvent:
    position: int
    envelope: Envelope


@dataclass(frozen=True)
class Causation:
    """What led to new events: the correlation id runs through a whole journey, the
    causation id names the event (or request) that caused these."""

    correlation_id: str
    causation_id: str | None = None

    @classmethod
    def following(cls, envelope: Envelope) -> Causation:
        return cls(envelope.correlationid, envelope.id)

    @classmethod
    def current(cls) -> Causation:
        """For a command from outside (an HTTP request): its correlation id, or a
        new one."""
        return cls(correlation_id.get() or str(uuid.uuid4()))


class EventStore:
    def __init__(self, source: str, events_registry: EventRegistry = registry) -> None:
        self.source = source
        self.registry = events_registry

    def append(
        self,
        session: Session,
        stream_id: str,
        expected_version: int,
        new_events: Sequence[EventData],
        causation: Causation,
    ) -> list[Envelope]:
        """Appends after `expected_version` (0 for a new stream). Raises
        ConcurrencyConflict if the stream has moved on; the caller's transaction is
        then no longer usable."""
        actual = self.current_version(session, stream_id)
        if actual != expected_version:
            raise ConcurrencyConflict(stream_id, expected_version, actual)

        traceparent = current_traceparent()
        now = utcnow()
        envelopes = []
        for offset, data in enumerate(new_events, start=1):
            spec = self.registry.for_model(type(data))
            envelope = Envelope(
                source=f"/services/{self.source}",
                type=spec.type,
                time=now,
                subject=stream_id,
                dataschema=spec.dataschema,
                data=data.model_dump(mode="json"),
                sequence=expected_version + offset,
                correlationid=causation.correlation_id,
                causationid=causation.causation_id,
                traceparent=traceparent,
            )
            envelopes.append((spec.topic, envelope))

        event_rows = [
            {
                "event_id": e.id,
                "stream_id": stream_id,
                "version": e.sequence,
                "type": e.type,
                "envelope": e.to_json(),
                "recorded_at": now,
            }
            for _, e in envelopes
        ]
        outbox_rows = [
            {
                "event_id": e.id,
                "topic": topic,
                "key": stream_id,
                "payload": row["envelope"],
                "traceparent": traceparent,
                "created_at": now,
            }
            for (topic, e), row in zip(envelopes, event_rows, strict=True)
        ]
        try:
            # The savepoint keeps the caller's session usable for reporting a conflict.
            with session.begin_nested():
                session.execute(insert(events), event_rows)
                session.execute(insert(outbox), outbox_rows)
        except IntegrityError as error:
            if "uq_events_stream_version" in str(
                error.orig
            ) or "events.stream_id" in str(error.orig):
                raise ConcurrencyConflict(stream_id, expected_version) from None
            raise
        return [e for _, e in envelopes]

    def current_version(self, session: Session, stream_id: str) -> int:
        version = session.scalar(
            select(func.max(events.c.version)).where(events.c.stream_id == stream_id)
        )
        return version or 0

    def load(self, session: Session, stream_id: str) -> list[Envelope]:
        rows = session.execute(
            select(events.c.envelope)
            .where(events.c.stream_id == stream_id)
            .order_by(events.c.version)
        )
        return [Envelope.from_json(raw) for (raw,) in rows]

    def read_all(
        self, session: Session, after: int = 0, limit: int = 1000
    ) -> list[StoredEvent]:
        rows = session.execute(
            select(events.c.position, events.c.envelope)
            .where(events.c.position > after)
            .order_by(events.c.position)
            .limit(limit)
        )
        return [StoredEvent(pos, Envelope.from_json(raw)) for pos, raw in rows]
