"""The dossier service's own copy of the catalogue, built from `catalog.events`: what
a dossier is checked against and bound to when it is submitted."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from services.dossier.domain import ProcedureTerms
from shared.events.catalog import (
    ProcedurePublished,
    ProcedureRevised,
    ProcedureState,
    ProcedureWithdrawn,
    RequiredDocument,
)
from shared.events.envelope import Envelope
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
    Column("fee", Integer, nullable=False),
    Column("processing_days", Integer, nullable=False),
    Column("required_documents", JSON, nullable=False),
    Column("effective_from", Date, nullable=False),
    Column("in_force", Boolean, nullable=False),
)


def _upsert(session: Session, state: ProcedureState, _envelope: Envelope) -> None:
    row = {
        "code": state.code,
        "version": state.version,
        "name_vi": state.name_vi,
        "name_en": state.name_en,
        "agency_code": state.agency_code,
        "fee": state.fee,
        "processing_days": state.processing_days,
        "required_documents": [d.model_dump() for d in state.required_documents],
        "effective_from": state.effective_from,
        "in_force": True,
    }
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(procedures).values(row)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[procedures.c.code],
            set_={k: statement.excluded[k] for k in row if k != "code"},
            # An older version arriving late never overwrites a newer one.
            where=procedures.c.version < statement.excluded.version,
        )
    )


def _withdraw(session: Session, event: ProcedureWithdrawn, _envelope: Envelope) -> None:
    session.execute(
        update(procedures)
        .where(procedures.c.code == event.code, procedures.c.version <= event.version)
        .values(in_force=False)
    )


CATALOGUE_HANDLERS: dict[type[EventData], Handler] = {
    ProcedurePublished: _upsert,
    ProcedureRevised: _upsert,
    ProcedureWithdrawn: _withdraw,
}


def terms_of(session: Session, code: str) -> ProcedureTerms | None:
    row = session.execute(select(procedures).where(procedures.c.code == code)).first()
    if row is None:
        return None
    return ProcedureTerms(
        code=row.code,
        version=row.version,
        name_vi=row.name_vi,
        agency_code=row.agency_code,
        fee=row.fee,
        processing_days=row.processing_days,
        required_documents=tuple(
            RequiredDocument.model_validate(d) for d in row.required_documents
        ),
        in_force=row.in_force,
    )
