"""A submitted dossier with a fee gets exactly one payment order, which its payer,
and only its payer, can read."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.integration.payment.harness import PaymentService, dossier_submitted

DAY = timedelta(hours=24)


def test_a_dossier_with_a_fee_gets_one_order(service: PaymentService) -> None:
    submitted = dossier_submitted(fee=135_000, applicant_id="citizen-an")

    outcome = service.deliver(submitted)

    assert (outcome.handled, outcome.dead_lettered) == (1, [])
    [requested] = service.outbox()
    assert requested.type == "PaymentRequested"
    assert requested.source == "/services/payment"
    assert requested.causationid == submitted.id
    assert requested.correlationid == submitted.correlationid
    order_id = requested.data["order_id"]
    assert requested.subject == f"payment-order-{order_id}"
    assert requested.sequence == 1
    data = requested.data
    assert data["dossier_id"] == submitted.data["dossier_id"]
    assert data["payer_id"] == "citizen-an"
    assert data["amount"] == 135_000
    assert data["gateway"] == "sandbox"
    assert data["description_vi"] == (
        "Lệ phí hồ sơ G01.001.000-260302-0007 - Cấp hộ chiếu phổ thông"
    )
    expires_at = datetime.fromisoformat(data["expires_at"])
    assert abs(expires_at - requested.time - DAY) < timedelta(seconds=1)
    assert service.stream(order_id) == ["PaymentRequested"]


def test_a_redelivered_submission_creates_nothing(service: PaymentService) -> None:
    submitted = dossier_submitted()
    service.deliver(submitted)

    again = service.deliver(submitted)

    assert (again.handled, again.duplicates) == (0, 1)
    assert len(service.outbox()) == 1


def test_a_second_submission_event_for_the_dossier_is_a_no_op(
    service: PaymentService,
) -> None:
    first = dossier_submitted()
    service.deliver(first)
    republished = first.model_copy(update={"id": "another-event-id"})

    outcome = service.deliver(republished)

    assert (outcome.handled, outcome.dead_lettered) == (1, [])
    assert service.dead_letters.sent == []
    assert [e.type for e in service.outbox()] == ["PaymentRequested"]


def test_a_free_procedure_gets_no_order(service: PaymentService) -> None:
    outcome = service.deliver(dossier_submitted(fee=0))

    assert outcome.handled == 1
    assert service.outbox() == []
    response = service.client.get("/payment-orders", headers=service.token())
    assert response.json() == {"items": []}


def test_the_payer_reads_the_order_with_a_link_to_pay(service: PaymentService) -> None:
    order_id, submitted = service.issue_order(applicant_id="citizen-an")

    response = service.client.get(
        f"/payment-orders/{order_id}", headers=service.token("citizen-an")
    )

    assert response.status_code == 200
    order = response.json()
    base = service.settings.base_url()
    assert order["pay_url"] == f"{base}/sandbox-gateway/pay/{order_id}"
    assert {k: order[k] for k in ("order_id", "dossier_id", "payer_id")} == {
        "order_id": order_id,
        "dossier_id": submitted.data["dossier_id"],
        "payer_id": "citizen-an",
    }
    assert (order["amount"], order["amount_display"]) == (135_000, "135.000 ₫")
    assert (order["status"], order["status_vi"], order["status_en"]) == (
        "requested",
        "Chờ thanh toán",
        "Awaiting payment",
    )
    assert order["gateway_transaction_id"] is None
    assert order["settled_at"] is None
    created = datetime.fromisoformat(order["created_at"])
    window = datetime.fromisoformat(order["expires_at"]) - created
    assert abs(window - DAY) < timedelta(seconds=1)


def test_another_citizen_cannot_read_the_order(service: PaymentService) -> None:
    order_id, _ = service.issue_order(applicant_id="citizen-an")

    response = service.client.get(
        f"/payment-orders/{order_id}", headers=service.token("citizen-binh")
    )

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_reading_orders_needs_a_bearer_token(service: PaymentService) -> None:
    order_id, _ = service.issue_order()

    assert service.client.get(f"/payment-orders/{order_id}").status_code == 401
    assert service.client.get("/payment-orders").status_code == 401


def test_the_payer_lists_their_orders_by_dossier(service: PaymentService) -> None:
    first, submitted = service.issue_order(applicant_id="citizen-an")
    second, _ = service.issue_order(applicant_id="citizen-an")
    service.issue_order(applicant_id="citizen-binh")
    dossier_id = submitted.data["dossier_id"]

    mine = service.client.get("/payment-orders", headers=service.token("citizen-an"))
    one = service.client.get(
        "/payment-orders",
        params={"dossier_id": dossier_id},
        headers=service.token("citizen-an"),
    )

    assert sorted(o["order_id"] for o in mine.json()["items"]) == sorted(
        [first, second]
    )
    assert [o["order_id"] for o in one.json()["items"]] == [first]
