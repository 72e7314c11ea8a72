"""Payment orders decide from their history alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.payment.domain import (
    PAYMENT_WINDOW,
    OrderStatus,
    PaymentOrder,
    fee_description,
    stream_id,
)
from shared.errors import Conflict, Invalid, NotFound
from shared.events.payment import PaymentFailed, PaymentRequested, PaymentSettled

NOW = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)
PAID_AT = NOW + timedelta(minutes=5)


def requested_order(amount: int = 135_000) -> PaymentOrder:
    order = PaymentOrder("o-1")
    events = order.request("d-1", "citizen-1", amount, "Lệ phí", NOW)
    return PaymentOrder.replay("o-1", events)


def test_a_new_order_requests_the_fee_for_24_hours() -> None:
    [event] = PaymentOrder("o-1").request(
        "d-1", "citizen-1", 135_000, "Lệ phí hồ sơ X", NOW
    )

    assert event == PaymentRequested(
        order_id="o-1",
        dossier_id="d-1",
        payer_id="citizen-1",
        amount=135_000,
        description_vi="Lệ phí hồ sơ X",
        gateway="sandbox",
        expires_at=NOW + timedelta(hours=24),
    )
    assert timedelta(hours=24) == PAYMENT_WINDOW


def test_the_description_names_the_dossier_and_the_procedure() -> None:
    assert (
        fee_description("G01.001-260302-0001", "Cấp hộ chiếu phổ thông")
        == "Lệ phí hồ sơ G01.001-260302-0001 - Cấp hộ chiếu phổ thông"
    )
    assert stream_id("abc") == "payment-order-abc"


def test_an_order_is_requested_once() -> None:
    with pytest.raises(Conflict):
        requested_order().request("d-1", "citizen-1", 135_000, "Lệ phí", NOW)


def test_a_free_order_is_refused() -> None:
    with pytest.raises(Invalid):
        PaymentOrder("o-1").request("d-1", "citizen-1", 0, "Lệ phí", NOW)


def test_replay_restores_the_order() -> None:
    order = requested_order()

    assert order.version == 1
    assert order.status is OrderStatus.REQUESTED
    assert (order.dossier_id, order.payer_id, order.amount, order.gateway) == (
        "d-1",
        "citizen-1",
        135_000,
        "sandbox",
    )


def test_a_confirmed_payment_settles_the_order() -> None:
    [event] = requested_order().settle("sandbox", 135_000, "SBX1", PAID_AT)

    assert event == PaymentSettled(
        order_id="o-1",
        dossier_id="d-1",
        payer_id="citizen-1",
        amount=135_000,
        gateway="sandbox",
        gateway_transaction_id="SBX1",
        settled_at=PAID_AT,
    )


def test_a_settled_order_ignores_a_repeated_or_second_payment() -> None:
    order = requested_order()
    order.apply(order.settle("sandbox", 135_000, "SBX1", PAID_AT)[0])

    assert order.status is OrderStatus.SETTLED
    assert order.transaction_id == "SBX1"
    assert order.settle("sandbox", 135_000, "SBX1", PAID_AT) == []
    assert order.settle("sandbox", 135_000, "SBX2", PAID_AT) == []
    assert order.fail("sandbox", 135_000, "SBX3", "late") == []


def test_a_confirmation_of_another_amount_is_refused() -> None:
    order = requested_order()

    with pytest.raises(Invalid) as refused:
        order.settle("sandbox", 1_000, "SBX1", PAID_AT)
    assert refused.value.extensions == {
        "expected_amount": 135_000,
        "confirmed_amount": 1_000,
    }
    with pytest.raises(Invalid):
        order.fail("sandbox", 135_001, "SBX1", "declined")


def test_a_confirmation_from_another_gateway_is_refused() -> None:
    with pytest.raises(Invalid, match="payable through sandbox"):
        requested_order().settle("vnpay", 135_000, "X1", PAID_AT)


def test_a_confirmation_for_no_order_is_not_found() -> None:
    with pytest.raises(NotFound):
        PaymentOrder("o-404").settle("sandbox", 135_000, "SBX1", PAID_AT)


def test_a_declined_payment_fails_the_order_once() -> None:
    order = requested_order()
    [event] = order.fail("sandbox", 135_000, "SBX1", "declined")
    order.apply(event)

    assert event == PaymentFailed(
        order_id="o-1",
        dossier_id="d-1",
        payer_id="citizen-1",
        reason="declined",
        gateway="sandbox",
        gateway_transaction_id="SBX1",
    )
    assert order.status is OrderStatus.FAILED
    assert order.fail("sandbox", 135_000, "SBX1", "declined") == []


def test_a_failed_order_can_still_be_paid() -> None:
    order = requested_order()
    order.apply(order.fail("sandbox", 135_000, "SBX1", "declined")[0])

    [event] = order.settle("sandbox", 135_000, "SBX2", PAID_AT)

    assert isinstance(event, PaymentSettled)
    assert event.gateway_transaction_id == "SBX2"
