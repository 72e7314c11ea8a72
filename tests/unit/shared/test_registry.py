"""Meta-tests over the published contracts: every event type has a model, a history
topic of its own service, one name, and reads payloads from a newer version."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

import shared.events  # noqa: F401 - importing the package registers every type
from shared.events import topics
from shared.events.registry import (
    EventData,
    EventRegistry,
    EventSpec,
    UnknownEventType,
    published,
    registry,
)

# The first set named in the design brief; services may add more.
DESIGNED = {
    topics.CATALOG: {"ProcedurePublished", "ProcedureRevised", "ProcedureWithdrawn"},
    topics.DOSSIER: {
        "DossierSubmitted",
        "DossierAccepted",
        "SupplementRequested",
        "DossierSupplemented",
        "DossierApproved",
        "DossierRejected",
        "ResultIssued",
        "DossierWithdrawn",
        "DossierFeePaid",
    },
    topics.PAYMENT: {
        "PaymentRequested",
        "PaymentSettled",
        "PaymentFailed",
        "PaymentExpired",
        "PaymentRefunded",
    },
    topics.FEEDBACK: {
        "FeedbackSubmitted",
        "FeedbackAssigned",
        "FeedbackAnswered",
        "FeedbackClosed",
        "ServiceRated",
    },
    topics.NOTIFICATION: {"NotificationSent", "NotificationFailed"},
}

NOW = datetime(2025, 3, 1, 2, 30).isoformat() + "Z"

# A valid payload of the current version for a few types, nested models included.
SAMPLES: dict[str, dict[str, Any]] = {
    "ProcedurePublished": {
        "code": "1.001",
        "version": 1,
        "name_vi": "Đăng ký khai sinh",
        "name_en": "Birth registration",
        "audience": "citizen",
        "sector_vi": "Hộ tịch",
        "sector_en": "Civil status",
        "agency_code": "UBND-XA",
        "agency_vi": "Ủy ban nhân dân cấp xã",
        "agency_en": "Commune People's Committee",
        "level": 4,
        "processing_days": 1,
        "fee": 0,
        "required_documents": [{"code": "TK", "name_vi": "Tờ khai", "name_en": "Form"}],
        "effective_from": "2025-01-01",
    },
    "DossierSubmitted": {
        "dossier_id": "D-1",
        "dossier_code": "000.00.00.H00-250301-0001",
        "procedure_code": "1.001",
        "procedure_version": 1,
        "procedure_name_vi": "Đăng ký khai sinh",
        "agency_code": "UBND-XA",
        "applicant_id": "A-1",
        "applicant_kind": "citizen",
        "fee": 50_000,
        "submitted_at": NOW,
    },
    "PaymentSettled": {
        "order_id": "O-1",
        "dossier_id": "D-1",
        "payer_id": "A-1",
        "amount": 50_000,
        "gateway": "vnpay",
        "gateway_transaction_id": "T-1",
        "settled_at": NOW,
    },
    "ServiceRated": {
        "rating_id": "R-1",
        "dossier_id": "D-1",
        "procedure_code": "1.001",
        "agency_code": "UBND-XA",
        "rater_id": "A-1",
        "score": 5,
    },
    "NotificationSent": {
        "notification_id": "N-1",
        "recipient_id": "A-1",
        "channel": "sms",
        "template": "dossier-accepted",
        "cause_event_id": "E-1",
    },
}


def test_every_designed_event_type_is_registered_on_its_topic() -> None:
    for topic, names in DESIGNED.items():
        registered = {s.type for s in registry.specs() if s.topic == topic}
        assert names <= registered, (topic, names - registered)


@pytest.mark.parametrize("spec", registry.specs(), ids=lambda s: s.type)
def test_every_registered_type_has_a_model_and_a_history_topic_of_its_own_service(
    spec: EventSpec,
) -> None:
    assert issubclass(spec.model, EventData)
    assert spec.type == spec.model.__name__
    assert registry.for_type(spec.type) is spec
    assert registry.for_model(spec.model) is spec
    assert spec.topic in topics.HISTORY_TOPICS
    service = spec.topic.removesuffix(".events")
    assert spec.model.__module__ == f"shared.events.{service}"
    assert spec.version >= 1
    assert spec.dataschema == f"urn:portal:schema:{spec.type}:v{spec.version}"


def test_event_type_names_and_models_are_unique() -> None:
    specs = registry.specs()
    assert len({s.type for s in specs}) == len(specs)
    assert len({s.model for s in specs}) == len(specs)
    assert len({s.type.lower() for s in specs}) == len(specs)


def test_a_second_registration_of_a_type_is_refused() -> None:
    events = EventRegistry()

    class Happened(EventData):
        pass

    events.add(EventSpec("Happened", Happened, 1, topics.DOSSIER))
    with pytest.raises(ValueError, match="registered twice"):
        events.add(EventSpec("Happened", Happened, 2, topics.DOSSIER))


def test_the_published_decorator_refuses_a_name_already_taken() -> None:
    with pytest.raises(ValueError, match="DossierSubmitted registered twice"):

        @published(topics.DOSSIER)
        class DossierSubmitted(EventData):
            pass


def test_an_unknown_type_is_reported_as_such() -> None:
    with pytest.raises(UnknownEventType):
        registry.parse("DossierTeleported", {})
    with pytest.raises(UnknownEventType):
        registry.for_model(type("Loose", (EventData,), {}))


@pytest.mark.parametrize("event_type", sorted(SAMPLES))
def test_a_payload_of_a_newer_version_with_extra_fields_still_parses(
    event_type: str,
) -> None:
    current = registry.parse(event_type, SAMPLES[event_type])
    newer = {**SAMPLES[event_type], "added_in_v2": {"anything": [1, 2]}}
    if "required_documents" in newer:
        newer["required_documents"] = [
            {**d, "added_in_v2": True} for d in newer["required_documents"]
        ]
    assert registry.parse(event_type, newer) == current


@pytest.mark.parametrize("spec", registry.specs(), ids=lambda s: s.type)
def test_every_payload_model_and_its_nested_models_ignore_unknown_fields(
    spec: EventSpec,
) -> None:
    for model in _models_within(spec.model):
        assert model.model_config.get("extra") == "ignore", model
        assert model.model_config.get("frozen") is True, model


def test_a_payload_that_breaks_its_model_is_refused() -> None:
    with pytest.raises(ValidationError):
        registry.parse("ServiceRated", {**SAMPLES["ServiceRated"], "score": 6})
    with pytest.raises(ValidationError):
        registry.parse("PaymentSettled", {**SAMPLES["PaymentSettled"], "amount": 0})


def test_dates_and_times_of_a_payload_are_typed() -> None:
    published_ = registry.parse("ProcedurePublished", SAMPLES["ProcedurePublished"])
    assert published_.effective_from == date(2025, 1, 1)  # type: ignore[attr-defined]
    submitted = registry.parse("DossierSubmitted", SAMPLES["DossierSubmitted"])
    assert submitted.submitted_at.utcoffset().total_seconds() == 0  # type: ignore[attr-defined]


def _models_within(model: type[BaseModel]) -> set[type[BaseModel]]:
    found = {model}
    for field in model.model_fields.values():
        for candidate in _types_in(field.annotation):
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                found |= _models_within(candidate)
    return found


def _types_in(annotation: Any) -> list[Any]:
    args = getattr(annotation, "__args__", None)
    if not args:
        return [annotation]
    return [t for arg in args for t in _types_in(arg)]
