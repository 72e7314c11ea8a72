"""Dossier commands and reactions: load the dossier's stream, decide, append, project,
all in the caller's one transaction."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.dossier.catalogue import terms_of
from services.dossier.domain import (
    Applicant,
    Dossier,
    FeeAlreadyPaid,
    stream_id,
    submission_day,
)
from services.dossier.idempotency import (
    IdempotencyKey,
    dossier_of,
    fingerprint,
    register,
)
from services.dossier.numbering import allocate_code
from services.dossier.readmodel import HANDLERS
from shared.errors import NotFound
from shared.events.dossier import DossierSubmitted
from shared.events.envelope import Envelope, utcnow
from shared.events.payment import PaymentSettled
from shared.events.registry import EventData, registry
from shared.store import Causation, ConcurrencyConflict, Database, EventStore

log = logging.getLogger(__name__)

store = EventStore("dossier")

CONFLICT_ATTEMPTS = 3


def _load(session: Session, dossier_id: str) -> Dossier:
    history = store.load(session, stream_id(dossier_id))
    return Dossier.replay(dossier_id, [registry.parse(e.type, e.data) for e in history])


def _append_and_project(
    session: Session, dossier: Dossier, events: list[EventData], causation: Causation
) -> list[Envelope]:
    envelopes = store.append(
        session, stream_id(dossier.dossier_id), dossier.version, events, causation
    )
    # The read model moves in the same transaction: a dossier reads as it was
    # decided as soon as the command (or the reaction) commits.
    for event, envelope in zip(events, envelopes, strict=True):
        HANDLERS[type(event)](session, event, envelope)
    return envelopes


@dataclass(frozen=True)
class Submission:
    dossier_id: str
    # True when an earlier request with the same idempotency key created the dossier.
    replayed: bool = False


def submit(
    db: Database,
    applicant: Applicant,
    procedure_code: str,
    form: dict[str, Any],
    documents: Sequence[str],
    idempotency_key: str | None = None,
) -> Submission:
    """Submits a dossier for a procedure in force. Given a key the applicant used
    before for the same request, submits nothing and answers with that dossier."""
    if idempotency_key is None:
        with db.transaction() as session:
            submitted = _submit(session, applicant, procedure_code, form, documents)
        return _logged(submitted)

    request = {
        "procedure_code": procedure_code,
        "form": form,
        "documents": list(documents),
    }
    key = IdempotencyKey(applicant.subject_id, idempotency_key, fingerprint(request))
    try:
        with db.transaction() as session:
            earlier = dossier_of(session, key)
            if earlier is not None:
                return _replayed(earlier)
            submitted = _submit(
                session, applicant, procedure_code, form, documents, key
            )
        return _logged(submitted)
    except IntegrityError:
        # A concurrent request with the same key committed first; ours is rolled
        # back, and the winner's dossier is the answer to both.
        with db.transaction() as session:
            earlier = dossier_of(session, key)
        if earlier is None:
            raise
        return _replayed(earlier)


def _logged(submitted: DossierSubmitted) -> Submission:
    log.info(
        "dossier submitted",
        extra={
            "dossier_id": submitted.dossier_id,
            "dossier_code": submitted.dossier_code,
            "procedure_code": submitted.procedure_code,
        },
    )
    return Submission(submitted.dossier_id)


def _replayed(dossier_id: str) -> Submission:
    log.info("submission replayed for its key", extra={"dossier_id": dossier_id})
    return Submission(dossier_id, replayed=True)


def _submit(
    session: Session,
    applicant: Applicant,
    procedure_code: str,
    form: dict[str, Any],
    documents: Sequence[str],
    key: IdempotencyKey | None = None,
) -> DossierSubmitted:
    terms = terms_of(session, procedure_code)
    if terms is None:
        raise NotFound(
            f"no procedure {procedure_code} in the catalogue",
            procedure_code=procedure_code,
        )
    dossier = Dossier(str(uuid.uuid4()))
    if key is not None:
        # First, so a racer with the same key waits here before taking a code.
        register(session, key, dossier.dossier_id)
    now = utcnow()
    code = allocate_code(
        session, dossier.dossier_id, terms.agency_code, submission_day(now)
    )
    events = dossier.submit(terms, applicant, form, documents, code, now)
    _append_and_project(session, dossier, events, Causation.current())
    [submitted] = events
    assert isinstance(submitted, DossierSubmitted)
    return submitted


def on_payment_settled(
    session: Session, event: PaymentSettled, envelope: Envelope
) -> None:
    """Records the dossier's fee as paid. A settlement for a dossier that has its fee
    already changes nothing; one for a dossier this service never held is poison."""
    for attempt in range(1, CONFLICT_ATTEMPTS + 1):
        try:
            _record_fee_paid(session, event, envelope)
            return
        except ConcurrencyConflict:
            if attempt == CONFLICT_ATTEMPTS:
                raise
            log.info(
                "dossier changed meanwhile; deciding again",
                extra={"dossier_id": event.dossier_id, "attempt": attempt},
            )


def _record_fee_paid(
    session: Session, event: PaymentSettled, envelope: Envelope
) -> None:
    dossier = _load(session, event.dossier_id)
    if dossier.version == 0:
        raise NotFound(
            f"PaymentSettled {envelope.id} (order {event.order_id}) names dossier "
            f"{event.dossier_id}, which this service does not hold"
        )
    try:
        events = dossier.record_fee_paid(event.order_id, event.amount, event.settled_at)
    except FeeAlreadyPaid as already:
        log.warning(
            "settlement ignored: the dossier's fee is recorded already",
            extra={"dossier_id": event.dossier_id, **already.extensions},
        )
        return
    _append_and_project(session, dossier, events, Causation.following(envelope))
    log.info(
        "dossier fee paid",
        extra={
            "dossier_id": event.dossier_id,
            "order_id": event.order_id,
            "amount": event.amount,
        },
    )
