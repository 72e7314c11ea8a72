"""The sandbox gateway's pages, in Vietnamese first and English second. Every value
shown is escaped."""

from __future__ import annotations

from html import escape
from typing import Any

from services.payment.views import local_time, pay_path

_PAGE = """<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
</head>
<body>
<header><p>Cổng thanh toán thử nghiệm / Sandbox payment gateway</p></header>
<main>
<h1>{title}</h1>
{body}
</main>
</body>
</html>
"""


def _page(title: str, body: str) -> str:
    return _PAGE.format(title=escape(title), body=body)


def _facts(rows: list[tuple[str, Any]]) -> str:
    items = "".join(
        f"<dt>{escape(label)}</dt><dd>{escape(str(value))}</dd>"
        for label, value in rows
        if value
    )
    return f"<dl>{items}</dl>"


def _order_facts(order: dict[str, Any]) -> str:
    return _facts(
        [
            ("Mã đơn / Order", order["order_id"]),
            ("Nội dung / Description", order["description_vi"]),
            ("Số tiền / Amount", order["amount_display"]),
            ("Trạng thái / Status", f"{order['status_vi']} / {order['status_en']}"),
            ("Hạn thanh toán / Pay by", local_time(order["expires_at"])),
            ("Mã giao dịch / Transaction", order["gateway_transaction_id"]),
        ]
    )


def _button(order_id: str, outcome: str, label: str) -> str:
    return (
        f'<form method="post" action="{escape(pay_path(order_id))}">'
        f'<input type="hidden" name="outcome" value="{escape(outcome)}">'
        f'<button type="submit">{escape(label)}</button></form>'
    )


def payment_page(order: dict[str, Any]) -> str:
    if order["pay_url"] is None:
        actions = "<p>Đơn không còn chờ thanh toán. / The order awaits no payment.</p>"
    else:
        actions = _button(order["order_id"], "success", "Thanh toán / Pay")
        actions += _button(order["order_id"], "failure", "Hủy / Cancel")
    return _page("Thanh toán lệ phí / Fee payment", _order_facts(order) + actions)


def result_page(order: dict[str, Any]) -> str:
    if order["status"] == "settled":
        title = "Thanh toán thành công / Payment succeeded"
    else:
        title = "Thanh toán không thành công / Payment not completed"
    return _page(title, _order_facts(order))


def refused_page(order_id: str, status: int | None, problem: dict[str, Any]) -> str:
    body = _facts(
        [
            ("Mã đơn / Order", order_id),
            ("Mã phản hồi / Answer", status),
            ("Lý do / Reason", problem.get("title")),
            ("Chi tiết / Detail", problem.get("detail")),
        ]
    )
    return _page("Không xác nhận được giao dịch / Payment not confirmed", body)
