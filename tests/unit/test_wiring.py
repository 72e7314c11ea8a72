"""Meta-tests that keep the wiring honest: every event type is registered once with a
past-tense name on its publisher's topic, every history topic has a publisher, and every
consumer handles only registered types from topics that exist."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

from shared.events import registry
from shared.events.topics import HISTORY_TOPICS, SERVICES, history_topic

PAST_TENSE = re.compile(r"[A-Z][A-Za-z]+(ed|Paid|Sent|Read|Withdrawn|Issued)$")
CONSUMING_SERVICES = ("dossier", "payment", "feedback", "notification")


def test_every_event_type_has_a_past_tense_name_and_its_publishers_topic() -> None:
    specs = registry.specs()

    assert len({s.type for s in specs}) == len(specs)
    for spec in specs:
        assert PAST_TENSE.fullmatch(spec.type), spec.type
        assert spec.topic in HISTORY_TOPICS, spec.type
        assert spec.model.__module__ == f"shared.events.{spec.topic.split('.')[0]}"


def test_every_history_topic_has_at_least_one_event_type() -> None:
    assert {s.topic for s in registry.specs()} == set(HISTORY_TOPICS)


@pytest.mark.parametrize("service", CONSUMING_SERVICES)
def test_every_consumer_handles_registered_types_from_existing_topics(
    service: str, tmp_path: Path
) -> None:
    bootstrap = importlib.import_module(f"services.{service}.bootstrap")
    settings_module = importlib.import_module(f"services.{service}.settings")
    settings_class = next(
        value
        for name, value in vars(settings_module).items()
        if name.endswith("Settings") and name != "ServiceSettings"
    )
    settings = settings_class(
        database_url=f"sqlite:///{tmp_path / 'wiring.db'}",
        kafka_bootstrap="127.0.0.1:1",
    )
    context = bootstrap.build_context(settings)

    consumers = bootstrap.consumers(context.db, settings)

    assert consumers, f"{service} runs no consumer"
    known = {s.type for s in registry.specs()}
    for consumer in consumers:
        assert consumer.name.startswith(f"{service}-"), consumer.name
        assert set(consumer.topics) <= set(HISTORY_TOPICS), consumer.topics
        assert consumer.handlers, consumer.name
        assert set(consumer.handlers) <= known
        for event_type in consumer.handlers:
            assert registry.for_type(event_type).topic in consumer.topics


def test_every_service_runs_an_api_and_a_worker_under_make_run() -> None:
    procfile = (Path(__file__).parents[2] / "Procfile").read_text()
    for service in SERVICES:
        for role in ("api", "worker"):
            assert (
                f"{service}-{role}: .venv/bin/python -m services.{service} {role}"
                in procfile
            )
        assert history_topic(service) in HISTORY_TOPICS
