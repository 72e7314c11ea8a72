"""The measurements, one function a path. Each returns how many events it moved and
in how many seconds; none sleeps except to poll the faust worker it started."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from confluent_kafka import (
    OFFSET_BEGINNING,
    Consumer,
    KafkaException,
    Producer,
    TopicPartition,
)
from confluent_kafka import Message as KafkaMessage
from confluent_kafka.admin import AdminClient, NewTopic
from sqlalchemy import func, select

from bench.model import (
    CONSUMER_NAME,
    bench_registry,
    build_consumer,
    read_model,
    submitted,
)
from shared.events.envelope import CONTENT_TYPE
from shared.events.topics import physical
from shared.messaging.consumer import Message
from shared.messaging.relay import OutboxRelay, idempotent_producer
from shared.settings import REPO_ROOT, ServiceSettings
from shared.store import Causation, Database, EventStore
from shared.store.schema import inbox

DEFAULTS = ServiceSettings()
# The relay's producer settings, so raw and relay differ only by the relay's own work.
PRODUCER = {"enable.idempotence": True, "acks": "all", "linger.ms": 5}


@dataclass(frozen=True)
class Result:
    path: str
    events: int
    seconds: float
    note: str = ""

    @property
    def rate(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else float("inf")


class DeadLetterCount:
    """The bench sends no poison; a dead letter here is a failed run."""

    def __init__(self) -> None:
        self.reasons: list[str] = []

    def send(self, _message: Message, reason: str) -> None:
        self.reasons.append(reason)

    def flush(self) -> None:
        return None


def create_topics(bootstrap: str, names: Sequence[str], partitions: int) -> None:
    admin = AdminClient({"bootstrap.servers": bootstrap})
    topics = [
        NewTopic(n, num_partitions=partitions, replication_factor=1) for n in names
    ]
    for future in admin.create_topics(topics, operation_timeout=30).values():
        future.result(timeout=30)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        known = admin.list_topics(timeout=5).topics
        if all(
            n in known and all(p.leader >= 0 for p in known[n].partitions.values())
            for n in names
        ):
            return
        time.sleep(0.1)
    raise TimeoutError(f"topics {names} have no leaders after 30 s")


def delete_topics(bootstrap: str, names: Sequence[str]) -> None:
    admin = AdminClient({"bootstrap.servers": bootstrap})
    for future in admin.delete_topics(list(names), operation_timeout=30).values():
        with contextlib.suppress(KafkaException):
            future.result(timeout=30)


def warm_up(producer: Producer, topic: str) -> Producer:
    """One message delivered first: an idempotent producer's id comes from the broker
    on first use, which on a fresh broker takes a second or more."""
    producer.produce(topic, b"warm-up")
    if producer.flush(30):
        raise RuntimeError("the broker did not confirm the warm-up message")
    return producer


def raw_produce(
    bootstrap: str, topic: str, value: bytes, count: int, warm: str
) -> Result:
    producer = warm_up(Producer({"bootstrap.servers": bootstrap, **PRODUCER}), warm)
    delivered, failed = [0], [0]

    def on_delivery(error: object, _message: object) -> None:
        if error is None:
            delivered[0] += 1
        else:
            failed[0] += 1

    headers: list[tuple[str, str | bytes | None]] = [
        ("content-type", CONTENT_TYPE.encode())
    ]
    keys = [f"dossier-{n // 10:08d}".encode() for n in range(count)]
    started = time.perf_counter()
    for key in keys:
        while True:
            try:
                producer.produce(
                    topic, value, key, headers=headers, on_delivery=on_delivery
                )
                break
            except BufferError:
                producer.poll(0.05)
        producer.poll(0)
    producer.flush(60)
    seconds = time.perf_counter() - started
    if delivered[0] != count:
        raise RuntimeError(
            f"raw produce: {delivered[0]} of {count} delivered, {failed[0]} failed"
        )
    return Result(
        "raw produce", count, seconds, "confluent-kafka, idempotent, acks=all"
    )


def _read(
    bootstrap: str, topic: str, count: int, batch: int
) -> Iterator[list[KafkaMessage]]:
    """`count` messages from the beginning of `topic`, in batches, without a group."""
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": "bench-reader",
            "enable.auto.commit": False,
            "fetch.min.bytes": 1,
        }
    )
    try:
        partitions = consumer.list_topics(topic, timeout=10).topics[topic].partitions
        consumer.assign(
            [TopicPartition(topic, p, OFFSET_BEGINNING) for p in partitions]
        )
        seen = 0
        while seen < count:
            records = consumer.consume(
                num_messages=min(batch, count - seen), timeout=10
            )
            if not records:
                raise TimeoutError(
                    f"{topic}: {seen} of {count} read, then nothing for 10 s"
                )
            records = [r for r in records if r.error() is None]
            seen += len(records)
            yield records
    finally:
        consumer.close()


def raw_consume(bootstrap: str, topic: str, count: int) -> Result:
    started = time.perf_counter()
    size = 0
    for records in _read(bootstrap, topic, count, 1000):
        size += sum(len(r.value() or b"") for r in records)
    seconds = time.perf_counter() - started
    return Result(
        "raw consume", count, seconds, f"confluent-kafka, {size // count} B each"
    )


def prewrite(db: Database, topic: str, count: int, per_stream: int = 10) -> float:
    """Appends `count` events through the event store, 500 a transaction, `per_stream`
    to a stream: the outbox the relay will find."""
    store = EventStore("dossier", bench_registry(topic))
    started = time.perf_counter()
    n = 0
    while n < count:
        with db.transaction() as session:
            for _ in range(500 // per_stream):
                if n >= count:
                    break
                size = min(per_stream, count - n)
                events = [submitted(n + i) for i in range(size)]
                store.append(session, f"dossier-{n:08d}", 0, events, Causation("bench"))
                n += size
    return time.perf_counter() - started


def relay(db: Database, bootstrap: str, count: int, warm: str) -> Result:
    producer = warm_up(idempotent_producer(bootstrap), warm)
    outbox_relay = OutboxRelay(db, producer, batch_size=DEFAULTS.relay_batch_size)
    started = time.perf_counter()
    published = 0
    while sent := outbox_relay.publish_batch():
        published += sent
    seconds = time.perf_counter() - started
    if published != count or outbox_relay.backlog():
        raise RuntimeError(f"relay: {published} of {count} published")
    return Result(
        "outbox relay",
        count,
        seconds,
        f"SQLite to Kafka, {outbox_relay.batch_size} a batch",
    )


def consume_in_process(bootstrap: str, topic: str, db: Database, count: int) -> Result:
    dead_letters = DeadLetterCount()
    consumer = build_consumer(topic, db, dead_letters)
    batch_size = DEFAULTS.consumer_batch_size
    handled = 0
    wire = physical(topic)
    started = time.perf_counter()
    for records in _read(bootstrap, wire, count, batch_size):
        batch = [_message(r) for r in records]
        handled += consumer.handle_batch(batch).handled
    seconds = time.perf_counter() - started
    if handled != count or dead_letters.reasons:
        raise RuntimeError(
            f"consumer: {handled} of {count} handled, {dead_letters.reasons[:3]}"
        )
    return Result(
        "consumer, in-process",
        count,
        seconds,
        f"handle_batch, Kafka to SQLite, {batch_size} a batch",
    )


def _message(record: KafkaMessage) -> Message:
    return Message(
        topic=record.topic() or "",
        partition=record.partition() or 0,
        offset=record.offset() or 0,
        value=record.value(),
        key=record.key(),
        headers=tuple(record.headers() or ()),  # type: ignore[arg-type]
    )


def consume_in_faust(
    bootstrap: str, topic: str, workdir: Path, count: int, group: str, timeout: float
) -> tuple[Result, float]:
    """Starts the faust worker on the topic and waits until it has handled at least
    `count` events. The rate runs from the first event handled to the last (start-up
    and the group join excluded); the start-up is returned beside it."""
    url = f"sqlite:///{workdir / 'faust-consumer.db'}"
    db = Database(url, read_model)
    db.create_all()
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP": bootstrap,
        "BENCH_TOPIC": topic,
        "BENCH_DATABASE_URL": url,
        "BENCH_GROUP_ID": group,
        "PORTAL_LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }
    log_path = workdir / "faust-worker.log"
    started = time.perf_counter()
    with log_path.open("wb") as log_file:
        worker = subprocess.Popen(
            [sys.executable, "-m", "bench.worker"],
            env=env,
            cwd=REPO_ROOT,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            first, handled, span = _wait_for_inbox(db, worker, count, timeout, log_path)
        finally:
            _stop(worker)
            db.dispose()
    return (
        Result(
            "consumer, faust worker",
            handled,
            span,
            "first event handled to last",
        ),
        first - started,
    )


def _wait_for_inbox(
    db: Database, worker: subprocess.Popen[bytes], count: int, timeout: float, log: Path
) -> tuple[float, int, float]:
    """When the first event was seen handled, how many were handled, and the seconds
    from the first one handled to the last."""
    deadline = time.perf_counter() + timeout
    first_seen = 0.0
    while time.perf_counter() < deadline:
        if worker.poll() is not None:
            raise RuntimeError(
                f"the faust worker exited with {worker.returncode}; see {log}"
            )
        with db.transaction() as session:
            handled = (
                session.scalar(
                    select(func.count())
                    .select_from(inbox)
                    .where(inbox.c.consumer == CONSUMER_NAME)
                )
                or 0
            )
            if handled and not first_seen:
                first_seen = time.perf_counter()
            if handled >= count:
                handled, began, ended = session.execute(
                    select(
                        func.count(),
                        func.min(inbox.c.handled_at),
                        func.max(inbox.c.handled_at),
                    ).where(inbox.c.consumer == CONSUMER_NAME)
                ).one()
                return first_seen, handled, _seconds(began, ended)
        time.sleep(0.1)
    raise TimeoutError(
        f"the faust worker handled fewer than {count} events in {timeout} s"
    )


def _seconds(began: datetime, ended: datetime) -> float:
    return (ended - began).total_seconds()


def _stop(worker: subprocess.Popen[bytes]) -> None:
    if worker.poll() is not None:
        return
    os.killpg(worker.pid, signal.SIGTERM)
    try:
        worker.wait(10)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
