"""How a payment order is shown: amounts in đồng, statuses in Vietnamese and English,
times in UTC for machines and in Asia/Ho_Chi_Minh for people."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from services.payment.domain import PAYABLE, OrderStatus

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")

STATUS_LABELS: dict[OrderStatus, tuple[str, str]] = {
    OrderStatus.REQUESTED: ("Chờ thanh toán", "Awaiting payment"),
    OrderStatus.SETTLED: ("Đã thanh toán", "Paid"),
    OrderStatus.FAILED: ("Thanh toán không thành công", "Payment failed"),
    OrderStatus.EXPIRED: ("Đã hết hạn", "Expired"),
}


def dong(amount: int) -> str:
    """135000 -> "135.000 ₫": Vietnamese digit grouping with dots."""
    return f"{amount:,}".replace(",", ".") + " ₫"


def as_utc(moment: datetime) -> datetime:
    # SQLite hands back the stored UTC times without their offset.
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def local_time(moment: datetime) -> str:
    return as_utc(moment).astimezone(VIETNAM).strftime("%H:%M %d/%m/%Y")


def pay_path(order_id: str) -> str:
    return f"/sandbox-gateway/pay/{order_id}"


def order_view(row: dict[str, Any], base_url: str) -> dict[str, Any]:
    status = OrderStatus(row["status"])
    label_vi, label_en = STATUS_LABELS[status]
    settled_at = row["settled_at"]
    return {
        "order_id": row["order_id"],
        "dossier_id": row["dossier_id"],
        "payer_id": row["payer_id"],
        "amount": row["amount"],
        "amount_display": dong(row["amount"]),
        "currency": "VND",
        "description_vi": row["description_vi"],
        "status": status.value,
        "status_vi": label_vi,
        "status_en": label_en,
        "gateway": row["gateway"],
        "gateway_transaction_id": row["gateway_transaction_id"],
        "failure_reason": row["failure_reason"],
        "created_at": as_utc(row["created_at"]),
        "expires_at": as_utc(row["expires_at"]),
        "settled_at": as_utc(settled_at) if settled_at else None,
        "pay_url": base_url + pay_path(row["order_id"]) if status in PAYABLE else None,
    }
