"""The dossier aggregate: submission against the catalogue's terms, paid fees and the
statuses they lead to."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import get_args

import pytest

from services.dossier.domain import (
    STATUS_LABELS,
    Applicant,
    Dossier,
    FeeAlreadyPaid,
    ProcedureTerms,
    Status,
    code_prefix,
    national_code,
    submission_day,
)
from shared.errors import Conflict, Invalid
from shared.events.catalog import RequiredDocument
from shared.events.dossier import DossierFeePaid, DossierSubmitted

NOW = datetime(2025, 3, 7, 2, 30, tzinfo=UTC)
CITIZEN = Applicant("subject-7f3a", "citizen")

FORM_DOC = RequiredDocument(
    code="TK-01",
    name_vi="Tờ khai đăng ký khai sinh",
    name_en="Birth registration form",
)
BIRTH_PAPER = RequiredDocument(
    code="GCS-01", name_vi="Giấy chứng sinh", name_en="Birth certificate from hospital"
)
MARRIAGE = RequiredDocument(
    code="KH-01",
    name_vi="Giấy chứng nhận kết hôn",
    name_en="Marriage certificate",
    mandatory=False,
)


def terms(fee: int = 50_000, in_force: bool = True) -> ProcedureTerms:
    return ProcedureTerms(
        code="1.001193",
        version=3,
        name_vi="Đăng ký khai sinh",
        agency_code="btp",
        fee=fee,
        processing_days=5,
        required_documents=(FORM_DOC, BIRTH_PAPER, MARRIAGE),
        in_force=in_force,
    )


def submitted(fee: int = 50_000) -> Dossier:
    dossier = Dossier("d-1")
    events = dossier.submit(
        terms(fee), CITIZEN, {"ho_ten": "Nguyễn Văn An"}, ["TK-01", "GCS-01"], "C", NOW
    )
    return Dossier.replay("d-1", events)


def test_submission_binds_the_dossier_to_the_procedure_version_and_fee() -> None:
    [event] = Dossier("d-1").submit(
        terms(), CITIZEN, {"ho_ten": "Nguyễn Văn An"}, ["TK-01", "GCS-01"], "BTP-1", NOW
    )

    assert isinstance(event, DossierSubmitted)
    assert event.dossier_id == "d-1"
    assert event.dossier_code == "BTP-1"
    assert (event.procedure_code, event.procedure_version) == ("1.001193", 3)
    assert event.procedure_name_vi == "Đăng ký khai sinh"
    assert (event.agency_code, event.fee, event.processing_days) == ("btp", 50_000, 5)
    assert (event.applicant_id, event.applicant_kind) == ("subject-7f3a", "citizen")
    assert event.documents == ("TK-01", "GCS-01")
    assert event.form == {"ho_ten": "Nguyễn Văn An"}
    assert event.submitted_at == NOW


def test_missing_mandatory_documents_are_named_in_vietnamese_and_english() -> None:
    with pytest.raises(Invalid) as refused:
        Dossier("d-1").submit(terms(), CITIZEN, {}, ["TK-01"], "C", NOW)

    assert refused.value.extensions["missing_documents"] == [
        {
            "code": "GCS-01",
            "name_vi": "Giấy chứng sinh",
            "name_en": "Birth certificate from hospital",
        }
    ]
    assert refused.value.extensions["unknown_documents"] == []
    assert "GCS-01 (Giấy chứng sinh / Birth certificate" in refused.value.detail


def test_optional_documents_may_be_left_out_and_duplicates_count_once() -> None:
    [event] = Dossier("d-1").submit(
        terms(), CITIZEN, {}, ["GCS-01", "TK-01", "GCS-01"], "C", NOW
    )

    assert isinstance(event, DossierSubmitted)
    assert event.documents == ("GCS-01", "TK-01")


def test_document_codes_the_procedure_does_not_ask_for_are_refused() -> None:
    with pytest.raises(Invalid) as refused:
        Dossier("d-1").submit(
            terms(), CITIZEN, {}, ["TK-01", "GCS-01", "CCCD", "ABC"], "C", NOW
        )

    assert refused.value.extensions["unknown_documents"] == ["ABC", "CCCD"]
    assert refused.value.extensions["missing_documents"] == []


def test_a_withdrawn_procedure_takes_no_dossier() -> None:
    with pytest.raises(Conflict, match="withdrawn"):
        Dossier("d-1").submit(
            terms(in_force=False), CITIZEN, {}, ["TK-01", "GCS-01"], "C", NOW
        )


def test_a_dossier_is_submitted_once() -> None:
    with pytest.raises(Conflict, match="already submitted"):
        submitted().submit(terms(), CITIZEN, {}, ["TK-01", "GCS-01"], "C", NOW)


def test_a_dossier_with_a_fee_awaits_payment_and_a_free_one_goes_to_the_agency() -> (
    None
):
    assert submitted(fee=50_000).status == "awaiting_payment"
    assert submitted(fee=0).status == "submitted"


def test_a_paid_fee_sends_the_dossier_to_the_agency() -> None:
    dossier = submitted(fee=50_000)
    paid_at = datetime(2025, 3, 7, 3, 0, tzinfo=UTC)

    [event] = dossier.record_fee_paid("order-9", 50_000, paid_at)
    dossier.apply(event)

    assert event == DossierFeePaid(
        dossier_id="d-1",
        applicant_id="subject-7f3a",
        payment_order_id="order-9",
        amount=50_000,
        paid_at=paid_at,
    )
    assert (dossier.status, dossier.fee_paid, dossier.version) == (
        "submitted",
        50_000,
        2,
    )


def test_a_fee_is_recorded_once_even_when_paid_twice() -> None:
    dossier = submitted(fee=50_000)
    dossier.apply(dossier.record_fee_paid("order-9", 50_000, NOW)[0])

    with pytest.raises(FeeAlreadyPaid) as refused:
        dossier.record_fee_paid("order-10", 50_000, NOW)

    assert refused.value.extensions == {
        "recorded_order_id": "order-9",
        "order_id": "order-10",
    }


def test_a_free_dossier_refuses_a_payment_but_not_as_a_duplicate() -> None:
    with pytest.raises(Conflict, match="not awaiting a payment") as refused:
        submitted(fee=0).record_fee_paid("order-9", 50_000, NOW)

    assert not isinstance(refused.value, FeeAlreadyPaid)


def test_a_settlement_of_another_amount_is_refused() -> None:
    with pytest.raises(Invalid, match="40000 đồng settled for a fee of 50000"):
        submitted(fee=50_000).record_fee_paid("order-9", 40_000, NOW)


def test_replaying_the_history_gives_back_the_same_dossier() -> None:
    dossier = Dossier("d-1")
    history = dossier.submit(terms(), CITIZEN, {}, ["TK-01", "GCS-01"], "C", NOW)
    for event in history:
        dossier.apply(event)
    paid = dossier.record_fee_paid("order-9", 50_000, NOW)
    dossier.apply(paid[0])

    assert Dossier.replay("d-1", [*history, *paid]) == dossier


def test_national_codes_read_agency_day_and_sequence() -> None:
    assert (
        national_code(code_prefix("btp"), date(2025, 3, 7), 42) == "BTP-250307-000042"
    )
    assert code_prefix("ubnd hà nội/tư pháp") == "UBND-HA-NOI-TU-PHAP"
    assert code_prefix("---") == "HS"


def test_the_submission_day_is_the_day_in_viet_nam() -> None:
    late_evening_utc = datetime(2025, 3, 6, 18, 30, tzinfo=UTC)  # 01:30 on the 7th

    assert submission_day(late_evening_utc) == date(2025, 3, 7)


def test_every_status_has_a_vietnamese_and_an_english_label() -> None:
    for status in get_args(Status):
        vi, en = STATUS_LABELS[status].split(" / ")
        assert vi.strip() and en.strip()
    assert set(STATUS_LABELS) == set(get_args(Status))
