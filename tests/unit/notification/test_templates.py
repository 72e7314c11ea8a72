"""Inbox templates: Vietnamese first, English beside, money and times as citizens
read them."""

from __future__ import annotations

import types
import typing
from datetime import UTC, date, datetime

import jinja2.meta
import pytest

from services.notification.templates import (
    TEMPLATES,
    DossierRef,
    environment,
    local_time,
    money,
    template_for,
)
from shared.events import topics
from shared.events.dossier import DossierAccepted, DossierSubmitted
from shared.events.payment import PaymentRefunded, PaymentRequested
from shared.events.registry import EventData, registry

SUBMITTED_AT = datetime(2025, 3, 5, 7, 30, tzinfo=UTC)  # 14:30 in Ha Noi


def submitted(fee: int = 135_000) -> DossierSubmitted:
    return DossierSubmitted(
        dossier_id="d-1",
        dossier_code="000.00.00.H29-250305-0001",
        procedure_code="1.001193",
        procedure_version=1,
        procedure_name_vi="Đăng ký khai sinh",
        agency_code="ubnd-xa",
        applicant_id="citizen-1",
        applicant_kind="citizen",
        fee=fee,
        submitted_at=SUBMITTED_AT,
    )


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        (0, "0 ₫"),
        (500, "500 ₫"),
        (135_000, "135.000 ₫"),
        (1_234_567, "1.234.567 ₫"),
    ],
)
def test_amounts_are_shown_in_dong_with_dots_between_thousands(
    amount: int, shown: str
) -> None:
    assert money(amount) == shown


def test_times_are_shown_in_ho_chi_minh_city_time_even_across_midnight() -> None:
    late_evening_utc = datetime(2025, 3, 5, 20, 15, tzinfo=UTC)
    assert local_time(late_evening_utc, "vi") == "03:15 ngày 06/03/2025"
    assert local_time(late_evening_utc, "en") == "03:15 on 06/03/2025 (Viet Nam time)"


def test_a_submitted_dossier_renders_its_code_fee_and_time_in_vietnamese() -> None:
    message = template_for(submitted()).render(submitted(), None)

    assert message.recipient_id == "citizen-1"
    assert message.template == "dossier-submitted.v1"
    assert message.title_vi == "Đã nộp hồ sơ 000.00.00.H29-250305-0001"
    assert message.body_vi == (
        "Hồ sơ 000.00.00.H29-250305-0001 – Đăng ký khai sinh đã được nộp lúc "
        "14:30 ngày 05/03/2025. Lệ phí: 135.000 ₫."
    )
    assert message.title_en == "Dossier 000.00.00.H29-250305-0001 submitted"
    assert "135.000 ₫" in message.body_en
    assert "14:30 on 05/03/2025" in message.body_en


def test_a_payment_request_shows_the_amount_and_the_deadline() -> None:
    event = PaymentRequested(
        order_id="o-1",
        dossier_id="d-1",
        payer_id="citizen-1",
        amount=1_500_000,
        description_vi="Lệ phí cấp giấy phép lái xe",
        gateway="vnpay",
        expires_at=datetime(2025, 3, 6, 16, 59, tzinfo=UTC),
    )
    message = template_for(event).render(event, None)

    assert message.recipient_id == "citizen-1"
    assert message.title_vi == "Yêu cầu thanh toán 1.500.000 ₫"
    assert message.body_vi == (
        "Vui lòng thanh toán 1.500.000 ₫ cho Lệ phí cấp giấy phép lái xe "
        "trước 23:59 ngày 06/03/2025."
    )


def test_later_notices_name_the_dossier_when_its_submission_was_seen() -> None:
    event = DossierAccepted(
        dossier_id="d-1",
        applicant_id="citizen-1",
        accepted_by="officer-9",
        due_date=date(2025, 3, 12),
    )
    known = DossierRef("000.00.00.H29-250305-0001", "Đăng ký khai sinh")

    named = template_for(event).render(event, known)
    unnamed = template_for(event).render(event, None)

    assert named.body_vi == (
        "Cơ quan giải quyết đã tiếp nhận hồ sơ 000.00.00.H29-250305-0001 "
        "(Đăng ký khai sinh). Ngày hẹn trả kết quả: 12/03/2025."
    )
    assert named.body_en == (
        "The agency has accepted dossier 000.00.00.H29-250305-0001 "
        "(Đăng ký khai sinh). The result is due by 12/03/2025."
    )
    assert unnamed.body_vi.startswith("Cơ quan giải quyết đã tiếp nhận hồ sơ của bạn.")


def test_a_refund_goes_to_the_payer_with_its_amount_and_reason() -> None:
    event = PaymentRefunded(
        order_id="o-1",
        dossier_id="d-1",
        payer_id="business-7",
        amount=50_000,
        reason="Hồ sơ bị từ chối",
    )
    message = template_for(event).render(event, None)

    assert message.recipient_id == "business-7"
    assert message.title_vi == "Đã hoàn tiền 50.000 ₫"
    assert message.body_vi == (
        "Đã hoàn trả 50.000 ₫ cho hồ sơ của bạn. Lý do: Hồ sơ bị từ chối"
    )


def test_every_dossier_and_payment_event_has_a_template() -> None:
    published = {
        spec.model
        for spec in registry.specs()
        if spec.topic in (topics.DOSSIER, topics.PAYMENT)
    }
    assert set(TEMPLATES) == published


def _sample(model: type[EventData]) -> EventData:
    """An instance of any event model, with a recognisable value in every field."""
    values: dict[str, object] = {}
    for name, field in model.model_fields.items():
        kind = field.annotation
        if typing.get_origin(kind) is typing.Literal:
            values[name] = typing.get_args(kind)[0]
        elif kind is int:
            values[name] = 135_000
        elif kind is str:
            values[name] = f"<{name}>"
        elif kind is datetime:
            values[name] = SUBMITTED_AT
        elif kind is date:
            values[name] = date(2025, 3, 12)
        elif typing.get_origin(kind) in (tuple, dict, types.UnionType):
            continue  # optional, with a default
    return model.model_validate(values)


@pytest.mark.parametrize("model", sorted(TEMPLATES, key=lambda m: m.__name__))
def test_every_template_renders_in_both_languages_from_its_own_fields(
    model: type[EventData],
) -> None:
    template = TEMPLATES[model]
    event = _sample(model)
    message = template.render(event, DossierRef("CODE-1", "Thủ tục mẫu"))

    placeholders = {
        name
        for text in (
            template.title_vi,
            template.body_vi,
            template.title_en,
            template.body_en,
        )
        for name in jinja2.meta.find_undeclared_variables(environment().parse(text))
    }
    assert placeholders, "a template that names no field of its event"
    assert placeholders <= {*model.model_fields, "dossier"}
    assert message.recipient_id == getattr(event, template.recipient_field)
    assert message.title_vi and message.body_vi and message.title_en
    assert message.title_vi != message.title_en
    assert "{" not in message.body_vi + message.body_en
    if "dossier" in placeholders:
        assert "CODE-1" in message.body_vi + message.title_vi
