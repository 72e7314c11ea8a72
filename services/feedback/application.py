"""Feedback commands: route through the catalogue projection, decide, append, project,
commit."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from services.feedback import readmodel
from services.feedback.domain import Feedback, Submission, route, stream_id
from shared.events.envelope import utcnow
from shared.store import Causation, Database, EventStore

log = logging.getLogger(__name__)

store = EventStore("feedback")


def submit(
    db: Database, author_id: str, submission: Submission, default_agency: str
) -> dict[str, Any]:
    with db.transaction() as session:
        procedure = (
            readmodel.procedure(session, submission.procedure_code)
            if submission.procedure_code
            else None
        )
        agency_code = route(submission, procedure, default_agency)
        feedback = Feedback(str(uuid.uuid4()))
        events = feedback.submit(author_id, submission, agency_code, utcnow())

        envelopes = store.append(
            session,
            stream_id(feedback.id),
            feedback.version,
            events,
            Causation.current(),
        )
        # Projected in the same transaction: the author reads it back at once.
        for event, envelope in zip(events, envelopes, strict=True):
            readmodel.FEEDBACK_HANDLERS[type(event)](session, event, envelope)
        shown = readmodel.one(session, feedback.id)
    log.info(
        "feedback submitted",
        extra={"feedback_id": feedback.id, "agency_code": agency_code},
    )
    return shown
