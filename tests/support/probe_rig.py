"""Driving the probe service from a test: its settings, processes and store, and
reading what it left on the broker, in its logs and in its span files."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from confluent_kafka import Consumer, TopicPartition
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shared.events.envelope import Envelope
from shared.events.topics import physical
from shared.messaging.consumer import Message
from shared.messaging.relay import OutboxRelay, idempotent_producer
from shared.messaging.replay import replay
from shared.store import Causation, Database, EventStore
from shared.store.schema import outbox
from tests.support import probe
from tests.support.processes import PythonProcess

PROBE_MODULE = "tests.support.probe"
STARTUP_SECONDS = 60.0


@dataclass
class Probe:
    """One probe service under test, and what a test asks of it."""

    bootstrap: str
    topic: str
    dead_letter_topic: str
    group: str
    database_url: str
    port: int
    workdir: Path
    spawn: Callable[..., PythonProcess]
    _sources: Iterator[int] = field(default_factory=itertools.count)
    processes: list[PythonProcess] = field(default_factory=list)

    def env(self, role: str, **overrides: object) -> dict[str, str]:
        settings: dict[str, object] = {
            "KAFKA_BOOTSTRAP": self.bootstrap,
            "PORTAL_TRACE_FILE": self.trace_file(role),
            "PORTAL_LOG_LEVEL": "INFO",
            "PROBE_TOPIC": self.topic,
            "PROBE_DEAD_LETTER_TOPIC": self.dead_letter_topic,
            "PROBE_GROUP_ID": self.group,
            "PROBE_DATABASE_URL": self.database_url,
            "PROBE_PORT": self.port,
            # Offsets committed often, so a clean restart replays little.
            "PROBE_CONSUMER_COMMIT_SECONDS": 0.2,
            "PROBE_RELAY_IDLE_SECONDS": 0.02,
            # Read by faust itself (ServiceSettings has no such field): a SIGKILLed
            # member leaves the group after 6 s (the broker's minimum) instead of 60,
            # so a restarted worker is assigned its partitions without the long wait.
            "BROKER_SESSION_TIMEOUT": 6,
            "BROKER_HEARTBEAT_INTERVAL": 1,
        }
        settings.update({f"PROBE_{k.upper()}": v for k, v in overrides.items()})
        return {k: str(v) for k, v in settings.items()}

    def trace_file(self, role: str) -> Path:
        return self.workdir / f"{role}-spans.jsonl"

    def start_worker(self, **overrides: object) -> PythonProcess:
        process = self.spawn(
            PROBE_MODULE, "worker", env=self.env("worker", **overrides)
        )
        self.processes.append(process)
        return process

    def start_api(self) -> PythonProcess:
        process = self.spawn(PROBE_MODULE, "api", env=self.env("api"))
        self.processes.append(process)
        process.wait_for_http(f"{self.url}/health/live", STARTUP_SECONDS)
        return process

    def kill_all(self) -> None:
        """Ends every process still running at once: a test that is not about
        shutting down need not wait for each one's graceful stop."""
        for process in self.processes:
            if process.running:
                process.kill()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def db(self) -> Database:
        return _database(self.database_url)

    def effects(self) -> dict[str, int]:
        return probe.read_effects(self.db)

    def wait_for_effects(
        self, process: PythonProcess, event_ids: Sequence[str], timeout: float = 60.0
    ) -> dict[str, int]:
        """Waits until every one of `event_ids` has had its effect; all effects."""
        wanted = set(event_ids)

        def all_done() -> dict[str, int] | None:
            found = self.effects()
            return found if wanted <= found.keys() else None

        return process.wait_for(
            all_done,
            timeout,
            interval=0.1,
            what=f"the effects of {len(wanted)} events in {self.database_url}",
        )

    def append(self, streams: Mapping[str, Sequence[int]]) -> list[Envelope]:
        """Appends `ProbeRecorded` events to the probe's own store, for its relay."""
        store = EventStore("probe", probe.probe_registry(self.topic))
        with self.db.transaction() as session:
            return _append_all(store, session, streams)

    def unsent(self) -> int:
        with self.db.transaction() as session:
            return (
                session.scalar(
                    select(func.count())
                    .select_from(outbox)
                    .where(outbox.c.sent_at.is_(None))
                )
                or 0
            )

    def publish(self, streams: Mapping[str, Sequence[int]]) -> list[Envelope]:
        """Appends `ProbeRecorded` events to a store of the test's own and relays them
        to the probe topic in-process: the producing side, without a process."""
        url = f"sqlite:///{self.workdir / f'source-{next(self._sources)}.db'}"
        source = Database(url)
        source.create_all()
        store = EventStore("probe-source", probe.probe_registry(self.topic))
        with source.transaction() as session:
            envelopes = _append_all(store, session, streams)
        relay = OutboxRelay(source, idempotent_producer(self.bootstrap))
        while relay.publish_batch():
            pass
        assert relay.backlog() == 0
        source.dispose()
        return envelopes


def _append_all(
    store: EventStore, session: Session, streams: Mapping[str, Sequence[int]]
) -> list[Envelope]:
    envelopes: list[Envelope] = []
    for stream_id, values in streams.items():
        events = [probe.ProbeRecorded(value=v) for v in values]
        version = store.current_version(session, stream_id)
        envelopes += store.append(
            session, stream_id, version, events, Causation("probe-test")
        )
    return envelopes


_databases: dict[str, Database] = {}


def _database(url: str) -> Database:
    if url not in _databases:
        _databases[url] = Database(url, probe.read_model)
    return _databases[url]


def dispose_databases() -> None:
    while _databases:
        _databases.popitem()[1].dispose()


def topic_messages(bootstrap: str, topic: str) -> list[Message]:
    """Every message on (logical) `topic` up to its current end, read with
    confluent-kafka."""
    return list(replay(bootstrap, [topic]))


def topic_size(bootstrap: str, topic: str) -> int:
    """How many messages (logical) `topic` holds, from its watermarks."""
    topic = physical(topic)
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "topic-size"})
    try:
        partitions = consumer.list_topics(topic, timeout=10).topics[topic].partitions
        total = 0
        for p in partitions:
            low, high = consumer.get_watermark_offsets(
                TopicPartition(topic, p), timeout=10
            )
            total += high - low
        return total
    finally:
        consumer.close()


def event_ids(messages: Sequence[Message]) -> list[str]:
    return [Envelope.from_json(m.value).id for m in messages if m.value]


def log_records(process: PythonProcess) -> list[dict[str, Any]]:
    """The JSON log lines a probe process wrote; other lines are skipped, and a
    terminal escape that faust's start-up puts before a line is ignored."""
    records = []
    text = process.log_path.read_text(encoding="utf-8", errors="replace")
    for line in text.splitlines():
        start = line.find("{")
        if start < 0:
            continue
        try:
            records.append(json.loads(line[start:]))
        except json.JSONDecodeError:
            continue
    return records


def logged(process: PythonProcess, message: str) -> list[dict[str, Any]]:
    return [r for r in log_records(process) if r.get("message") == message]


def wait_for_logged(
    process: PythonProcess, message: str, count: int, timeout: float = 60.0
) -> list[dict[str, Any]]:
    """Waits until `process` has logged `message` at least `count` times."""

    def enough() -> list[dict[str, Any]] | None:
        records = logged(process, message)
        return records if len(records) >= count else None

    return process.wait_for(enough, timeout, what=f"{count} x {message!r} in the log")


def spans(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
