"""Dossiers as applicants and agencies read them: one row per dossier with its current
status, and its history in words, Vietnamese first and English second."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    insert,
    update,
)
from sqlalchemy.orm import Session

from services.dossier.domain import status_after
from shared.events.dossier import DossierFeePaid, DossierSubmitted
from shared.events.envelope import Envelope
from shared.events.registry import EventData
from shared.messaging.consumer import Handler

read_model = MetaData()

dossiers = Table(
    "dossiers",
    read_model,
    Column("id", String(36), primary_key=True),
    Column("code", String(80), nullable=False, unique=True),
    Column("procedure_code", String(40), nullable=False),
    Column("procedure_version", Integer, nullable=False),
    Column("procedure_name_vi", Text, nullable=False),
    Column("agency_code", String(60), nullable=False),
    Column("applicant_id", String(200), nullable=False),
    Column("applicant_kind", String(20), nullable=False),
    Column("status", String(40), nullable=False),
    Column("fee", Integer, nullable=False),
    Column("fee_paid", Integer, nullable=False),
    # The stream version this row reflects.
    Column("version", Integer, nullable=False),
    Column("submitted_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_dossiers_applicant_newest", "applicant_id", "submitted_at"),
    Index("ix_dossiers_agency_newest", "agency_code", "submitted_at"),
)

history = Table(
    "dossier_history",
    read_model,
    Column("dossier_id", String(36), primary_key=True),
    Column("sequence", Integer, primary_key=True),
    Column("type", String(100), nullable=False),
    Column("time", DateTime(timezone=True), nullable=False),
    Column("summary_vi", Text, nullable=False),
    Column("summary_en", Text, nullable=False),
)


def dong_vi(amount: int) -> str:
    return f"{amount:,} đồng".replace(",", ".")


def dong_en(amount: int) -> str:
    return f"{amount:,} VND"


def _record(session: Session, envelope: Envelope, vi: str, en: str) -> None:
    session.execute(
        insert(history).values(
            dossier_id=envelope.data["dossier_id"],
            sequence=envelope.sequence,
            type=envelope.type,
            time=envelope.time,
            summary_vi=vi,
            summary_en=en,
        )
    )


def _submitted(session: Session, event: DossierSubmitted, envelope: Envelope) -> None:
    session.execute(
        insert(dossiers).values(
            id=event.dossier_id,
            code=event.dossier_code,
            procedure_code=event.procedure_code,
            procedure_version=event.procedure_version,
            procedure_name_vi=event.procedure_name_vi,
            agency_code=event.agency_code,
            applicant_id=event.applicant_id,
            applicant_kind=event.applicant_kind,
            status=status_after(event),
            fee=event.fee,
            fee_paid=0,
            version=envelope.sequence,
            submitted_at=event.submitted_at,
            updated_at=envelope.time,
        )
    )
    vi = f"Đã nộp hồ sơ {event.dossier_code}: {event.procedure_name_vi}"
    en = f"Dossier {event.dossier_code} submitted for procedure {event.procedure_code}"
    if event.fee:
        vi += f"; lệ phí {dong_vi(event.fee)}"
        en += f"; fee {dong_en(event.fee)}"
    _record(session, envelope, vi, en)


def _fee_paid(session: Session, event: DossierFeePaid, envelope: Envelope) -> None:
    session.execute(
        update(dossiers)
        .where(
            dossiers.c.id == event.dossier_id, dossiers.c.version < envelope.sequence
        )
        .values(
            status=status_after(event),
            fee_paid=event.amount,
            version=envelope.sequence,
            updated_at=envelope.time,
        )
    )
    _record(
        session,
        envelope,
        f"Đã thanh toán lệ phí {dong_vi(event.amount)} (lệnh {event.payment_order_id})",
        f"Fee of {dong_en(event.amount)} paid (order {event.payment_order_id})",
    )


HANDLERS: dict[type[EventData], Handler] = {
    DossierSubmitted: _submitted,
    DossierFeePaid: _fee_paid,
}
