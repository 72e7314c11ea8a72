"""The CloudEvents envelope accepts only what the contract allows."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from shared.events.envelope import Envelope

VIETNAM = timezone(timedelta(hours=7))


def attributes(**overrides: object) -> dict[str, object]:
    values: dict[str, object] = {
        "source": "/services/dossier",
        "type": "DossierWithdrawn",
        "subject": "dossier-D-1",
        "dataschema": "urn:portal:schema:DossierWithdrawn:v1",
        "data": {"dossier_id": "D-1", "applicant_id": "A-1"},
        "sequence": 1,
        "correlationid": "corr-1",
    }
    values.update(overrides)
    return values


def test_an_envelope_gets_a_fresh_uuid_the_1_0_specversion_and_a_utc_time() -> None:
    first, second = Envelope(**attributes()), Envelope(**attributes())  # type: ignore[arg-type]
    assert uuid.UUID(first.id) != uuid.UUID(second.id)
    assert first.specversion == "1.0"
    assert first.time.tzinfo == UTC
    assert first.datacontenttype == "application/json"


@pytest.mark.parametrize("version", ["0.3", "1.1", "1", ""])
def test_a_specversion_other_than_1_0_is_refused(version: str) -> None:
    with pytest.raises(ValidationError, match="specversion"):
        Envelope(**attributes(specversion=version))  # type: ignore[arg-type]


def test_a_time_without_an_offset_is_refused() -> None:
    with pytest.raises(ValidationError, match="UTC offset"):
        Envelope(**attributes(time=datetime(2025, 3, 1, 9, 30)))  # type: ignore[arg-type]


def test_a_time_with_an_offset_is_kept_as_the_same_instant_in_utc() -> None:
    hanoi = datetime(2025, 3, 1, 9, 30, tzinfo=VIETNAM)
    envelope = Envelope(**attributes(time=hanoi))  # type: ignore[arg-type]
    assert envelope.time == hanoi
    assert envelope.time.tzinfo == UTC
    assert envelope.time.hour == 2


def test_an_rfc_3339_time_in_json_is_read_as_utc() -> None:
    raw = json.dumps({**attributes(), "id": "e-1", "time": "2025-03-01T09:30:00+07:00"})
    assert Envelope.from_json(raw).time == datetime(2025, 3, 1, 2, 30, tzinfo=UTC)
    naive = json.dumps({**attributes(), "id": "e-1", "time": "2025-03-01T09:30:00"})
    with pytest.raises(ValidationError):
        Envelope.from_json(naive)


@pytest.mark.parametrize(
    "missing",
    ["source", "type", "subject", "dataschema", "data", "sequence", "correlationid"],
)
def test_an_envelope_without_a_required_attribute_is_refused(missing: str) -> None:
    values = attributes()
    del values[missing]
    with pytest.raises(ValidationError, match=missing):
        Envelope(**values)  # type: ignore[arg-type]


def test_the_json_form_round_trips_and_omits_absent_extensions() -> None:
    envelope = Envelope(**attributes(causationid=None, traceparent=None))  # type: ignore[arg-type]
    raw = envelope.to_json()
    assert Envelope.from_json(raw) == envelope
    assert Envelope.from_json(raw.encode()) == envelope
    body = json.loads(raw)
    assert "causationid" not in body and "traceparent" not in body
    assert body["specversion"] == "1.0"
    assert body["time"].endswith("Z")


def test_unknown_extension_attributes_are_carried_through() -> None:
    raw = json.dumps({**attributes(), "id": "e-1", "partitionkey": "D-1"})
    envelope = Envelope.from_json(raw)
    assert json.loads(envelope.to_json())["partitionkey"] == "D-1"


def test_an_envelope_is_immutable() -> None:
    envelope = Envelope(**attributes())  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        envelope.sequence = 2  # type: ignore[misc]


@pytest.mark.parametrize("raw", [b"", b"not json", b"[]", b'{"id": "only"}'])
def test_malformed_json_is_refused(raw: bytes) -> None:
    with pytest.raises(ValidationError):
        Envelope.from_json(raw)
