"""Races on PostgreSQL: the settlement that loses a race for a dossier loads it again
and decides anew instead of being dead-lettered; the submission that loses a race for
a national code takes the next one; of two submissions racing with one idempotency
key, one creates the dossier and the other answers with it."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text

from services.dossier import application
from services.dossier.domain import Applicant, national_code, submission_day
from services.dossier.idempotency import (
    IdempotencyKey,
    IdempotencyKeyReused,
    fingerprint,
    register,
)
from services.dossier.numbering import allocate_code, dossier_codes
from shared.events.dossier import DossierFeePaid
from shared.messaging.consumer import BatchOutcome, EventConsumer
from shared.store import Causation, Database, EventStore
from shared.store.schema import events
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
            ).dossier_id
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


def submitted_events(db: Database) -> int:
    with db.transaction() as session:
        query = select(func.count()).where(events.c.type == "DossierSubmitted")
        return session.scalar(query) or 0


def test_two_requests_racing_with_one_key_make_one_dossier(
    client: TestClient, db: Database, an: Headers
) -> None:
    body = {"procedure_code": "1.001193", "documents": BIRTH_DOCUMENTS}
    headers = {**an, "Idempotency-Key": "double-click"}
    start = threading.Barrier(2)
    answers: list[Any] = []

    def post() -> None:
        start.wait(30)
        answers.append(client.post("/dossiers", json=body, headers=headers))

    racers = [threading.Thread(target=post) for _ in range(2)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join(30)

    assert not any(racer.is_alive() for racer in racers)
    assert sorted(a.status_code for a in answers) == [200, 201], answers[0].text
    assert answers[0].json()["id"] == answers[1].json()["id"]
    assert submitted_events(db) == 1


def race_with_a_key_held(db: Database, key: str, form: dict[str, Any]) -> list[Any]:
    """Submits with the key while another transaction holds it, uncommitted, for
    dossier-first with the birth registration request; returns what the racer got."""
    an = Applicant("subject-an", "citizen")
    request = {"procedure_code": "1.001193", "form": {}, "documents": BIRTH_DOCUMENTS}
    held = IdempotencyKey(an.subject_id, key, fingerprint(request))
    outcome: list[Any] = []

    def submit() -> None:
        try:
            outcome.append(
                application.submit(
                    db, an, "1.001193", form, BIRTH_DOCUMENTS, idempotency_key=key
                )
            )
        except IdempotencyKeyReused as refused:
            outcome.append(refused)

    racer = threading.Thread(target=submit)
    with db.transaction() as session:
        register(session, held, "dossier-first")
        racer.start()
        # The racer found no key and now waits on our uncommitted one.
        wait_for(lambda: sessions_waiting_on_a_lock(db), 30, what="the racer blocked")
    racer.join(30)
    assert not racer.is_alive()
    return outcome


def test_the_submission_that_loses_the_race_for_a_key_answers_with_the_winner(
    db: Database,
) -> None:
    [submission] = race_with_a_key_held(db, "retry-1", {})

    assert submission == application.Submission("dossier-first", replayed=True)
    assert submitted_events(db) == 0


def test_the_loser_of_a_race_for_a_key_with_another_request_is_refused(
    db: Database,
) -> None:
    [refused] = race_with_a_key_held(db, "retry-1", {"khac": 1})

    assert isinstance(refused, IdempotencyKeyReused)
    assert refused.extensions == {"dossier_id": "dossier-first"}
    assert submitted_events(db) == 0
