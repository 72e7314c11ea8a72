"""The catalogue as the portal's frontends read it: one row per procedure in force,
with a diacritic-free search text so "dang ky khai sinh" finds "Đăng ký khai sinh"."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    Date,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from unidecode import unidecode

from shared.events.catalog import (
    ProcedurePublished,
    ProcedureRevised,
    ProcedureState,
    ProcedureWithdrawn,
)
from shared.events.envelope import Envelope
from shared.events.registry import EventData
from shared.messaging.consumer import Handler

read_model = MetaData()

procedures = Table(
    "procedures",
    read_model,
    Column("code", String(40), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("name_vi", Text, nullable=False),
    Column("name_en", Text, nullable=False),
    Column("audience", String(20), nullable=False, index=True),
    Column("sector_vi", Text, nullable=False),
    Column("sector_en", Text, nullable=False, index=True),
    Column("agency_code", String(60), nullable=False, index=True),
    Column("agency_vi", Text, nullable=False),
    Column("agency_en", Text, nullable=False),
    Column("level", Integer, nullable=False, index=True),
    Column("processing_days", Integer, nullable=False),
    Column("fee", Integer, nullable=False),
    Column("effective_from", Date, nullable=False),
    Column("search_text", Text, nullable=False),
    Column("state", JSON, nullable=False),
)


def fold(text: str) -> str:
    """Lower case without diacritics: what a search typed on any keyboard matches."""
    return unidecode(text).lower()


def _upsert(session: Session, state: ProcedureState, _envelope: Envelope) -> None:
    row = {
        "code": state.code,
        "version": state.version,
        "name_vi": state.name_vi,
        "name_en": state.name_en,
        "audience": state.audience,
        "sector_vi": state.sector_vi,
        "sector_en": state.sector_en,
        "agency_code": state.agency_code,
        "agency_vi": state.agency_vi,
        "agency_en": state.agency_en,
        "level": state.level,
        "processing_days": state.processing_days,
        "fee": state.fee,
        "effective_from": state.effective_from,
        "search_text": fold(
            " ".join(
                (
                    state.code,
                    state.name_vi,
                    state.name_en,
                    state.sector_vi,
                    state.agency_vi,
                )
            )
        ),
        "state": state.model_dump(mode="json"),
    }
    insert = (
        pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    )
    statement = insert(procedures).values(row)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[procedures.c.code],
            set_={k: statement.excluded[k] for k in row if k != "code"},
            where=procedures.c.version < statement.excluded.version,
        )
    )


def _withdraw(session: Session, event: ProcedureWithdrawn, _envelope: Envelope) -> None:
    session.execute(delete(procedures).where(procedures.c.code == event.code))


HANDLERS: dict[type[EventData], Handler] = {
    ProcedurePublished: _upsert,
    ProcedureRevised: _upsert,
    ProcedureWithdrawn: _withdraw,
}
