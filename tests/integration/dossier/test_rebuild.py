"""The dossiers read model is disposable: dropped and replayed from the service's own
events through its projection consumer, it comes back row for row."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from services.dossier.bootstrap import projection
from services.dossier.readmodel import dossiers, history
from shared.events import topics
from shared.messaging.consumer import EventConsumer
from shared.store import Database, EventStore
from tests.integration.dossier.kit import (
    BIRTH_DOCUMENTS,
    message_of,
    payment_message,
    payment_settled,
)

Headers = dict[str, str]

pytestmark = pytest.mark.usefixtures("birth_registration")


def snapshot(db: Database) -> list[list[dict[str, Any]]]:
    with db.transaction() as session:
        return [
            [
                dict(r)
                for r in session.execute(
                    select(table).order_by(*table.primary_key)
                ).mappings()
            ]
            for table in (dossiers, history)
        ]


def test_the_read_model_rebuilt_from_the_event_history_is_the_same(
    client: TestClient,
    db: Database,
    settlements: EventConsumer,
    an: Headers,
) -> None:
    body = {"procedure_code": "1.001193", "documents": BIRTH_DOCUMENTS}
    ids = [
        client.post("/dossiers", json=body, headers=an).json()["id"] for _ in range(2)
    ]
    settlements.handle_batch([payment_message(payment_settled(ids[0]))])
    before = snapshot(db)

    rebuilt = projection(db)
    rebuilt.reset()
    assert snapshot(db) == [[], []]
    with db.transaction() as session:
        stored = EventStore("dossier").read_all(session)
    outcome = rebuilt.handle_batch(
        message_of(s.envelope, topics.DOSSIER) for s in stored
    )

    assert outcome.handled == 3
    assert snapshot(db) == before
    assert sorted(row["status"] for row in before[0]) == [
        "awaiting_payment",
        "submitted",
    ]
    assert len(before[1]) == 3
