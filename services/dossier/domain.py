"""Dossiers as aggregates: one stream per dossier, decided from its own history and
from the catalogue terms of its procedure. Pure: no I/O."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from unidecode import unidecode

from shared.errors import Conflict, Invalid
from shared.events.catalog import RequiredDocument
from shared.events.dossier import ApplicantKind, DossierFeePaid, DossierSubmitted
from shared.events.registry import EventData

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")

Status = Literal["awaiting_payment", "submitted"]

STATUS_LABELS: dict[str, str] = {
    "awaiting_payment": "Chờ thanh toán lệ phí / Awaiting payment",
    "submitted": "Đã nộp, chờ cơ quan tiếp nhận / Submitted, awaiting the agency",
}


def stream_id(dossier_id: str) -> str:
    return f"dossier-{dossier_id}"


def submission_day(moment: datetime) -> date:
    """The day a dossier is numbered under: the calendar day in Viet Nam."""
    return moment.astimezone(VIETNAM).date()


def code_prefix(agency_code: str) -> str:
    """The agency part of a national dossier code: upper case letters and digits."""
    folded = unidecode(agency_code).upper()
    return re.sub(r"[^A-Z0-9]+", "-", folded).strip("-") or "HS"


def national_code(prefix: str, day: date, sequence: int) -> str:
    """The readable national dossier code, e.g. ``BTP-250307-000042``: agency, day of
    submission (yyMMdd), sequence of that agency's dossiers on that day."""
    return f"{prefix}-{day:%y%m%d}-{sequence:06d}"


def status_on_submission(fee: int) -> Status:
    return "awaiting_payment" if fee > 0 else "submitted"


def status_after(event: EventData) -> Status | None:
    """The status an event leaves its dossier in; None if it leaves it unchanged."""
    if isinstance(event, DossierSubmitted):
        return status_on_submission(event.fee)
    if isinstance(event, DossierFeePaid):
        return "submitted"
    return None


class FeeAlreadyPaid(Conflict):
    """The dossier has recorded its fee: another settlement changes nothing."""


@dataclass(frozen=True)
class ProcedureTerms:
    """A procedure as the catalogue last described it to this service."""

    code: str
    version: int
    name_vi: str
    agency_code: str
    fee: int
    processing_days: int
    required_documents: tuple[RequiredDocument, ...] = ()
    in_force: bool = True

    def check_documents(self, provided: Sequence[str]) -> None:
        """Refuses unknown document codes and missing mandatory documents, naming
        each missing one in Vietnamese and English."""
        known = {document.code for document in self.required_documents}
        unknown = sorted(set(provided) - known)
        missing = [
            document
            for document in self.required_documents
            if document.mandatory and document.code not in provided
        ]
        if not unknown and not missing:
            return
        raise Invalid(
            _documents_detail(missing, unknown),
            missing_documents=[
                {"code": d.code, "name_vi": d.name_vi, "name_en": d.name_en}
                for d in missing
            ],
            unknown_documents=unknown,
        )


def _documents_detail(missing: Iterable[RequiredDocument], unknown: list[str]) -> str:
    parts = []
    named = "; ".join(f"{d.code} ({d.name_vi} / {d.name_en})" for d in missing)
    if named:
        parts.append(f"missing mandatory documents: {named}")
    if unknown:
        parts.append(f"documents this procedure does not ask for: {', '.join(unknown)}")
    return ". ".join(parts)


@dataclass(frozen=True)
class Applicant:
    """Who submits: the opaque subject id of their token, never a personal id."""

    subject_id: str
    kind: ApplicantKind


@dataclass
class Dossier:
    dossier_id: str
    version: int = 0
    status: Status | None = None
    applicant_id: str = ""
    fee: int = 0
    fee_paid: int = 0
    payment_order_id: str | None = None

    @classmethod
    def replay(cls, dossier_id: str, history: Iterable[EventData]) -> Dossier:
        dossier = cls(dossier_id)
        for event in history:
            dossier.apply(event)
        return dossier

    def apply(self, event: EventData) -> None:
        self.version += 1
        self.status = status_after(event) or self.status
        if isinstance(event, DossierSubmitted):
            self.applicant_id = event.applicant_id
            self.fee = event.fee
        elif isinstance(event, DossierFeePaid):
            self.fee_paid = event.amount
            self.payment_order_id = event.payment_order_id

    def submit(
        self,
        terms: ProcedureTerms,
        applicant: Applicant,
        form: dict[str, Any],
        documents: Sequence[str],
        code: str,
        now: datetime,
    ) -> list[EventData]:
        if self.version:
            raise Conflict(f"dossier {self.dossier_id} is already submitted")
        if not terms.in_force:
            raise Conflict(
                f"procedure {terms.code} has been withdrawn and takes no new dossiers",
                procedure_code=terms.code,
            )
        provided = tuple(dict.fromkeys(documents))
        terms.check_documents(provided)
        submitted = DossierSubmitted(
            dossier_id=self.dossier_id,
            dossier_code=code,
            procedure_code=terms.code,
            procedure_version=terms.version,
            procedure_name_vi=terms.name_vi,
            agency_code=terms.agency_code,
            applicant_id=applicant.subject_id,
            applicant_kind=applicant.kind,
            fee=terms.fee,
            form=form,
            documents=provided,
            submitted_at=now,
            processing_days=terms.processing_days,
        )
        return [submitted]

    def record_fee_paid(
        self, order_id: str, amount: int, paid_at: datetime
    ) -> list[EventData]:
        if self.fee_paid:
            raise FeeAlreadyPaid(
                f"dossier {self.dossier_id} recorded its fee already, "
                f"from order {self.payment_order_id}",
                recorded_order_id=self.payment_order_id,
                order_id=order_id,
            )
        if self.status != "awaiting_payment":
            raise Conflict(f"dossier {self.dossier_id} is not awaiting a payment")
        if amount != self.fee:
            raise Invalid(
                f"dossier {self.dossier_id}: {amount} đồng settled "
                f"for a fee of {self.fee} đồng"
            )
        paid = DossierFeePaid(
            dossier_id=self.dossier_id,
            applicant_id=self.applicant_id,
            payment_order_id=order_id,
            amount=amount,
            paid_at=paid_at,
        )
        return [paid]
