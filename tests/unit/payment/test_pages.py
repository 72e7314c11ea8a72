"""The gateway's pages escape whatever they show."""

from __future__ import annotations

from datetime import UTC, datetime

from services.payment.pages import payment_page, refused_page
from services.payment.views import order_view

ROW = {
    "order_id": "o-1",
    "dossier_id": "d-1",
    "payer_id": "citizen-1",
    "amount": 135_000,
    "status": "requested",
    "description_vi": 'Lệ phí <script>alert("x")</script>',
    "gateway": "sandbox",
    "gateway_transaction_id": None,
    "failure_reason": None,
    "created_at": datetime(2026, 3, 2, 1, 0, tzinfo=UTC),
    "expires_at": datetime(2026, 3, 3, 1, 0, tzinfo=UTC),
    "settled_at": None,
}


def test_the_payment_page_escapes_the_description() -> None:
    page = payment_page(order_view(ROW, "http://x"))

    assert "<script>" not in page
    assert "Lệ phí &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "<dd>08:00 03/03/2026</dd>" in page


def test_a_refusal_shows_the_service_answer_escaped() -> None:
    page = refused_page("o-1", 401, {"title": "Chưa xác thực <b>", "detail": "bad"})

    assert "<dd>401</dd>" in page
    assert "Chưa xác thực &lt;b&gt;" in page
