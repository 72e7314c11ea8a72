"""Typed settings shared by every service. Each service subclasses `ServiceSettings`
with its own environment prefix (`CATALOG_`, `DOSSIER_`, ...) and default port."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = REPO_ROOT / "var"


class MisconfiguredService(RuntimeError):
    """A setting the service cannot run without is missing or wrong: it refuses to
    start rather than run unsafely."""


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(
        extra="ignore", frozen=True, populate_by_name=True
    )

    service_name: str = "service"
    host: str = "127.0.0.1"
    port: int = 8000
    database_url: str = ""
    kafka_bootstrap: str = Field(
        default="127.0.0.1:9092", validation_alias="KAFKA_BOOTSTRAP"
    )
    topic_partitions: int = Field(default=3, validation_alias="KAFKA_TOPIC_PARTITIONS")
    # Consumer group and faust app id; tests give each run its own.
    group_id: str = ""
    # JWKS to verify bearer tokens against: a file path or an http(s) URL.
    jwks: str = Field(
        default=str(VAR_DIR / "dev-keys" / "jwks.json"), validation_alias="PORTAL_JWKS"
    )
    token_issuer: str = Field(
        default="portal-dev-issuer", validation_alias="PORTAL_TOKEN_ISSUER"
    )
    token_audience: str = Field(
        default="portal", validation_alias="PORTAL_TOKEN_AUDIENCE"
    )
    log_level: str = Field(default="INFO", validation_alias="PORTAL_LOG_LEVEL")
    # Spans are written as JSON lines to this file when set (tests and local runs).
    trace_file: str = Field(default="", validation_alias="PORTAL_TRACE_FILE")
    relay_batch_size: int = 500
    relay_idle_seconds: float = 0.05
    consumer_batch_size: int = 200
    consumer_batch_seconds: float = 0.05
    # How often the worker commits consumer offsets. Redelivery after a crash is safe
    # (the inbox skips duplicates), so this trades replay on restart for broker load.
    consumer_commit_seconds: float = 2.0
    # A restarted worker waits this long for the old member's partitions.
    consumer_session_timeout_seconds: float = 10.0
    # Ready only while the consumer group is at most this far behind its topics.
    ready_max_lag: int = 1000

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        VAR_DIR.mkdir(exist_ok=True)
        return f"sqlite:///{VAR_DIR / (self.service_name + '.db')}"

    def resolved_group_id(self) -> str:
        return self.group_id or f"portal-{self.service_name}"
