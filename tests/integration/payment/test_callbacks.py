"""Gateway callbacks: a signed one settles or fails the order once; a forged, unknown
or wrong-amount one changes nothing."""

from __future__ import annotations

from tests.integration.payment.harness import PaymentService, confirmation

CALLBACK = "/payment-callbacks/sandbox"


def test_a_signed_success_settles_the_order(service: PaymentService) -> None:
    order_id, submitted = service.issue_order()

    response = service.client.post(CALLBACK, json=confirmation(order_id))

    assert response.status_code == 200
    answer = response.json()
    assert (answer["status"], answer["recorded"]) == ("settled", True)
    assert answer["gateway_transaction_id"] == "SBX0000000000000001"
    assert answer["settled_at"] == "2026-03-02T02:10:00Z"
    assert answer["pay_url"] is None
    assert service.stream(order_id) == ["PaymentRequested", "PaymentSettled"]
    settled = service.outbox()[-1]
    assert settled.type == "PaymentSettled"
    assert settled.sequence == 2
    assert settled.data == {
        "order_id": order_id,
        "dossier_id": submitted.data["dossier_id"],
        "payer_id": "citizen-an",
        "amount": 135_000,
        "gateway": "sandbox",
        "gateway_transaction_id": "SBX0000000000000001",
        "settled_at": "2026-03-02T02:10:00Z",
    }
    order = service.client.get(f"/payment-orders/{order_id}", headers=service.token())
    assert (order.json()["status"], order.json()["status_vi"]) == (
        "settled",
        "Đã thanh toán",
    )


def test_a_forged_callback_is_refused_and_records_nothing(
    service: PaymentService,
) -> None:
    order_id, _ = service.issue_order()

    response = service.client.post(
        CALLBACK, json=confirmation(order_id, secret="a-forger-guessing-the-secret")
    )

    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert (
        response.json()["detail"] == "the confirmation's signature is not the gateway's"
    )
    assert service.stream(order_id) == ["PaymentRequested"]
    assert len(service.outbox()) == 1


def test_a_tampered_amount_is_refused(service: PaymentService) -> None:
    order_id, _ = service.issue_order()
    body = confirmation(order_id)
    body["amount"] = 1_000

    response = service.client.post(CALLBACK, json=body)

    assert response.status_code == 401
    assert service.stream(order_id) == ["PaymentRequested"]


def test_a_signed_confirmation_of_another_amount_is_refused(
    service: PaymentService,
) -> None:
    order_id, _ = service.issue_order(fee=135_000)

    response = service.client.post(CALLBACK, json=confirmation(order_id, amount=1_000))

    assert response.status_code == 422
    problem = response.json()
    assert (problem["expected_amount"], problem["confirmed_amount"]) == (135_000, 1_000)
    assert service.stream(order_id) == ["PaymentRequested"]


def test_a_callback_twice_is_answered_and_records_once(
    service: PaymentService,
) -> None:
    order_id, _ = service.issue_order()
    body = confirmation(order_id)
    service.client.post(CALLBACK, json=body)

    again = service.client.post(CALLBACK, json=body)

    assert again.status_code == 200
    assert (again.json()["status"], again.json()["recorded"]) == ("settled", False)
    assert service.stream(order_id) == ["PaymentRequested", "PaymentSettled"]
    assert [e.type for e in service.outbox()] == ["PaymentRequested", "PaymentSettled"]


def test_a_callback_for_an_unknown_order_is_not_found(
    service: PaymentService,
) -> None:
    body = confirmation("00000000-0000-4000-8000-000000000000")

    response = service.client.post(CALLBACK, json=body)

    assert response.status_code == 404
    assert service.outbox() == []


def test_a_declined_payment_fails_the_order_which_stays_payable(
    service: PaymentService,
) -> None:
    order_id, _ = service.issue_order()

    failed = service.client.post(
        CALLBACK, json=confirmation(order_id, outcome="failure")
    )
    paid = service.client.post(
        CALLBACK, json=confirmation(order_id, transaction_id="SBX0000000000000002")
    )

    assert failed.status_code == 200
    assert failed.json()["status"] == "failed"
    assert failed.json()["failure_reason"].endswith("Declined at the gateway")
    assert failed.json()["pay_url"] is not None
    assert paid.json()["status"] == "settled"
    assert service.stream(order_id) == [
        "PaymentRequested",
        "PaymentFailed",
        "PaymentSettled",
    ]


def test_a_callback_with_unsigned_extras_is_refused(service: PaymentService) -> None:
    order_id, _ = service.issue_order()
    body = {**confirmation(order_id), "note": "unsigned"}

    response = service.client.post(CALLBACK, json=body)

    assert response.status_code == 422
    assert service.stream(order_id) == ["PaymentRequested"]
