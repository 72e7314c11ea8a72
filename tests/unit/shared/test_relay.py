"""OutboxRelay against a fake producer: rows are marked sent only once delivered."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from shared.events import topics
from shared.events.dossier import DossierWithdrawn
from shared.events.envelope import CONTENT_TYPE, Envelope
from shared.events.topics import physical
from shared.messaging.relay import OutboxRelay
from shared.store import Causation, Database, EventStore
from shared.store.schema import outbox

Delivery = Callable[[Any, Any], None]


class FakeProducer:
    """Confirms on flush; `refuse` names payloads the broker rejects, `hold` ones it
    never confirms within the flush."""

    def __init__(
        self, refuse: frozenset[str] = frozenset(), hold: frozenset[str] = frozenset()
    ):
        self.refuse, self.hold = refuse, hold
        self.queued: list[tuple[dict[str, Any], Delivery]] = []
        self.confirmed: list[dict[str, Any]] = []

    def produce(
        self, topic: str, value: bytes, key: bytes, headers: Any, on_delivery: Delivery
    ) -> None:
        self.queued.append(
            (
                {"topic": topic, "value": value, "key": key, "headers": headers},
                on_delivery,
            )
        )

    def poll(self, _timeout: float) -> int:
        return 0

    def flush(self, _timeout: float) -> int:
        held = []
        for record, on_delivery in self.queued:
            event_id = Envelope.from_json(record["value"]).id
            if event_id in self.hold:
                held.append((record, on_delivery))
            elif event_id in self.refuse:
                on_delivery("MSG_SIZE_TOO_LARGE", None)
            else:
                self.confirmed.append(record)
                on_delivery(None, None)
        self.queued = held
        return len(held)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'relay.db'}")
    database.create_all()
    yield database
    database.dispose()


def append(db: Database, stream_id: str, count: int) -> list[Envelope]:
    store = EventStore("dossier")
    with db.transaction() as session:
        version = store.current_version(session, stream_id)
        events = [
            DossierWithdrawn(dossier_id=stream_id, applicant_id="A", reason=str(n))
            for n in range(count)
        ]
        return store.append(session, stream_id, version, events, Causation("corr"))


def unsent(db: Database) -> list[str]:
    with db.transaction() as session:
        return list(
            session.scalars(
                select(outbox.c.event_id)
                .where(outbox.c.sent_at.is_(None))
                .order_by(outbox.c.position)
            )
        )


def test_rows_are_published_in_order_keyed_by_stream_and_marked_sent(
    db: Database,
) -> None:
    appended = (
        append(db, "dossier-1", 2)
        + append(db, "dossier-2", 1)
        + append(db, "dossier-1", 1)
    )
    producer = FakeProducer()
    relay = OutboxRelay(db, producer)  # type: ignore[arg-type]

    assert relay.publish_batch() == 4
    assert relay.publish_batch() == 0

    assert [Envelope.from_json(r["value"]) for r in producer.confirmed] == appended
    assert [r["key"] for r in producer.confirmed] == [
        b"dossier-1",
        b"dossier-1",
        b"dossier-2",
        b"dossier-1",
    ]
    assert {r["topic"] for r in producer.confirmed} == {physical(topics.DOSSIER)}
    assert all(
        ("content-type", CONTENT_TYPE.encode()) in r["headers"]
        for r in producer.confirmed
    )
    assert unsent(db) == [] and relay.backlog() == 0


def test_a_batch_takes_at_most_batch_size_rows(db: Database) -> None:
    appended = append(db, "dossier-1", 5)
    producer = FakeProducer()
    relay = OutboxRelay(db, producer, batch_size=2)  # type: ignore[arg-type]
    assert [relay.publish_batch() for _ in range(4)] == [2, 2, 1, 0]
    assert [Envelope.from_json(r["value"]).id for r in producer.confirmed] == [
        e.id for e in appended
    ]


def test_a_row_the_broker_refused_stays_unsent_and_is_tried_again(db: Database) -> None:
    appended = append(db, "dossier-1", 3)
    refused = appended[1].id
    relay = OutboxRelay(db, FakeProducer(refuse=frozenset({refused})))  # type: ignore[arg-type]
    assert relay.publish_batch() == 2
    assert unsent(db) == [refused]

    relay.producer = FakeProducer()  # type: ignore[assignment]
    assert relay.publish_batch() == 1
    assert unsent(db) == []


def test_a_row_not_confirmed_within_the_flush_stays_unsent(db: Database) -> None:
    appended = append(db, "dossier-1", 2)
    held = appended[0].id
    relay = OutboxRelay(db, FakeProducer(hold=frozenset({held})), flush_timeout=0.01)  # type: ignore[arg-type]
    assert relay.publish_batch() == 1
    assert unsent(db) == [held]
