"""Service settings: from the environment under a service's prefix, or given in code."""

from __future__ import annotations

import pytest
from pydantic_settings import SettingsConfigDict

from shared.settings import VAR_DIR, ServiceSettings


class DemoSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="DEMO_", extra="ignore", frozen=True)

    service_name: str = "demo"
    port: int = 8077


def test_a_service_reads_its_own_prefix_and_the_portal_wide_names(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DEMO_PORT", "9123")
    monkeypatch.setenv("DEMO_GROUP_ID", "demo-test")
    monkeypatch.setenv("DEMO_CONSUMER_COMMIT_SECONDS", "0.5")
    monkeypatch.setenv("KAFKA_BOOTSTRAP", "127.0.0.1:19092")
    monkeypatch.setenv("PORTAL_TRACE_FILE", "/tmp/spans.jsonl")
    monkeypatch.setenv("CATALOG_PORT", "1")  # another service's: not ours
    settings = DemoSettings()
    assert (settings.port, settings.group_id, settings.consumer_commit_seconds) == (
        9123,
        "demo-test",
        0.5,
    )
    assert settings.kafka_bootstrap == "127.0.0.1:19092"
    assert settings.trace_file == "/tmp/spans.jsonl"


def test_defaults_name_the_store_and_the_group_after_the_service(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("DEMO_DATABASE_URL", "DEMO_GROUP_ID"):
        monkeypatch.delenv(name, raising=False)
    settings = DemoSettings()
    assert settings.resolved_database_url() == f"sqlite:///{VAR_DIR / 'demo.db'}"
    assert settings.resolved_group_id() == "portal-demo"
    given = DemoSettings(database_url="sqlite:///x.db", group_id="g")
    assert (given.resolved_database_url(), given.resolved_group_id()) == (
        "sqlite:///x.db",
        "g",
    )


def test_settings_are_frozen() -> None:
    settings = DemoSettings()
    with pytest.raises(ValueError):
        settings.port = 1  # type: ignore[misc]


def test_every_field_can_be_given_by_name_in_code(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Fields read from portal-wide variables (validation aliases) are given by
    their field names in code too, not silently dropped."""
    for name in ("PORTAL_TRACE_FILE", "PORTAL_JWKS", "PORTAL_LOG_LEVEL"):
        monkeypatch.delenv(name, raising=False)
    settings = DemoSettings(
        trace_file="/tmp/spans.jsonl",
        jwks="/tmp/jwks.json",
        token_issuer="issuer-x",
        token_audience="audience-x",
        log_level="DEBUG",
        topic_partitions=6,
    )
    assert (
        settings.trace_file,
        settings.jwks,
        settings.token_issuer,
        settings.token_audience,
        settings.log_level,
        settings.topic_partitions,
    ) == ("/tmp/spans.jsonl", "/tmp/jwks.json", "issuer-x", "audience-x", "DEBUG", 6)
