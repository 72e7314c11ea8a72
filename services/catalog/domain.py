"""Procedures as aggregates: one stream per procedure code, one version per change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from shared.errors import Conflict, Invalid
from shared.events.catalog import (
    ProcedurePublished,
    ProcedureRevised,
    ProcedureState,
    ProcedureWithdrawn,
)
from shared.events.registry import EventData


def stream_id(code: str) -> str:
    return f"procedure-{code}"


@dataclass
class Procedure:
    code: str
    version: int = 0
    state: ProcedureState | None = None
    withdrawn: bool = False

    @classmethod
    def replay(cls, code: str, history: list[EventData]) -> Procedure:
        procedure = cls(code)
        for event in history:
            procedure.apply(event)
        return procedure

    def apply(self, event: EventData) -> None:
        self.version += 1
        if isinstance(event, ProcedurePublished | ProcedureRevised):
            self.state = event
            self.withdrawn = False
        elif isinstance(event, ProcedureWithdrawn):
            self.withdrawn = True

    def publish(self, fields: dict[str, Any], effective_from: date) -> list[EventData]:
        if self.version:
            raise Conflict(f"procedure {self.code} is already published")
        return [_state(ProcedurePublished, self.code, 1, fields, effective_from)]

    def revise(self, fields: dict[str, Any], effective_from: date) -> list[EventData]:
        if self.state is None or self.withdrawn:
            raise Conflict(f"procedure {self.code} is not in force")
        revised = _state(
            ProcedureRevised, self.code, self.version + 1, fields, effective_from
        )
        if revised.model_dump(
            exclude={"version", "effective_from"}
        ) == self.state.model_dump(exclude={"version", "effective_from"}):
            return []
        return [revised]


def _state(
    event: type[ProcedureState],
    code: str,
    version: int,
    fields: dict[str, Any],
    effective_from: date,
) -> ProcedureState:
    try:
        return event.model_validate(
            {
                **fields,
                "code": code,
                "version": version,
                "effective_from": effective_from,
            }
        )
    except ValueError as error:
        raise Invalid(f"procedure {code}: {error}") from None
