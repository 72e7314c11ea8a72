"""Orders are shown with Vietnamese money and time, and bilingual statuses."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.payment.domain import OrderStatus
from services.payment.views import STATUS_LABELS, dong, local_time, order_view


@pytest.mark.parametrize(
    ("amount", "shown"),
    [(135_000, "135.000 ₫"), (500, "500 ₫"), (1_200_000, "1.200.000 ₫")],
)
def test_amounts_are_grouped_with_dots(amount: int, shown: str) -> None:
    assert dong(amount) == shown


def test_times_are_shown_in_vietnam() -> None:
    assert local_time(datetime(2026, 3, 2, 17, 5, tzinfo=UTC)) == "00:05 03/03/2026"
    assert local_time(datetime(2026, 3, 2, 17, 5)) == "00:05 03/03/2026"


def test_every_status_has_both_labels() -> None:
    assert set(STATUS_LABELS) == set(OrderStatus)
    assert STATUS_LABELS[OrderStatus.SETTLED] == ("Đã thanh toán", "Paid")


def row(status: str) -> dict[str, object]:
    return {
        "order_id": "o-1",
        "dossier_id": "d-1",
        "payer_id": "citizen-1",
        "amount": 135_000,
        "status": status,
        "description_vi": "Lệ phí",
        "gateway": "sandbox",
        "gateway_transaction_id": None,
        "failure_reason": None,
        "created_at": datetime(2026, 3, 2, 1, 0),
        "expires_at": datetime(2026, 3, 3, 1, 0),
        "settled_at": None,
    }


def test_an_open_order_links_to_the_gateway() -> None:
    view = order_view(row("requested"), "http://127.0.0.1:8003")

    assert view["pay_url"] == "http://127.0.0.1:8003/sandbox-gateway/pay/o-1"
    assert view["amount_display"] == "135.000 ₫"
    assert (view["status_vi"], view["status_en"]) == (
        "Chờ thanh toán",
        "Awaiting payment",
    )
    assert view["created_at"] == datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


@pytest.mark.parametrize("status", ["settled", "expired"])
def test_a_closed_order_has_no_payment_link(status: str) -> None:
    assert order_view(row(status), "http://x")["pay_url"] is None
