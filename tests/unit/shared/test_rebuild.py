"""Rebuilding a read model from the service's own event store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Column, MetaData, String, Table, insert, select
from sqlalchemy.orm import Session

from shared.events.dossier import DossierWithdrawn
from shared.events.envelope import Envelope
from shared.events.registry import EventData, EventRegistry, EventSpec
from shared.messaging.consumer import EventConsumer
from shared.messaging.dead_letters import LoggedDeadLetters
from shared.messaging.rebuild import rebuild_from_store
from shared.store import Causation, Database, EventStore

model_tables = MetaData()
seen = Table(
    "seen",
    model_tables,
    Column("event_id", String(36), primary_key=True),
    Column("stream_id", String(200), nullable=False),
)


def remember(session: Session, _event: EventData, envelope: Envelope) -> None:
    session.execute(
        insert(seen).values(event_id=envelope.id, stream_id=envelope.subject)
    )


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'own.db'}", model_tables)
    database.create_all()
    yield database
    database.dispose()


def rows(db: Database) -> list[tuple[str, str]]:
    with db.transaction() as session:
        return sorted(tuple(r) for r in session.execute(select(seen)))  # type: ignore[misc]


def test_a_read_model_is_rebuilt_from_the_services_own_store(db: Database) -> None:
    store = EventStore("dossier")
    with db.transaction() as session:
        appended = store.append(
            session,
            "dossier-1",
            0,
            [
                DossierWithdrawn(dossier_id="1", applicant_id="A", reason=str(n))
                for n in range(3)
            ],
            Causation("c"),
        )
    consumer = EventConsumer(
        "own",
        ["dossier.events"],
        {DossierWithdrawn: remember},
        db,
        LoggedDeadLetters(),
        model_tables,
    )

    first = rebuild_from_store(consumer, batch_size=2)
    again = rebuild_from_store(consumer, batch_size=2)

    assert (first.handled, again.handled, again.duplicates) == (3, 3, 0)
    assert rows(db) == sorted((e.id, "dossier-1") for e in appended)


class Noted(EventData):
    note: str


def test_a_consumer_with_a_registry_of_its_own_is_rebuilt_from_the_store(
    db: Database,
) -> None:
    events = EventRegistry()
    events.add(EventSpec("Noted", Noted, 1, "notes.events"))
    with db.transaction() as session:
        EventStore("notes", events).append(
            session, "note-1", 0, [Noted(note="a"), Noted(note="b")], Causation("c")
        )
    consumer = EventConsumer(
        "notes",
        ["notes.events"],
        {Noted: remember},
        db,
        LoggedDeadLetters(),
        model_tables,
        events,
    )
    assert rebuild_from_store(consumer).handled == 2
