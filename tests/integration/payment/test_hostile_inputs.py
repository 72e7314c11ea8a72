"""Inputs a payer, a gateway or a producer should never send, on SQLite and
PostgreSQL: each is answered or dead-lettered for what it is, never a server error."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from services.payment.signing import Confirmation, signature_of
from tests.integration.payment.harness import (
    GATEWAY_SECRET,
    PaymentService,
    confirmation,
    dossier_submitted,
)

CALLBACK = "/payment-callbacks/sandbox"
LONGEST_SUBJECT = "s" * 200


def test_a_payer_with_the_longest_subject_id_a_token_may_carry_gets_an_order(
    service: PaymentService,
) -> None:
    submitted = dossier_submitted(applicant_id=LONGEST_SUBJECT)

    outcome = service.deliver(submitted)

    assert (outcome.handled, service.dead_letters.sent) == (1, [])
    orders = service.client.get(
        "/payment-orders", headers=service.token(LONGEST_SUBJECT)
    ).json()["items"]
    assert [o["dossier_id"] for o in orders] == [submitted.data["dossier_id"]]


@pytest.mark.parametrize("field", ["order_id", "transaction_id"])
def test_a_signed_confirmation_with_a_nul_character_is_refused_as_invalid(
    service: PaymentService, field: str
) -> None:
    order_id, _ = service.issue_order()
    body = confirmation(order_id)
    body[field] += "\x00"

    response = service.client.post(CALLBACK, json=_signed_as_the_gateway(body))

    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert service.stream(order_id) == ["PaymentRequested"]


def _signed_as_the_gateway(body: dict[str, Any]) -> dict[str, Any]:
    """Signs what the gateway's own model would refuse to build."""
    fields = {k: v for k, v in body.items() if k != "signature"}
    paid_at = datetime.fromisoformat(fields["paid_at"])
    unchecked = Confirmation.model_construct(**{**fields, "paid_at": paid_at})
    return {**fields, "signature": signature_of(unchecked, GATEWAY_SECRET.encode())}
