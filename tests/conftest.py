"""Fixtures shared by every test tier: a real Kafka broker and PostgreSQL server
per session (or the ones named by PORTAL_TEST_KAFKA / PORTAL_TEST_POSTGRES),
unique names, per-test databases and managed subprocesses."""

from __future__ import annotations

import logging
import os
import re
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path

import pytest

from shared.devissuer import ensure_keys
from tests.support import kafka, postgres
from tests.support.processes import PythonProcess

log = logging.getLogger(__name__)

TIERS = {
    "unit": "fast tests with no broker, database server or subprocess",
    "integration": "tests against a real Kafka broker and/or PostgreSQL server",
    "journey": "end-to-end journeys across the running services",
}
MAX_SLUG = 40


def pytest_configure(config: pytest.Config) -> None:
    for name, description in TIERS.items():
        config.addinivalue_line("markers", f"{name}: {description}")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test with its tier, taken from its directory (tests/<tier>/...)."""
    for item in items:
        parts = Path(str(item.path)).parts
        for tier in TIERS:
            if tier in parts:
                item.add_marker(tier)


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:MAX_SLUG].rstrip("-") or "test"


@pytest.fixture
def unique(request: pytest.FixtureRequest) -> Callable[[str], str]:
    """``unique("topic")`` -> ``"topic-<test-name-slug>-<8 hex>"``.

    Lower case letters, digits and hyphens only, at most 63 characters for short
    prefixes: valid as a Kafka topic or group and a PostgreSQL database name.
    """
    slug = _slug(request.node.name)

    def make(prefix: str) -> str:
        return f"{prefix}-{slug}-{uuid.uuid4().hex[:8]}"

    return make


@pytest.fixture(scope="session")
def kafka_bootstrap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Kafka bootstrap address: PORTAL_TEST_KAFKA, or a broker of our own."""
    external = os.environ.get("PORTAL_TEST_KAFKA")
    if external:
        kafka.wait_for_broker(external, timeout=30)
        yield external
        return
    broker = kafka.KafkaBroker(tmp_path_factory.mktemp("kafka"), heap="512m")
    try:
        yield broker.start()
    finally:
        broker.stop()


@pytest.fixture
def create_topics(kafka_bootstrap: str) -> Iterator[Callable[..., list[str]]]:
    """``create_topics(names, partitions=3)``: create topics, wait until usable.

    The topics are deleted after the test when the broker is an external one.
    """
    created: list[str] = []

    def create(names: Iterable[str], partitions: int = 3) -> list[str]:
        names = [names] if isinstance(names, str) else list(names)
        created.extend(kafka.create_topics(kafka_bootstrap, names, partitions))
        return names

    yield create
    if os.environ.get("PORTAL_TEST_KAFKA"):
        kafka.delete_topics(kafka_bootstrap, created)


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A PostgreSQL server URL without a database, e.g.
    ``postgresql+psycopg://portal@127.0.0.1:PORT``.

    PORTAL_TEST_POSTGRES names an existing server. Otherwise one is started; where
    that is impossible, tests using it are skipped, or fail when CI is set.
    """
    external = os.environ.get("PORTAL_TEST_POSTGRES")
    if external:
        postgres.wait_for_server(external, timeout=30)
        yield external
        return
    try:
        server = postgres.PostgresServer(log_dir=tmp_path_factory.mktemp("postgres"))
    except postgres.PostgresUnavailable as exc:
        if _in_ci():
            pytest.fail(f"PostgreSQL is required in CI: {exc}", pytrace=False)
        pytest.skip(f"PostgreSQL unavailable: {exc}")
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture
def postgres_url(postgres_server: str, unique: Callable[[str], str]) -> Iterator[str]:
    """A SQLAlchemy URL of a fresh database, dropped (WITH FORCE) after the test."""
    name = unique("db")
    url = postgres.create_database(postgres_server, name)
    yield url
    postgres.drop_database(postgres_server, name)


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest) -> str:
    """Each store the services support: a test using it runs once on each."""
    return str(request.getfixturevalue(f"{request.param}_url"))


@pytest.fixture
def key_dir(tmp_path: Path) -> Path:
    """A development signing key and its JWKS, private to the test."""
    keys = tmp_path / "keys"
    ensure_keys(keys)
    return keys


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store.db'}"


@pytest.fixture
def spawn(tmp_path: Path) -> Iterator[Callable[..., PythonProcess]]:
    """``spawn(module, *args, env={...})``: a started PythonProcess logging to
    ``<tmp_path>/<module>.log``; every process still running is stopped after
    the test."""
    started: list[PythonProcess] = []

    def start(
        module: str, *args: str, env: Mapping[str, str] | None = None
    ) -> PythonProcess:
        log_path = tmp_path / f"{module}-{len(started)}.log"
        process = PythonProcess(module, *args, env=env, log_path=log_path)
        started.append(process.start())
        return process

    yield start
    for process in reversed(started):
        if process.pid is not None and process.popen.returncode is None:
            process.stop()
