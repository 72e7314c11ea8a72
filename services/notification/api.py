"""The recipient's inbox: their messages, newest first, and marking one read."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from services.notification import application, readmodel
from shared.http.app import Caller, Ctx

router = APIRouter(prefix="/inbox", tags=["inbox"])


@router.get("")
def my_inbox(
    ctx: Ctx,
    caller: Caller,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    size: Annotated[int, Query(ge=1, le=100)] = 20,
    only_unread: bool = False,
) -> dict[str, Any]:
    with ctx.db.transaction() as session:
        return readmodel.page_of(session, caller.subject_id, page, size, only_unread)


@router.post("/{message_id}/read")
def mark_read(
    ctx: Ctx, caller: Caller, message_id: Annotated[str, Path(max_length=64)]
) -> dict[str, Any]:
    return application.mark_read(ctx.db, caller.subject_id, message_id)
