"""Read-model API of the catalogue: list with filters and paging, search, detail."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from sqlalchemy import func, select

from services.catalog.readmodel import fold, procedures
from shared.errors import NotFound
from shared.http.app import Ctx

router = APIRouter(prefix="/procedures", tags=["procedures"])

SUMMARY = [
    procedures.c.code,
    procedures.c.version,
    procedures.c.name_vi,
    procedures.c.name_en,
    procedures.c.audience,
    procedures.c.sector_vi,
    procedures.c.sector_en,
    procedures.c.agency_code,
    procedures.c.agency_vi,
    procedures.c.level,
    procedures.c.processing_days,
    procedures.c.fee,
]


@router.get("")
def list_procedures(
    ctx: Ctx,
    q: Annotated[
        str | None,
        Query(max_length=200, description="words, with or without diacritics"),
    ] = None,
    audience: Literal["citizen", "business"] | None = None,
    sector: Annotated[str | None, Query(max_length=100)] = None,
    agency: Annotated[str | None, Query(max_length=60)] = None,
    level: Annotated[int | None, Query(ge=1, le=4)] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    size: Annotated[int, Query(ge=1, le=100)] = 20,
) -> dict[str, Any]:
    query = select(*SUMMARY)
    if q:
        for word in fold(q).split():
            query = query.where(
                procedures.c.search_text.contains(word, autoescape=True)
            )
    if audience:
        query = query.where(procedures.c.audience == audience)
    if sector:
        query = query.where(func.lower(procedures.c.sector_en) == sector.lower())
    if agency:
        query = query.where(procedures.c.agency_code == agency)
    if level:
        query = query.where(procedures.c.level == level)
    with ctx.db.transaction() as session:
        total = session.scalar(select(func.count()).select_from(query.subquery()))
        rows = session.execute(
            query.order_by(procedures.c.code).offset((page - 1) * size).limit(size)
        ).mappings()
        items = [dict(r) for r in rows]
    return {"items": items, "page": page, "size": size, "total": total}


@router.get("/{code}")
def get_procedure(ctx: Ctx, code: str) -> dict[str, Any]:
    with ctx.db.transaction() as session:
        state = session.scalar(
            select(procedures.c.state).where(procedures.c.code == code)
        )
    if state is None:
        raise NotFound(f"no procedure {code} in the catalogue")
    return state  # type: ignore[no-any-return]
