"""Events the dossier service publishes on `dossier.events`.

Applicants appear by their opaque subject id only, never by personal id number.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import Field

from shared.events import topics
from shared.events.registry import EventData, published

ApplicantKind = Literal["citizen", "business"]


# v2 added processing_days (default 0 when read from v1): the dossier is bound to the
# terms of the catalogue version in force at submission, deadline included.
@published(topics.DOSSIER, version=2)
class DossierSubmitted(EventData):
    dossier_id: str
    dossier_code: str
    procedure_code: str
    procedure_version: int
    procedure_name_vi: str
    agency_code: str
    applicant_id: str
    applicant_kind: ApplicantKind
    fee: int = Field(ge=0)
    form: dict[str, Any] = Field(default_factory=dict)
    documents: tuple[str, ...] = ()
    submitted_at: datetime
    processing_days: int = Field(ge=0, default=0, description="working days")


@published(topics.DOSSIER)
class DossierFeePaid(EventData):
    dossier_id: str
    applicant_id: str
    payment_order_id: str
    amount: int = Field(ge=0)
    paid_at: datetime


@published(topics.DOSSIER)
class DossierAccepted(EventData):
    dossier_id: str
    applicant_id: str
    accepted_by: str
    due_date: date


@published(topics.DOSSIER)
class SupplementRequested(EventData):
    dossier_id: str
    applicant_id: str
    requested_by: str
    reason: str
    documents: tuple[str, ...] = ()


@published(topics.DOSSIER)
class DossierSupplemented(EventData):
    dossier_id: str
    applicant_id: str
    documents: tuple[str, ...] = ()


@published(topics.DOSSIER)
class DossierApproved(EventData):
    dossier_id: str
    applicant_id: str
    approved_by: str


@published(topics.DOSSIER)
class DossierRejected(EventData):
    dossier_id: str
    applicant_id: str
    rejected_by: str
    reason: str
    fee_paid: int = Field(ge=0, default=0)


@published(topics.DOSSIER)
class ResultIssued(EventData):
    dossier_id: str
    applicant_id: str
    procedure_code: str
    agency_code: str
    result_reference: str
    issued_at: datetime


@published(topics.DOSSIER)
class DossierWithdrawn(EventData):
    dossier_id: str
    applicant_id: str
    reason: str = ""
