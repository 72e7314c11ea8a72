"""The sandbox gateway's page, served in process."""

from __future__ import annotations

from tests.integration.payment.harness import PaymentService, confirmation


def test_the_gateway_page_shows_the_order_and_its_choices(
    service: PaymentService,
) -> None:
    order_id, _ = service.issue_order(fee=135_000)

    response = service.client.get(f"/sandbox-gateway/pay/{order_id}")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert '<html lang="vi">' in page
    assert "135.000 ₫" in page
    assert "Lệ phí hồ sơ G01.001.000-260302-0007 - Cấp hộ chiếu phổ thông" in page
    assert "Chờ thanh toán / Awaiting payment" in page
    assert page.count(f'action="/sandbox-gateway/pay/{order_id}"') == 2
    assert 'name="outcome" value="success"' in page
    assert 'name="outcome" value="failure"' in page


def test_a_paid_order_offers_nothing_more_to_pay(service: PaymentService) -> None:
    order_id, _ = service.issue_order()
    service.client.post("/payment-callbacks/sandbox", json=confirmation(order_id))

    page = service.client.get(f"/sandbox-gateway/pay/{order_id}")
    again = service.client.post(
        f"/sandbox-gateway/pay/{order_id}", data={"outcome": "success"}
    )

    assert "Đã thanh toán / Paid" in page.text
    assert "<form" not in page.text
    assert again.status_code == 409
    assert service.stream(order_id) == ["PaymentRequested", "PaymentSettled"]


def test_the_gateway_page_of_an_unknown_order_is_not_found(
    service: PaymentService,
) -> None:
    response = service.client.get("/sandbox-gateway/pay/no-such-order")

    assert response.status_code == 404


def test_an_outcome_other_than_pay_or_cancel_is_refused(
    service: PaymentService,
) -> None:
    order_id, _ = service.issue_order()

    response = service.client.post(
        f"/sandbox-gateway/pay/{order_id}", data={"outcome": "refund"}
    )

    assert response.status_code == 422
    assert service.stream(order_id) == ["PaymentRequested"]


def test_the_gateway_reports_a_service_it_cannot_reach(
    service: PaymentService,
) -> None:
    order_id, _ = service.issue_order()

    response = service.client.post(
        f"/sandbox-gateway/pay/{order_id}", data={"outcome": "success"}
    )

    assert response.status_code == 502
    assert "Không xác nhận được giao dịch" in response.text
    assert service.stream(order_id) == ["PaymentRequested"]
