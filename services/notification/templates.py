"""What the recipient reads: one template per event that concerns them, Vietnamese
first with English beside it. Money is shown as "135.000 ₫", times in Asia/Ho_Chi_Minh.

Templates are `str.format` strings over the event's fields, already formatted for the
language at hand, plus `dossier`: the dossier as the recipient knows it (its national
code and procedure name when this service has seen it submitted).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

from shared.events.dossier import (
    DossierAccepted,
    DossierApproved,
    DossierFeePaid,
    DossierRejected,
    DossierSubmitted,
    DossierSupplemented,
    DossierWithdrawn,
    ResultIssued,
    SupplementRequested,
)
from shared.events.payment import (
    PaymentExpired,
    PaymentFailed,
    PaymentRefunded,
    PaymentRequested,
    PaymentSettled,
)
from shared.events.registry import EventData

LOCAL_TIME = ZoneInfo("Asia/Ho_Chi_Minh")
MONEY_FIELDS = frozenset({"amount", "fee", "fee_paid"})

Language = Literal["vi", "en"]


def money(amount: int) -> str:
    """Đồng with a dot between thousands: 135000 -> "135.000 ₫"."""
    return f"{amount:,} ₫".replace(",", ".")


def local_time(moment: datetime, language: Language) -> str:
    shown = moment.astimezone(LOCAL_TIME)
    if language == "vi":
        return shown.strftime("%H:%M ngày %d/%m/%Y")
    return shown.strftime("%H:%M on %d/%m/%Y (Viet Nam time)")


def day(value: date) -> str:
    return value.strftime("%d/%m/%Y")


@dataclass(frozen=True)
class DossierRef:
    """What this service remembers of a dossier from its submission."""

    code: str
    procedure_name_vi: str

    def label(self, language: Language) -> str:
        noun = "hồ sơ" if language == "vi" else "dossier"
        return f"{noun} {self.code} ({self.procedure_name_vi})"


def unknown_dossier(language: Language) -> str:
    return "hồ sơ của bạn" if language == "vi" else "your dossier"


@dataclass(frozen=True)
class Message:
    template: str
    recipient_id: str
    title_vi: str
    body_vi: str
    title_en: str
    body_en: str


@dataclass(frozen=True)
class Template:
    name: str
    recipient_field: str
    title_vi: str
    body_vi: str
    title_en: str
    body_en: str
    version: int = 1

    @property
    def id(self) -> str:
        return f"{self.name}.v{self.version}"

    def render(self, event: EventData, dossier: DossierRef | None) -> Message:
        vi, en = _context(event, dossier, "vi"), _context(event, dossier, "en")
        return Message(
            template=self.id,
            recipient_id=getattr(event, self.recipient_field),
            title_vi=self.title_vi.format_map(vi),
            body_vi=self.body_vi.format_map(vi),
            title_en=self.title_en.format_map(en),
            body_en=self.body_en.format_map(en),
        )


def _context(
    event: EventData, dossier: DossierRef | None, language: Language
) -> dict[str, str]:
    values = {}
    for name, value in event:
        if name in MONEY_FIELDS:
            values[name] = money(value)
        elif isinstance(value, datetime):
            values[name] = local_time(value, language)
        elif isinstance(value, date):
            values[name] = day(value)
        elif isinstance(value, str | int):
            values[name] = str(value)
    values["dossier"] = (
        dossier.label(language) if dossier else unknown_dossier(language)
    )
    return values


TEMPLATES: dict[type[EventData], Template] = {
    DossierSubmitted: Template(
        "dossier-submitted",
        "applicant_id",
        "Đã nộp hồ sơ {dossier_code}",
        "Hồ sơ {dossier_code} – {procedure_name_vi} đã được nộp lúc {submitted_at}. "
        "Lệ phí: {fee}.",
        "Dossier {dossier_code} submitted",
        "Dossier {dossier_code} ({procedure_name_vi}) was submitted at "
        "{submitted_at}. Fee: {fee}.",
    ),
    DossierFeePaid: Template(
        "dossier-fee-paid",
        "applicant_id",
        "Đã ghi nhận lệ phí",
        "Lệ phí {amount} của {dossier} đã được ghi nhận lúc {paid_at}; "
        "hồ sơ đã được chuyển đến cơ quan giải quyết.",
        "Fee recorded",
        "The fee of {amount} for {dossier} was recorded at {paid_at}; "
        "the dossier has gone to the agency.",
    ),
    DossierAccepted: Template(
        "dossier-accepted",
        "applicant_id",
        "Hồ sơ đã được tiếp nhận",
        "Cơ quan giải quyết đã tiếp nhận {dossier}. Ngày hẹn trả kết quả: {due_date}.",
        "Dossier accepted",
        "The agency has accepted {dossier}. The result is due by {due_date}.",
    ),
    SupplementRequested: Template(
        "supplement-requested",
        "applicant_id",
        "Yêu cầu bổ sung hồ sơ",
        "Cơ quan giải quyết đề nghị bổ sung {dossier}: {reason}",
        "Supplement requested",
        "The agency asks you to supplement {dossier}: {reason}",
    ),
    DossierSupplemented: Template(
        "dossier-supplemented",
        "applicant_id",
        "Đã nhận hồ sơ bổ sung",
        "Cơ quan giải quyết đã nhận phần bổ sung cho {dossier}.",
        "Supplement received",
        "The agency has received the supplement to {dossier}.",
    ),
    DossierApproved: Template(
        "dossier-approved",
        "applicant_id",
        "Hồ sơ đã được phê duyệt",
        "Cơ quan giải quyết đã phê duyệt {dossier}; kết quả sẽ được trả theo ngày hẹn.",
        "Dossier approved",
        "The agency has approved {dossier}; the result will follow.",
    ),
    DossierRejected: Template(
        "dossier-rejected",
        "applicant_id",
        "Hồ sơ không được chấp thuận",
        "Cơ quan giải quyết không chấp thuận {dossier}. Lý do: {reason}",
        "Dossier rejected",
        "The agency has rejected {dossier}. Reason: {reason}",
    ),
    ResultIssued: Template(
        "result-issued",
        "applicant_id",
        "Đã có kết quả giải quyết",
        "Kết quả giải quyết {dossier} đã được ban hành lúc {issued_at}, "
        "số {result_reference}. Mời bạn đánh giá mức độ hài lòng với dịch vụ.",
        "Result issued",
        "The result of {dossier} was issued at {issued_at}, reference "
        "{result_reference}. You can now rate the service.",
    ),
    DossierWithdrawn: Template(
        "dossier-withdrawn",
        "applicant_id",
        "Đã rút hồ sơ",
        "Yêu cầu rút {dossier} đã được ghi nhận.",
        "Dossier withdrawn",
        "The withdrawal of {dossier} has been recorded.",
    ),
    PaymentRequested: Template(
        "payment-requested",
        "payer_id",
        "Yêu cầu thanh toán {amount}",
        "Vui lòng thanh toán {amount} cho {description_vi} trước {expires_at}.",
        "Payment of {amount} requested",
        "Please pay {amount} for {description_vi} before {expires_at}.",
    ),
    PaymentSettled: Template(
        "payment-settled",
        "payer_id",
        "Thanh toán thành công",
        "Bạn đã thanh toán thành công {amount} cho {dossier} lúc {settled_at}. "
        "Mã giao dịch: {gateway_transaction_id}.",
        "Payment received",
        "Your payment of {amount} for {dossier} was received at {settled_at}. "
        "Transaction: {gateway_transaction_id}.",
    ),
    PaymentFailed: Template(
        "payment-failed",
        "payer_id",
        "Thanh toán không thành công",
        "Thanh toán cho {dossier} không thành công: {reason}. "
        "Bạn có thể thanh toán lại.",
        "Payment failed",
        "Your payment for {dossier} did not go through: {reason}. You can pay again.",
    ),
    PaymentExpired: Template(
        "payment-expired",
        "payer_id",
        "Yêu cầu thanh toán đã hết hạn",
        "Yêu cầu thanh toán cho {dossier} đã hết hạn.",
        "Payment request expired",
        "The payment request for {dossier} has expired.",
    ),
    PaymentRefunded: Template(
        "payment-refunded",
        "payer_id",
        "Đã hoàn tiền {amount}",
        "Đã hoàn trả {amount} cho {dossier}. Lý do: {reason}",
        "Refund of {amount}",
        "We have refunded {amount} for {dossier}. Reason: {reason}",
    ),
}


def template_for(event: EventData) -> Template:
    return TEMPLATES[type(event)]
