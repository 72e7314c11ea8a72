"""Races on PostgreSQL: the settlement that loses a race for a dossier loads it again
and decides anew instead of being dead-lettered; the submission that loses a race for
a national code takes the next one."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text

from services.dossier import application
from services.dossier.domain import Applicant, national_code, submission_day
from services.dossier.numbering import allocate_code, dossier_codes
from shared.events.dossier import DossierFeePaid
from shared.messaging.consumer import BatchOutcome, EventConsumer
from shared.store import Causation, Database, EventStore
from tests.integration.dossier.kit import (
    BIRTH_DOCUMENTS,
    KeptDeadLetters,
    payment_message,
    payment_settled,
)
from tests.support.processes import wait_for

Headers = dict[str, str]

pytestmark = pytest.mark.usefixtures("birth_registration")


@pytest.fixture
def store_url(postgres_url: str) -> str:
    """PostgreSQL only: SQLite lets one writer at a time in, so no race is possible."""
    return postgres_url


def sessions_waiting_on_a_lock(db: Database) -> int:
    with db.engine.connect() as conn:
        return (
            conn.scalar(
                select(func.count())
                .select_from(text("pg_stat_activity"))
                .where(
                    text("wait_event_type = 'Lock' AND datname = current_database()")
                )
            )
            or 0
        )


def test_a_settlement_that_loses_a_race_decides_again_and_changes_nothing(
    client: TestClient,
    db: Database,
    settlements: EventConsumer,
    dead_letters: KeptDeadLetters,
    an: Headers,
) -> None:
    body = {"procedure_code": "1.001193", "documents": BIRTH_DOCUMENTS}
    dossier: dict[str, Any] = client.post("/dossiers", json=body, headers=an).json()
    stream = f"dossier-{dossier['id']}"
    store = EventStore("dossier")
    outcome: list[BatchOutcome] = []
    racer = threading.Thread(
        target=lambda: outcome.append(
            settlements.handle_batch([payment_message(payment_settled(dossier["id"]))])
        )
    )

    with db.transaction() as session:
        first = DossierFeePaid(
            dossier_id=dossier["id"],
            applicant_id="subject-an",
            payment_order_id="order-first",
            amount=50_000,
            paid_at=datetime.now(UTC),
        )
        store.append(session, stream, 1, [first], Causation("race"))
        racer.start()
        # The racer has read version 1 and now waits on our uncommitted version 2.
        wait_for(lambda: sessions_waiting_on_a_lock(db), 30, what="the racer blocked")
    racer.join(30)

    assert not racer.is_alive()
    assert (outcome[0].handled, outcome[0].dead_lettered) == (1, [])
    assert dead_letters.sent == []
    with db.transaction() as session:
        history = store.load(session, stream)
    assert [e.type for e in history] == ["DossierSubmitted", "DossierFeePaid"]
    assert history[1].data["payment_order_id"] == "order-first"


def test_two_submissions_racing_for_a_code_get_consecutive_codes(
    db: Database,
) -> None:
    now = datetime.now(UTC)
    day = submission_day(now)
    submitted: list[str] = []
    racer = threading.Thread(
        target=lambda: submitted.append(
            application.submit(
                db, Applicant("subject-an", "citizen"), "1.001193", {}, BIRTH_DOCUMENTS
            )
        )
    )

    with db.transaction() as session:
        first = allocate_code(session, "dossier-first", "btp", day)
        racer.start()
        # The racer has read no code for today and waits on our uncommitted one.
        wait_for(lambda: sessions_waiting_on_a_lock(db), 30, what="the racer blocked")
    racer.join(30)

    assert not racer.is_alive()
    with db.transaction() as session:
        [code] = session.scalars(
            select(dossier_codes.c.code).where(
                dossier_codes.c.dossier_id == submitted[0]
            )
        )
    assert first == national_code("BTP", day, 1)
    assert code == national_code("BTP", day, 2)
