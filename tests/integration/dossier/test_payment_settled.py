"""Settled payments become paid fees, through the real consumer with real envelopes,
on SQLite and PostgreSQL: once per payment, once per dossier, and never for a dossier
the service does not hold."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from shared.messaging.consumer import EventConsumer
from shared.store import Database, EventStore
from tests.integration.dossier.kit import (
    BIRTH_DOCUMENTS,
    KeptDeadLetters,
    payment_message,
    payment_settled,
)

Headers = dict[str, str]

pytestmark = pytest.mark.usefixtures("birth_registration")


@pytest.fixture
def dossier(client: TestClient, an: Headers) -> dict[str, Any]:
    body = {"procedure_code": "1.001193", "documents": BIRTH_DOCUMENTS}
    response = client.post("/dossiers", json=body, headers=an)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def stream_types(db: Database, dossier_id: str) -> list[str]:
    with db.transaction() as session:
        return [
            e.type for e in EventStore("dossier").load(session, f"dossier-{dossier_id}")
        ]


def test_a_settled_payment_records_the_fee_and_sends_the_dossier_to_the_agency(
    client: TestClient,
    db: Database,
    settlements: EventConsumer,
    dossier: dict[str, Any],
    an: Headers,
) -> None:
    settled = payment_settled(dossier["id"], order_id="order-42")

    outcome = settlements.handle_batch([payment_message(settled)])

    assert outcome.handled == 1
    with db.transaction() as session:
        _, paid = EventStore("dossier").load(session, f"dossier-{dossier['id']}")
    assert paid.type == "DossierFeePaid"
    assert (paid.sequence, paid.subject) == (2, f"dossier-{dossier['id']}")
    assert paid.causationid == settled.id
    assert paid.correlationid == settled.correlationid
    assert paid.data["applicant_id"] == "subject-an"
    assert (paid.data["payment_order_id"], paid.data["amount"]) == ("order-42", 50_000)
    shown = client.get(f"/dossiers/{dossier['id']}", headers=an).json()
    assert (shown["status"], shown["fee_paid"], shown["version"]) == (
        "submitted",
        50_000,
        2,
    )
    assert shown["status_label"].endswith("/ Submitted, awaiting the agency")
    assert shown["history"][1]["summary"] == (
        "Đã thanh toán lệ phí 50.000 đồng (lệnh order-42) / "
        "Fee of 50,000 VND paid (order order-42)"
    )


def test_a_redelivered_settlement_is_skipped(
    db: Database, settlements: EventConsumer, dossier: dict[str, Any]
) -> None:
    settled = payment_message(payment_settled(dossier["id"]))

    settlements.handle_batch([settled])
    again = settlements.handle_batch([settled])

    assert (again.handled, again.duplicates) == (0, 1)
    assert stream_types(db, dossier["id"]) == ["DossierSubmitted", "DossierFeePaid"]


def test_a_second_payment_for_a_paid_dossier_changes_nothing_and_is_no_poison(
    db: Database,
    settlements: EventConsumer,
    dead_letters: KeptDeadLetters,
    dossier: dict[str, Any],
) -> None:
    first = payment_message(payment_settled(dossier["id"], order_id="order-1"))
    second = payment_message(payment_settled(dossier["id"], order_id="order-2"))

    outcome = settlements.handle_batch([first, second])

    assert (outcome.handled, outcome.dead_lettered) == (2, [])
    assert dead_letters.sent == []
    assert stream_types(db, dossier["id"]) == ["DossierSubmitted", "DossierFeePaid"]


def test_a_settlement_for_an_unknown_dossier_is_dead_lettered(
    db: Database, settlements: EventConsumer, dead_letters: KeptDeadLetters
) -> None:
    stray = payment_message(payment_settled("no-such-dossier", order_id="order-7"))

    outcome = settlements.handle_batch([stray])

    assert outcome.handled == 0
    [(message, reason)] = dead_letters.sent
    assert message is stray
    assert reason.startswith("handler failed: NotFound: PaymentSettled")
    assert "order order-7" in reason and "no-such-dossier" in reason
    assert dead_letters.flushes == 1
    assert stream_types(db, "no-such-dossier") == []


def test_a_settlement_of_the_wrong_amount_is_dead_lettered_and_the_fee_stays_due(
    client: TestClient,
    settlements: EventConsumer,
    dead_letters: KeptDeadLetters,
    dossier: dict[str, Any],
    an: Headers,
) -> None:
    short = payment_message(payment_settled(dossier["id"], amount=40_000))

    settlements.handle_batch([short])

    [(_, reason)] = dead_letters.sent
    assert "40000 đồng settled for a fee of 50000" in reason
    shown = client.get(f"/dossiers/{dossier['id']}", headers=an).json()
    assert (shown["status"], shown["fee_paid"]) == ("awaiting_payment", 0)
