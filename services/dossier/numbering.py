"""The register of national dossier codes: one row per code ever given, unique on the
code and on (agency, day, sequence). Not a read model: it is never dropped, so a
rebuild cannot hand out a code twice."""

from __future__ import annotations

import logging
from datetime import date

from sqlalchemy import (
    Column,
    Date,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    func,
    insert,
    select,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.dossier.domain import code_prefix, national_code
from shared.errors import Conflict

log = logging.getLogger(__name__)

ATTEMPTS = 5

numbering_model = MetaData()

dossier_codes = Table(
    "dossier_codes",
    numbering_model,
    Column("code", String(80), primary_key=True),
    Column("dossier_id", String(36), nullable=False, unique=True),
    Column("prefix", String(60), nullable=False),
    Column("day", Date, nullable=False),
    Column("sequence", Integer, nullable=False),
    UniqueConstraint("prefix", "day", "sequence", name="uq_dossier_codes_sequence"),
)


def allocate_code(
    session: Session, dossier_id: str, agency_code: str, day: date
) -> str:
    """The next code of the agency's day, registered in the caller's transaction.

    A concurrent submission may take the same sequence first (PostgreSQL); its row
    then makes ours fail, and the next attempt reads past it."""
    prefix = code_prefix(agency_code)
    for _ in range(ATTEMPTS):
        sequence = _last_sequence(session, prefix, day) + 1
        code = national_code(prefix, day, sequence)
        try:
            with session.begin_nested():
                session.execute(
                    insert(dossier_codes).values(
                        code=code,
                        dossier_id=dossier_id,
                        prefix=prefix,
                        day=day,
                        sequence=sequence,
                    )
                )
            return code
        except IntegrityError:
            log.info("dossier code taken concurrently", extra={"dossier_code": code})
    raise Conflict(f"no free dossier code for {prefix} after {ATTEMPTS} attempts")


def _last_sequence(session: Session, prefix: str, day: date) -> int:
    last = session.scalar(
        select(func.max(dossier_codes.c.sequence)).where(
            dossier_codes.c.prefix == prefix, dossier_codes.c.day == day
        )
    )
    return last or 0
