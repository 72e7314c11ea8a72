"""The register of idempotency keys of submissions: which dossier each applicant's key
created, and from what request. Unique on (applicant, key), so two requests racing
with one key cannot both create a dossier. Not a read model: it is never dropped, so
a retry after a rebuild still finds the dossier its key created."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    insert,
    select,
)
from sqlalchemy.orm import Session

from shared.errors import Invalid
from shared.events.envelope import utcnow

MAX_KEY_LENGTH = 100
# Visible ASCII only: what a client generates (a UUID, a random token), never
# whitespace, control characters or text a header cannot carry as it is.
_VISIBLE_ASCII = re.compile(rf"[\x21-\x7e]{{1,{MAX_KEY_LENGTH}}}")

idempotency_model = MetaData()

submission_keys = Table(
    "dossier_submission_keys",
    idempotency_model,
    Column("dossier_id", String(36), primary_key=True),
    Column("applicant_id", String(200), nullable=False),
    Column("key", String(MAX_KEY_LENGTH), nullable=False),
    # sha256 of the canonical JSON of the request: a reused key must name the same one.
    Column("fingerprint", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("applicant_id", "key", name="uq_dossier_submission_keys_key"),
)


class IdempotencyKeyReused(Invalid):
    title = (
        "Khóa idempotency đã dùng cho yêu cầu khác / "
        "Idempotency key reused with a different request"
    )


@dataclass(frozen=True)
class IdempotencyKey:
    """An applicant's key for one request, with that request's fingerprint."""

    applicant_id: str
    key: str
    fingerprint: str


def checked_key(value: str) -> str:
    if not _VISIBLE_ASCII.fullmatch(value):
        raise Invalid(
            f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} visible ASCII characters"
        )
    return value


def fingerprint(request: dict[str, Any]) -> str:
    """sha256 of the request as canonical JSON: keys sorted, no spaces, ASCII only."""
    canonical = json.dumps(
        request, sort_keys=True, separators=(",", ":"), ensure_ascii=True
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def dossier_of(session: Session, key: IdempotencyKey) -> str | None:
    """The dossier the key created, if it created one; refuses a key that was given
    with another request."""
    row = session.execute(
        select(submission_keys.c.dossier_id, submission_keys.c.fingerprint).where(
            submission_keys.c.applicant_id == key.applicant_id,
            submission_keys.c.key == key.key,
        )
    ).first()
    if row is None:
        return None
    if row.fingerprint != key.fingerprint:
        raise IdempotencyKeyReused(
            "This Idempotency-Key was given before with a different request; "
            "use a new key for a new request.",
            dossier_id=row.dossier_id,
        )
    return str(row.dossier_id)


def register(session: Session, key: IdempotencyKey, dossier_id: str) -> None:
    """Registers the key in the caller's transaction. A concurrent request holding
    the same key makes this wait for it (PostgreSQL), then fail with an
    IntegrityError if it committed."""
    session.execute(
        insert(submission_keys).values(
            dossier_id=dossier_id,
            applicant_id=key.applicant_id,
            key=key.key,
            fingerprint=key.fingerprint,
            created_at=utcnow(),
        )
    )
