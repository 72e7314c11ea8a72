"""The five services started as ten separate processes (an API and a worker each),
talking only through the session's real Kafka broker, with their own SQLite stores."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from demo.journey import Suite
from shared.devissuer import ensure_keys
from shared.events.topics import SERVICES
from tests.support.processes import PythonProcess, free_ports, wait_for_http


class RunningSuite:
    def __init__(
        self, suite: Suite, processes: list[PythonProcess], key_dir: Path
    ) -> None:
        self.urls = suite
        self.processes = processes
        self.key_dir = key_dir

    def logs(self) -> str:
        return "\n".join(
            f"--- {p.module} {p.args}\n{p.log_tail(15)}" for p in self.processes
        )


@pytest.fixture(scope="module")
def running_suite(
    kafka_bootstrap: str,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch_module: pytest.MonkeyPatch,
) -> Iterator[RunningSuite]:
    root = tmp_path_factory.mktemp("suite")
    key_dir = root / "keys"
    _private, jwks = ensure_keys(key_dir)
    prefix = f"journey-{uuid.uuid4().hex[:8]}."
    # The test process's own Kafka clients (the event tap) see the same topics.
    monkeypatch_module.setenv("KAFKA_TOPIC_PREFIX", prefix)
    ports = dict(zip(SERVICES, free_ports(len(SERVICES)), strict=True))
    env = {
        "KAFKA_BOOTSTRAP": kafka_bootstrap,
        "KAFKA_TOPIC_PREFIX": prefix,
        "KAFKA_TOPIC_PARTITIONS": "2",
        "PORTAL_JWKS": str(jwks),
        "PORTAL_TRACE_FILE": "",
        "PAYMENT_GATEWAY_SECRET": uuid.uuid4().hex,
        "PAYMENT_PUBLIC_URL": f"http://127.0.0.1:{ports['payment']}",
    }
    for service, port in ports.items():
        env[f"{service.upper()}_PORT"] = str(port)
        env[f"{service.upper()}_DATABASE_URL"] = f"sqlite:///{root / service}.db"
        env[f"{service.upper()}_GROUP_ID"] = f"{prefix}{service}"

    processes = [
        PythonProcess(
            f"services.{service}",
            role,
            env=env,
            log_path=root / f"{service}-{role}.log",
        ).start()
        for service in SERVICES
        for role in ("worker", "api")
    ]
    suite = Suite(
        **{s: f"http://127.0.0.1:{p}" for s, p in ports.items()}, kafka=kafka_bootstrap
    )
    running = RunningSuite(suite, processes, key_dir)
    try:
        for service in SERVICES:
            wait_for_http(
                f"{getattr(suite, service)}/health",
                timeout=90,
                what=f"{service} to be ready",
                on_timeout=running.logs,
            )
        yield running
    finally:
        for process in processes:
            process.stop()


@pytest.fixture(scope="module")
def monkeypatch_module() -> Iterator[pytest.MonkeyPatch]:
    with pytest.MonkeyPatch.context() as patch:
        yield patch
