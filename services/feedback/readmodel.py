"""Two read models, each rebuilt on its own: the catalogue as this service needs it for
routing (from `catalog.events`), and the feedback as authors and agencies read it
(updated with each command, rebuilt from `feedback.events`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    func,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from services.feedback.domain import ProcedureRef, status_labels
from shared.errors import NotFound
from shared.events.catalog import (
    ProcedurePublished,
    ProcedureRevised,
    ProcedureState,
    ProcedureWithdrawn,
)
from shared.events.envelope import Envelope
from shared.events.feedback import FeedbackSubmitted
from shared.events.registry import EventData
from shared.messaging.consumer import Handler

catalogue_model = MetaData()

procedures = Table(
    "procedures",
    catalogue_model,
    Column("code", String(40), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("name_vi", Text, nullable=False),
    Column("name_en", Text, nullable=False),
    Column("agency_code", String(60), nullable=False),
    Column("in_force", Boolean, nullable=False),
)

feedback_model = MetaData()

feedback = Table(
    "feedback",
    feedback_model,
    Column("id", String(36), primary_key=True),
    Column("author_id", String(200), nullable=False),
    Column("about", String(20), nullable=False),
    Column("procedure_code", String(40)),
    Column("agency_code", String(60), nullable=False),
    Column("title", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("status", String(20), nullable=False),
    Column("submitted_at", DateTime(timezone=True), nullable=False),
    Index("ix_feedback_author", "author_id", "submitted_at"),
    Index("ix_feedback_agency", "agency_code", "submitted_at"),
)


def _insert(session: Session) -> Any:
    return (
        pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    )


def _upsert_procedure(
    session: Session, state: ProcedureState, _envelope: Envelope
) -> None:
    row = {
        "code": state.code,
        "version": state.version,
        "name_vi": state.name_vi,
        "name_en": state.name_en,
        "agency_code": state.agency_code,
        "in_force": True,
    }
    statement = _insert(session)(procedures).values(row)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[procedures.c.code],
            set_={k: statement.excluded[k] for k in row if k != "code"},
            where=procedures.c.version < statement.excluded.version,
        )
    )


def _withdraw_procedure(
    session: Session, event: ProcedureWithdrawn, _envelope: Envelope
) -> None:
    # Kept, not deleted: feedback on a withdrawn procedure still reaches its agency.
    session.execute(
        update(procedures)
        .where(procedures.c.code == event.code, procedures.c.version <= event.version)
        .values(in_force=False, version=event.version)
    )


CATALOGUE_HANDLERS: dict[type[EventData], Handler] = {
    ProcedurePublished: _upsert_procedure,
    ProcedureRevised: _upsert_procedure,
    ProcedureWithdrawn: _withdraw_procedure,
}


def procedure(session: Session, code: str) -> ProcedureRef | None:
    row = session.execute(
        select(
            procedures.c.code,
            procedures.c.name_vi,
            procedures.c.agency_code,
            procedures.c.in_force,
        ).where(procedures.c.code == code)
    ).first()
    return ProcedureRef(*row) if row else None


def _insert_feedback(
    session: Session, event: FeedbackSubmitted, _envelope: Envelope
) -> None:
    row = {
        "id": event.feedback_id,
        "author_id": event.author_id,
        "about": event.about,
        "procedure_code": event.procedure_code,
        "agency_code": event.agency_code,
        "title": event.title,
        "body": event.body,
        "status": "received",
        "submitted_at": event.submitted_at.astimezone(UTC),
    }
    session.execute(_insert(session)(feedback).values(row).on_conflict_do_nothing())


FEEDBACK_HANDLERS: dict[type[EventData], Handler] = {
    FeedbackSubmitted: _insert_feedback
}


def one(session: Session, feedback_id: str) -> dict[str, Any]:
    row = (
        session.execute(select(feedback).where(feedback.c.id == feedback_id))
        .mappings()
        .first()
    )
    if row is None:
        raise NotFound(f"Không có góp ý {feedback_id} / no feedback {feedback_id}")
    return _shown(row)


def by_author(session: Session, author_id: str, page: int, size: int) -> dict[str, Any]:
    mine = select(feedback).where(feedback.c.author_id == author_id)
    rows = session.execute(
        mine.order_by(feedback.c.submitted_at.desc(), feedback.c.id.desc())
        .offset((page - 1) * size)
        .limit(size)
    ).mappings()
    items = [_shown(r) for r in rows]
    total = session.scalar(select(func.count()).select_from(mine.subquery()))
    return {"items": items, "page": page, "size": size, "total": total}


def _shown(row: Any) -> dict[str, Any]:
    shown = dict(row)
    shown.update(status_labels(shown["status"]))
    submitted_at: datetime = shown["submitted_at"]
    if submitted_at.tzinfo is None:
        # SQLite hands back the stored UTC wall-clock time without its offset.
        shown["submitted_at"] = submitted_at.replace(tzinfo=UTC)
    return shown
