"""Which event types exist, the pydantic model of each one's `data`, and its version.

Every published event type is registered once, by the module of contracts that defines
it. Publishing validates `data` against the model; receiving validates it again, so a
consumer never acts on a payload its model refuses.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict

SCHEMA_PREFIX = "urn:portal:schema"


class EventData(BaseModel):
    """Base of every event payload. Unknown fields are ignored, so a consumer built
    for version N reads version N+1 (versions only grow compatibly)."""

    model_config = ConfigDict(extra="ignore", frozen=True)


@dataclass(frozen=True)
class EventSpec:
    type: str
    model: builtins.type[EventData]
    version: int
    topic: str

    @property
    def dataschema(self) -> str:
        return f"{SCHEMA_PREFIX}:{self.type}:v{self.version}"


class UnknownEventType(LookupError):
    pass


class EventRegistry:
    def __init__(self) -> None:
        self._by_type: dict[str, EventSpec] = {}
        self._by_model: dict[type[EventData], EventSpec] = {}

    def add(self, spec: EventSpec) -> None:
        if spec.type in self._by_type:
            raise ValueError(f"event type {spec.type} registered twice")
        self._by_type[spec.type] = spec
        self._by_model[spec.model] = spec

    def for_type(self, event_type: str) -> EventSpec:
        try:
            return self._by_type[event_type]
        except KeyError:
            raise UnknownEventType(event_type) from None

    def for_model(self, model: type[EventData]) -> EventSpec:
        try:
            return self._by_model[model]
        except KeyError:
            raise UnknownEventType(model.__name__) from None

    def specs(self) -> list[EventSpec]:
        return list(self._by_type.values())

    def parse(self, event_type: str, data: dict[str, Any]) -> EventData:
        return self.for_type(event_type).model.model_validate(data)


registry = EventRegistry()

M = TypeVar("M", bound=type[EventData])


def published(topic: str, version: int = 1) -> Callable[[M], M]:
    """Registers a payload model as a published event type named after the class."""

    def register(model: M) -> M:
        registry.add(EventSpec(model.__name__, model, version, topic))
        return model

    return register
