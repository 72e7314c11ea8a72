"""Dossier API: submit a dossier, list one's dossiers, read one with its history.

A dossier is visible to its applicant and to the officers of its agency; to anyone
else it does not exist (404), so its existence does not leak."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator
from sqlalchemy import ColumnElement, false, func, select
from sqlalchemy.engine import RowMapping

from services.dossier import application
from services.dossier.domain import STATUS_LABELS, VIETNAM, Applicant, Status
from services.dossier.idempotency import checked_key
from services.dossier.readmodel import dossiers, history
from shared.auth import Principal
from shared.errors import Forbidden, NotFound
from shared.http.app import Caller, Ctx
from shared.http.fields import Text

router = APIRouter(prefix="/dossiers", tags=["dossiers"])

MAX_FORM_BYTES = 64 * 1024
# Consumers parse events with a bounded nesting depth (pydantic's JSON parser stops
# near 200 levels, the envelope taking three): a deeper form would make an event
# nobody can read, and a dossier never asked to pay. No real form nests this deep.
MAX_FORM_DEPTH = 32

DocumentCode = Annotated[Text, StringConstraints(min_length=1, max_length=60)]


class SubmitDossier(BaseModel):
    model_config = ConfigDict(extra="forbid")

    procedure_code: Text = Field(min_length=1, max_length=40)
    form: dict[str, Any] = Field(default_factory=dict)
    documents: list[DocumentCode] = Field(default_factory=list, max_length=100)

    @field_validator("form")
    @classmethod
    def _bounded(cls, form: dict[str, Any]) -> dict[str, Any]:
        if _depth(form) > MAX_FORM_DEPTH:
            raise ValueError(f"the form is nested deeper than {MAX_FORM_DEPTH} levels")
        try:
            # JSON has no NaN nor infinity; the stored event would carry null.
            text = json.dumps(form, ensure_ascii=False, allow_nan=False)
        except ValueError:
            raise ValueError("the form holds a number JSON cannot carry") from None
        try:
            size = len(text.encode())
        except UnicodeEncodeError:
            raise ValueError("the form holds half a character") from None
        if size > MAX_FORM_BYTES:
            raise ValueError(f"the form is larger than {MAX_FORM_BYTES} bytes")
        return form


def _depth(value: Any) -> int:
    """How deep objects and arrays nest in a value, without recursing."""
    deepest, pending = 0, [(value, 1)]
    while pending:
        item, level = pending.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            deepest = max(deepest, level)
            pending.extend((child, level + 1) for child in item)
    return deepest


def _applicant(caller: Principal) -> Applicant:
    if caller.kind == "officer":
        raise Forbidden("dossiers are submitted by citizens and businesses")
    return Applicant(caller.subject_id, caller.kind)


def _visible_to(caller: Principal) -> ColumnElement[bool]:
    if caller.kind == "officer":
        if not caller.agency_code:
            return false()
        return dossiers.c.agency_code == caller.agency_code
    return dossiers.c.applicant_id == caller.subject_id


def _shown(moment: datetime) -> str:
    """UTC from the store (SQLite drops the offset), shown in Viet Nam time."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(VIETNAM).isoformat()


def _dossier_view(row: RowMapping) -> dict[str, Any]:
    return {
        "id": row["id"],
        "code": row["code"],
        "procedure_code": row["procedure_code"],
        "procedure_version": row["procedure_version"],
        "procedure_name_vi": row["procedure_name_vi"],
        "agency_code": row["agency_code"],
        "applicant_id": row["applicant_id"],
        "applicant_kind": row["applicant_kind"],
        "status": row["status"],
        "status_label": STATUS_LABELS.get(row["status"], row["status"]),
        "fee": row["fee"],
        "fee_paid": row["fee_paid"],
        "version": row["version"],
        "submitted_at": _shown(row["submitted_at"]),
        "updated_at": _shown(row["updated_at"]),
    }


def _history_view(row: RowMapping) -> dict[str, Any]:
    return {
        "sequence": row["sequence"],
        "type": row["type"],
        "time": _shown(row["time"]),
        "summary": f"{row['summary_vi']} / {row['summary_en']}",
    }


def _detail(ctx: Ctx, caller: Principal, dossier_id: str) -> dict[str, Any]:
    with ctx.db.transaction() as session:
        row = (
            session.execute(
                select(dossiers).where(dossiers.c.id == dossier_id, _visible_to(caller))
            )
            .mappings()
            .first()
        )
        if row is None:
            raise NotFound(f"no dossier {dossier_id}")
        steps = session.execute(
            select(history)
            .where(history.c.dossier_id == dossier_id)
            .order_by(history.c.sequence)
        ).mappings()
        return {**_dossier_view(row), "history": [_history_view(s) for s in steps]}


@router.post("", status_code=201)
def submit_dossier(
    ctx: Ctx,
    caller: Caller,
    body: SubmitDossier,
    response: Response,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> dict[str, Any]:
    """Submits a dossier. With an `Idempotency-Key` the applicant sent before with
    the same body, submits nothing and answers 200 with that dossier."""
    applicant = _applicant(caller)
    if idempotency_key is not None:
        checked_key(idempotency_key)
    submission = application.submit(
        ctx.db,
        applicant,
        body.procedure_code,
        body.form,
        body.documents,
        idempotency_key,
    )
    if submission.replayed:
        response.status_code = 200
        response.headers["Idempotent-Replayed"] = "true"
    response.headers["Location"] = f"/dossiers/{submission.dossier_id}"
    return _detail(ctx, caller, submission.dossier_id)


@router.get("")
def list_dossiers(
    ctx: Ctx,
    caller: Caller,
    status: Status | None = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    size: Annotated[int, Query(ge=1, le=100)] = 20,
) -> dict[str, Any]:
    """The caller's own dossiers, newest first; for an officer, their agency's."""
    query = select(dossiers).where(_visible_to(caller))
    if status:
        query = query.where(dossiers.c.status == status)
    with ctx.db.transaction() as session:
        total = session.scalar(select(func.count()).select_from(query.subquery()))
        rows = session.execute(
            query.order_by(dossiers.c.submitted_at.desc(), dossiers.c.code.desc())
            .offset((page - 1) * size)
            .limit(size)
        ).mappings()
        items = [_dossier_view(r) for r in rows]
    return {"items": items, "page": page, "size": size, "total": total}


@router.get("/{dossier_id}")
def get_dossier(ctx: Ctx, caller: Caller, dossier_id: str) -> dict[str, Any]:
    return _detail(ctx, caller, dossier_id)
