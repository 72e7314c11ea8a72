"""The in-app inbox as frontends read it, and the dossiers this service has seen
submitted (so later notices can name a dossier by its national code). Both are built
from `dossier.events` and `payment.events` and can be rebuilt from them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Index,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from services.notification.templates import DossierRef, Message

read_model = MetaData()

inbox_messages = Table(
    "inbox_messages",
    read_model,
    Column("id", String(36), primary_key=True),
    Column("recipient_id", String(200), nullable=False),
    Column("title_vi", Text, nullable=False),
    Column("body_vi", Text, nullable=False),
    Column("title_en", Text, nullable=False),
    Column("body_en", Text, nullable=False),
    Column("dossier_id", String(200)),
    Column("cause_type", String(100), nullable=False),
    Column("cause_event_id", String(36), nullable=False),
    Column("template", String(100), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("read_at", DateTime(timezone=True)),
    # One inbox message per cause, whatever the consumer's inbox remembers.
    UniqueConstraint("cause_event_id", name="uq_inbox_messages_cause"),
    Index("ix_inbox_messages_recipient", "recipient_id", "created_at"),
)

known_dossiers = Table(
    "known_dossiers",
    read_model,
    Column("dossier_id", String(200), primary_key=True),
    Column("dossier_code", String(100), nullable=False),
    Column("procedure_name_vi", Text, nullable=False),
)

MESSAGE = [
    inbox_messages.c.id,
    inbox_messages.c.title_vi,
    inbox_messages.c.body_vi,
    inbox_messages.c.title_en,
    inbox_messages.c.body_en,
    inbox_messages.c.dossier_id,
    inbox_messages.c.cause_type,
    inbox_messages.c.created_at,
    inbox_messages.c.read_at,
]


def _insert(session: Session) -> Any:
    return (
        pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    )


def remember_dossier(
    session: Session, dossier_id: str, code: str, procedure_name_vi: str
) -> None:
    row = {
        "dossier_id": dossier_id,
        "dossier_code": code,
        "procedure_name_vi": procedure_name_vi,
    }
    statement = _insert(session)(known_dossiers).values(row)
    session.execute(statement.on_conflict_do_nothing())


def dossier_ref(session: Session, dossier_id: str | None) -> DossierRef | None:
    if dossier_id is None:
        return None
    row = session.execute(
        select(known_dossiers.c.dossier_code, known_dossiers.c.procedure_name_vi).where(
            known_dossiers.c.dossier_id == dossier_id
        )
    ).first()
    return DossierRef(*row) if row else None


def put_message(
    session: Session,
    message_id: str,
    message: Message,
    *,
    dossier_id: str | None,
    cause_type: str,
    cause_event_id: str,
    created_at: datetime,
    read_at: datetime | None,
) -> None:
    row = {
        "id": message_id,
        "recipient_id": message.recipient_id,
        "title_vi": message.title_vi,
        "body_vi": message.body_vi,
        "title_en": message.title_en,
        "body_en": message.body_en,
        "dossier_id": dossier_id,
        "cause_type": cause_type,
        "cause_event_id": cause_event_id,
        "template": message.template,
        "created_at": created_at,
        "read_at": read_at,
    }
    statement = _insert(session)(inbox_messages).values(row)
    session.execute(statement.on_conflict_do_nothing())


def mark_read(session: Session, message_id: str, read_at: datetime) -> None:
    session.execute(
        update(inbox_messages)
        .where(inbox_messages.c.id == message_id, inbox_messages.c.read_at.is_(None))
        .values(read_at=read_at)
    )


def message(session: Session, message_id: str) -> dict[str, Any] | None:
    row = (
        session.execute(select(*MESSAGE).where(inbox_messages.c.id == message_id))
        .mappings()
        .first()
    )
    return _shown(row) if row else None


def page_of(
    session: Session, recipient_id: str, page: int, size: int, only_unread: bool
) -> dict[str, Any]:
    mine = inbox_messages.c.recipient_id == recipient_id
    unread = inbox_messages.c.read_at.is_(None)
    listed = select(*MESSAGE).where(mine)
    if only_unread:
        listed = listed.where(unread)
    rows = session.execute(
        listed.order_by(inbox_messages.c.created_at.desc(), inbox_messages.c.id.desc())
        .offset((page - 1) * size)
        .limit(size)
    ).mappings()
    items = [_shown(r) for r in rows]
    total = session.scalar(select(func.count()).select_from(listed.subquery()))
    unread_count = session.scalar(
        select(func.count()).select_from(inbox_messages).where(mine, unread)
    )
    return {
        "items": items,
        "page": page,
        "size": size,
        "total": total,
        "unread": unread_count,
    }


def _shown(row: Any) -> dict[str, Any]:
    shown = dict(row)
    shown["created_at"] = _utc(shown["created_at"])
    shown["read_at"] = _utc(shown["read_at"])
    shown["read"] = shown["read_at"] is not None
    return shown


def _utc(moment: datetime | None) -> datetime | None:
    # SQLite hands back the stored UTC wall-clock time without its offset.
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)
