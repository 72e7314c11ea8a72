"""Events the catalog publishes on `catalog.events`."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.events import topics
from shared.events.registry import EventData, published

Audience = Literal["citizen", "business"]


class RequiredDocument(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    code: str
    name_vi: str
    name_en: str
    mandatory: bool = True


class ProcedureState(EventData):
    """The whole state of one version of a procedure."""

    code: str
    version: int = Field(ge=1)
    name_vi: str
    name_en: str
    audience: Audience
    sector_vi: str
    sector_en: str
    agency_code: str
    agency_vi: str
    agency_en: str
    level: int = Field(ge=1, le=4)
    processing_days: int = Field(ge=0)
    fee: int = Field(ge=0, description="đồng")
    required_documents: tuple[RequiredDocument, ...] = ()
    legal_basis: tuple[str, ...] = ()
    offered_at: tuple[str, ...] = ()
    effective_from: date


@published(topics.CATALOG)
class ProcedurePublished(ProcedureState):
    pass


@published(topics.CATALOG)
class ProcedureRevised(ProcedureState):
    pass


@published(topics.CATALOG)
class ProcedureWithdrawn(EventData):
    code: str
    version: int
    reason: str
    effective_from: date
