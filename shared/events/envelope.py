"""The CloudEvents 1.0 envelope every message on the portal's topics travels in.

Structured JSON mode: the whole event, attributes and `data`, is the Kafka value, with
content type `application/cloudevents+json`. Extensions carry the aggregate version
(`sequence`), `correlationid`, `causationid` and the W3C `traceparent`.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

CONTENT_TYPE = "application/cloudevents+json"
SPEC_VERSION = "1.0"
ID_LENGTH = 100


def utcnow() -> datetime:
    return datetime.now(UTC)


class Envelope(BaseModel):
    """One event as it is stored and published. `data` is already a plain dict here;
    the registry turns it into the event's own model."""

    model_config = ConfigDict(extra="allow", frozen=True)

    # Any string in CloudEvents; here visible ASCII that fits the stores' columns.
    id: str = Field(
        default_factory=lambda: str(uuid.uuid4()),
        min_length=1,
        max_length=ID_LENGTH,
        pattern=r"^[\x21-\x7e]+$",
    )
    source: str
    type: str
    specversion: str = SPEC_VERSION
    time: datetime = Field(default_factory=utcnow)
    subject: str
    dataschema: str
    datacontenttype: str = "application/json"
    data: dict[str, Any]
    sequence: int
    correlationid: str
    causationid: str | None = None
    traceparent: str | None = None

    @field_validator("specversion")
    @classmethod
    def _only_1_0(cls, value: str) -> str:
        if value != SPEC_VERSION:
            raise ValueError(f"unsupported CloudEvents specversion {value!r}")
        return value

    @field_validator("time")
    @classmethod
    def _in_utc(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("time must carry a UTC offset (RFC 3339)")
        return value.astimezone(UTC)

    def to_json(self) -> str:
        return self.model_dump_json(exclude_none=True)

    @classmethod
    def from_json(cls, raw: bytes | str) -> Envelope:
        return cls.model_validate_json(raw)
