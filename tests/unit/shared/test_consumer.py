"""EventConsumer.handle_batch on a SQLite store: once per event id, poison to the
dead-letter sink, effects and inbox rows committed together."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, func, insert, select
from sqlalchemy.orm import Session

from shared.events.envelope import Envelope
from shared.events.registry import EventData, EventRegistry, EventSpec
from shared.messaging.consumer import EventConsumer, Message
from shared.store import Database
from shared.store.schema import inbox

TOPIC = "unit.events"


class Counted(EventData):
    amount: int


class Refused(EventData):
    amount: int


class NotHandledHere(EventData):
    pass


events = EventRegistry()
for model in (Counted, Refused, NotHandledHere):
    events.add(EventSpec(model.__name__, model, 1, TOPIC))

model_tables = MetaData()
effects = Table(
    "effects",
    model_tables,
    Column("event_id", String(36), primary_key=True),
    Column("amount", Integer, nullable=False),
)


def count(session: Session, event: Counted, envelope: Envelope) -> None:
    session.execute(insert(effects).values(event_id=envelope.id, amount=event.amount))


def refuse(session: Session, event: Refused, envelope: Envelope) -> None:
    # Writes first, then fails: the write must not survive.
    session.execute(insert(effects).values(event_id=envelope.id, amount=event.amount))
    raise ValueError("amount refused")


class Sink:
    def __init__(self, fail_flush: bool = False) -> None:
        self.sent: list[tuple[Message, str]] = []
        self.flushed = 0
        self.fail_flush = fail_flush

    def send(self, message: Message, reason: str) -> None:
        self.sent.append((message, reason))

    def flush(self) -> None:
        if self.fail_flush:
            raise RuntimeError("dead letters not confirmed by the broker")
        self.flushed += 1


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'unit.db'}", model_tables)
    database.create_all()
    yield database
    database.dispose()


def consumer(db: Database, sink: Sink, name: str = "unit-consumer") -> EventConsumer:
    return EventConsumer(
        name, [TOPIC], {Counted: count, Refused: refuse}, db, sink, model_tables, events
    )


def envelope(data: EventData, **attributes: object) -> Envelope:
    return Envelope(
        source="/services/unit",
        type=type(data).__name__,
        subject="stream-1",
        dataschema=f"urn:portal:schema:{type(data).__name__}:v1",
        data=data.model_dump(mode="json"),
        sequence=1,
        correlationid="corr",
        **attributes,  # type: ignore[arg-type]
    )


def message(
    value: bytes | Envelope | None, offset: int = 0, **kwargs: object
) -> Message:
    raw = value.to_json().encode() if isinstance(value, Envelope) else value
    return Message(topic=TOPIC, partition=0, offset=offset, value=raw, **kwargs)  # type: ignore[arg-type]


def rows(db: Database) -> dict[str, int]:
    with db.transaction() as session:
        return dict(session.execute(select(effects.c.event_id, effects.c.amount)).all())


def inbox_rows(db: Database) -> list[dict[str, object]]:
    with db.transaction() as session:
        return [dict(r) for r in session.execute(select(inbox)).mappings()]


def test_each_event_takes_effect_once_however_often_it_comes(db: Database) -> None:
    first, second = envelope(Counted(amount=1)), envelope(Counted(amount=2))
    unit = consumer(db, Sink())

    outcome = unit.handle_batch(
        [message(first, 0), message(second, 1), message(first, 2)]
    )
    again = unit.handle_batch([message(second, 3)])

    assert (outcome.handled, outcome.duplicates, again.handled, again.duplicates) == (
        2,
        1,
        0,
        1,
    )
    assert rows(db) == {first.id: 1, second.id: 2}
    recorded = {r["event_id"]: r for r in inbox_rows(db)}
    assert recorded.keys() == {first.id, second.id}
    assert (recorded[first.id]["topic"], recorded[first.id]["offset"]) == (TOPIC, 0)


def test_another_consumer_of_the_same_store_keeps_its_own_inbox(db: Database) -> None:
    event = envelope(Counted(amount=1))
    consumer(db, Sink(), "a").handle_batch([message(event)])
    other = consumer(db, Sink(), "b")
    # b's effect collides with a's row in the shared table: its own failure, not a skip.
    assert other.handle_batch([message(event)]).dead_lettered
    assert [r["consumer"] for r in inbox_rows(db)] == ["a"]


def test_poison_is_dead_lettered_with_its_reason_and_the_rest_of_the_batch_commits(
    db: Database,
) -> None:
    good = envelope(Counted(amount=5))
    invalid = envelope(Counted(amount=1)).model_copy(update={"data": {"amount": "x"}})
    unknown = envelope(Counted(amount=1)).model_copy(update={"type": "Vanished"})
    refused = envelope(Refused(amount=9))
    sink = Sink()

    outcome = consumer(db, sink).handle_batch(
        [
            message(None, 0),
            message(b"{not json", 1),
            message(invalid, 2),
            message(unknown, 3),
            message(refused, 4),
            message(good, 5),
        ]
    )

    reasons = [reason for _, reason in sink.sent]
    assert reasons[0] == "malformed: empty message"
    assert reasons[1].startswith("malformed envelope: ")
    assert reasons[2].startswith("invalid Counted data: amount: ")
    assert reasons[3] == "unknown event type 'Vanished'"
    assert reasons[4] == "handler failed: ValueError: amount refused"
    assert [m.offset for m, _ in sink.sent] == [0, 1, 2, 3, 4]
    assert sink.flushed == 1
    assert outcome.dead_lettered == reasons and outcome.handled == 1
    assert rows(db) == {good.id: 5}
    assert [r["event_id"] for r in inbox_rows(db)] == [good.id]


def test_a_dead_letter_the_broker_did_not_confirm_rolls_the_batch_back(
    db: Database,
) -> None:
    good = envelope(Counted(amount=5))
    with pytest.raises(RuntimeError, match="not confirmed"):
        consumer(db, Sink(fail_flush=True)).handle_batch(
            [message(good), message(b"?", 1)]
        )
    assert rows(db) == {}
    assert inbox_rows(db) == []


def test_an_event_type_this_consumer_does_not_handle_is_ignored(db: Database) -> None:
    outcome = consumer(db, Sink()).handle_batch([message(envelope(NotHandledHere()))])
    assert (outcome.ignored, outcome.handled, outcome.dead_lettered) == (1, 0, [])
    assert inbox_rows(db) == []


def test_the_inbox_records_the_trace_carried_in_the_headers(db: Database) -> None:
    trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"
    header = f"00-{trace_id}-00f067aa0ba902b7-01".encode()
    in_envelope = f"00-{'1' * 32}-{'2' * 16}-01"
    event = envelope(Counted(amount=1), traceparent=in_envelope)
    consumer(db, Sink()).handle_batch(
        [message(event, headers=(("traceparent", header),))]
    )
    (row,) = inbox_rows(db)
    assert row["trace_id"] == trace_id


def test_reset_empties_the_read_model_and_only_this_consumers_inbox(
    db: Database,
) -> None:
    consumer(db, Sink(), "other").handle_batch([message(envelope(Counted(amount=1)))])
    unit = consumer(db, Sink())
    unit.handle_batch([message(envelope(Counted(amount=2)))])

    unit.reset()

    assert rows(db) == {}
    with db.transaction() as session:
        left = session.execute(
            select(inbox.c.consumer, func.count()).group_by(inbox.c.consumer)
        ).all()
    assert left == [("other", 1)]
