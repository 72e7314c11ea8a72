"""Consuming other services' events: an explicit map from event type to handler,
applied once per event id through the inbox, poison events sent to a dead-letter topic.

The inbox row and the handler's effect (read-model rows, or new events and their outbox
rows) commit in one transaction, so a redelivered event is recognised and skipped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, NoReturn, Protocol

from opentelemetry import trace
from pydantic import ValidationError
from sqlalchemy import MetaData, delete, insert, select
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session
from tenacity import retry, retry_if_exception_type, stop_after_delay, wait_exponential

from shared.events.envelope import Envelope, utcnow
from shared.events.registry import EventData, EventRegistry, UnknownEventType, registry
from shared.logging import correlation_id
from shared.store.database import Database
from shared.store.schema import inbox
from shared.tracing import context_from_traceparent, traceparent_from_headers

log = logging.getLogger(__name__)
tracer = trace.get_tracer(__name__)

Handler = Callable[[Session, Any, Envelope], None]


@dataclass(frozen=True)
class Message:
    """One Kafka record, independent of the client library that read it."""

    topic: str
    partition: int
    offset: int
    value: bytes | None
    key: bytes | None = None
    headers: tuple[tuple[str, bytes], ...] = ()


class DeadLetterSink(Protocol):
    def send(self, message: Message, reason: str) -> None: ...
    def flush(self) -> None: ...


@dataclass
class BatchOutcome:
    handled: int = 0
    duplicates: int = 0
    ignored: int = 0
    dead_lettered: list[str] = field(default_factory=list)


class _Poison(Exception):
    """An event this consumer can never handle, with the reason it gives."""


class _Duplicate(Exception):
    """Another worker recorded this event first."""


class DeadLettersUnconfirmed(RuntimeError):
    """The broker did not confirm the dead letters; the batch must not commit."""


class _Decoded(NamedTuple):
    message: Message
    envelope: Envelope
    data: EventData


class EventConsumer:
    def __init__(
        self,
        name: str,
        topics: Sequence[str],
        handlers: Mapping[type[EventData], Handler],
        db: Database,
        dead_letters: DeadLetterSink,
        read_model: MetaData | None = None,
        events_registry: EventRegistry = registry,
    ) -> None:
        self.name = name
        # The tables this consumer alone builds: dropped and rebuilt together.
        self.read_model = read_model
        self.topics = tuple(topics)
        self.db = db
        self.dead_letters = dead_letters
        self.registry = events_registry
        self.handlers: dict[str, Handler] = {
            events_registry.for_model(model).type: handler
            for model, handler in handlers.items()
        }

    @retry(
        retry=retry_if_exception_type(OperationalError),
        wait=wait_exponential(multiplier=0.2, max=5),
        stop=stop_after_delay(120),
        reraise=True,
    )
    def handle_batch(self, messages: Iterable[Message]) -> BatchOutcome:
        """Handles a batch in one transaction. A store that does not answer
        (OperationalError) is retried, never dead-lettered.

        First the whole batch in one go: one inbox query, the handlers, one insert
        of inbox rows. Only if a handler fails is the batch done again with a
        savepoint per event, so that just the failing events are dead-lettered.
        """
        ignored = 0
        undecodable: list[tuple[Message, str]] = []
        todo: list[_Decoded] = []
        for message in messages:
            try:
                envelope, data = self._decode(message)
            except _Poison as poison:
                undecodable.append((message, str(poison)))
                continue
            if envelope.type in self.handlers:
                todo.append(_Decoded(message, envelope, data))
            else:
                ignored += 1

        try:
            return self._apply(todo, ignored, list(undecodable), isolate=False)
        except (OperationalError, DeadLettersUnconfirmed):
            raise
        except Exception:  # noqa: BLE001 - a handler failed: isolated just below
            log.info("batch failed as a whole; handling it event by event")
        return self._apply(todo, ignored, list(undecodable), isolate=True)

    def _apply(
        self,
        todo: list[_Decoded],
        ignored: int,
        poisoned: list[tuple[Message, str]],
        isolate: bool,
    ) -> BatchOutcome:
        outcome = BatchOutcome(ignored=ignored)
        with self.db.transaction() as session:
            seen = self._handled_among(session, [d.envelope.id for d in todo])
            inbox_rows = []
            for decoded in todo:
                if decoded.envelope.id in seen:
                    outcome.duplicates += 1
                    log.info(
                        "duplicate event skipped",
                        extra={
                            "event_id": decoded.envelope.id,
                            "event_type": decoded.envelope.type,
                        },
                    )
                    continue
                seen.add(decoded.envelope.id)
                if not isolate:
                    inbox_rows.append(self._handle(session, decoded))
                    outcome.handled += 1
                    continue
                try:
                    with session.begin_nested():
                        row = self._handle(session, decoded)
                        session.execute(insert(inbox).values(row))
                    outcome.handled += 1
                except _Duplicate:
                    outcome.duplicates += 1
                except _Poison as poison:
                    poisoned.append((decoded.message, str(poison)))
                except (OperationalError, DeadLettersUnconfirmed):
                    raise
                except Exception as error:
                    log.warning(
                        "event could not be handled; dead-lettering",
                        extra={"event_id": decoded.envelope.id},
                        exc_info=True,
                    )
                    reason = f"unhandleable: {type(error).__name__}: {error}"
                    poisoned.append((decoded.message, reason))
            if inbox_rows:
                session.execute(insert(inbox), inbox_rows)
            for message, reason in poisoned:
                self.dead_letters.send(message, reason)
                outcome.dead_lettered.append(reason)
            if poisoned:
                # Before the inbox rows commit, so a dead letter is never lost.
                self.dead_letters.flush()
        return outcome

    def _handle(self, session: Session, decoded: _Decoded) -> dict[str, Any]:
        """Runs the event's handler in a span of its own; returns its inbox row."""
        message, envelope, data = decoded
        traceparent = traceparent_from_headers(message.headers) or envelope.traceparent
        token = correlation_id.set(envelope.correlationid)
        try:
            with tracer.start_as_current_span(
                f"{message.topic} process {envelope.type}",
                context=context_from_traceparent(traceparent),
                kind=trace.SpanKind.CONSUMER,
                attributes={
                    "messaging.system": "kafka",
                    "messaging.consumer.group.name": self.name,
                    "messaging.message.id": envelope.id,
                    "cloudevents.event_type": envelope.type,
                },
            ) as span:
                try:
                    self.handlers[envelope.type](session, data, envelope)
                except OperationalError:
                    raise
                except Exception as error:  # noqa: BLE001 - classified: poison or duplicate
                    self._classify(session, span, envelope, error)
                trace_id = format(span.get_span_context().trace_id, "032x")
        finally:
            correlation_id.reset(token)
        return {
            "consumer": self.name,
            "event_id": envelope.id,
            "type": envelope.type,
            "topic": message.topic,
            "partition": message.partition,
            "offset": message.offset,
            "trace_id": trace_id,
            "handled_at": utcnow(),
        }

    def _classify(
        self, session: Session, span: trace.Span, envelope: Envelope, error: Exception
    ) -> NoReturn:
        if isinstance(error, IntegrityError) and self._handled_among(
            session, [envelope.id]
        ):
            # Another worker handled it first (say, during a rebalance).
            raise _Duplicate() from None
        span.record_exception(error)
        log.warning(
            "event handler failed; dead-lettering",
            extra={"event_id": envelope.id, "event_type": envelope.type},
            exc_info=not isinstance(error, DBAPIError | ValueError),
        )
        raise _Poison(f"handler failed: {type(error).__name__}: {error}") from error

    def _handled_among(self, session: Session, event_ids: list[str]) -> set[str]:
        if not event_ids:
            return set()
        found = session.scalars(
            select(inbox.c.event_id).where(
                inbox.c.consumer == self.name, inbox.c.event_id.in_(event_ids)
            )
        )
        return set(found)

    def _decode(self, message: Message) -> tuple[Envelope, EventData]:
        if not message.value:
            raise _Poison("malformed: empty message")
        try:
            envelope = Envelope.from_json(message.value)
        except ValidationError as error:
            raise _Poison(f"malformed envelope: {_first_error(error)}") from None
        try:
            data = self.registry.parse(envelope.type, envelope.data)
        except UnknownEventType:
            raise _Poison(f"unknown event type {envelope.type!r}") from None
        except ValidationError as error:
            raise _Poison(
                f"invalid {envelope.type} data: {_first_error(error)}"
            ) from None
        return envelope, data

    def reset(self) -> None:
        """Empties this consumer's read model and inbox, before a rebuild."""
        if self.read_model is not None:
            self.read_model.drop_all(self.db.engine)
            self.read_model.create_all(self.db.engine)
        with self.db.transaction() as session:
            session.execute(delete(inbox).where(inbox.c.consumer == self.name))


def _first_error(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(p) for p in first.get("loc", ())) or "value"
    return f"{where}: {first.get('msg', 'invalid')}"
