"""Feedback API: submit, list one's own, read one (its author or the agency's
officers)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from services.feedback import application, readmodel
from services.feedback.domain import (
    BODY_MAX,
    PROCEDURE_CODE_MAX,
    TITLE_MAX,
    Submission,
    visible_to,
)
from shared.errors import NotFound
from shared.events.feedback import FeedbackTopic
from shared.http.app import Caller, Ctx
from shared.http.fields import Text

router = APIRouter(prefix="/feedback", tags=["feedback"])


class FeedbackBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    about: FeedbackTopic
    procedure_code: Text | None = Field(default=None, max_length=PROCEDURE_CODE_MAX)
    title: Text = Field(min_length=1, max_length=TITLE_MAX)
    body: Text = Field(min_length=1, max_length=BODY_MAX)


@router.post("", status_code=201)
def submit(ctx: Ctx, caller: Caller, body: FeedbackBody) -> dict[str, Any]:
    submission = Submission.validate(**body.model_dump())
    return application.submit(
        ctx.db, caller.subject_id, submission, ctx.extras["default_agency"]
    )


@router.get("")
def my_feedback(
    ctx: Ctx,
    caller: Caller,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    size: Annotated[int, Query(ge=1, le=100)] = 20,
) -> dict[str, Any]:
    with ctx.db.transaction() as session:
        return readmodel.by_author(session, caller.subject_id, page, size)


@router.get("/{feedback_id}")
def one_feedback(
    ctx: Ctx, caller: Caller, feedback_id: Annotated[str, Path(max_length=64)]
) -> dict[str, Any]:
    with ctx.db.transaction() as session:
        shown = readmodel.one(session, feedback_id)
    if not visible_to(caller, shown["author_id"], shown["agency_code"]):
        # Answered like a missing one, so ids of others' feedback reveal nothing.
        raise NotFound(f"Không có góp ý {feedback_id} / no feedback {feedback_id}")
    return shown
