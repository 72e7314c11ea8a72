"""A throw-away single-node Kafka (KRaft) broker, and topic helpers."""

from __future__ import annotations

import logging
import os
import subprocess
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import AdminClient, NewTopic

from tests.support.processes import REPO_ROOT, free_ports, tail, wait_for

log = logging.getLogger(__name__)

KAFKA_DIR = REPO_ROOT / "infra" / "kafka"
START_ATTEMPTS = 3


class KafkaBroker:
    """One broker started with ``infra/kafka/start.sh`` on free ports.

    Every call to the scripts carries ``KAFKA_DATA_DIR``: ``stop.sh`` stops the
    broker whose pid file lies there, and without it, it would stop the default
    broker in ``infra/kafka/data`` (someone's development broker).
    """

    def __init__(self, data_dir: Path, heap: str = "512m") -> None:
        if data_dir.resolve() == (KAFKA_DIR / "data").resolve():
            raise ValueError("test brokers must not use infra/kafka/data")
        self.data_dir = data_dir
        self.heap = heap
        self.port = 0
        self.controller_port = 0

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _env(self) -> dict[str, str]:
        return {
            **os.environ,
            "KAFKA_PORT": str(self.port),
            "KAFKA_CONTROLLER_PORT": str(self.controller_port),
            "KAFKA_DATA_DIR": str(self.data_dir),
            "KAFKA_HEAP": self.heap,
        }

    def _run(self, script: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(KAFKA_DIR / script)],
            env=self._env(),
            cwd=REPO_ROOT,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
        )

    def start(self) -> str:
        """Start the broker and return its bootstrap address.

        Free ports can be taken between asking and binding, so a failed start is
        retried on new ports (and a fresh data directory) a few times.
        """
        base = self.data_dir
        failures: list[str] = []
        for attempt in range(1, START_ATTEMPTS + 1):
            self.port, self.controller_port = free_ports(2)
            if attempt > 1:
                self.data_dir = base.with_name(f"{base.name}-{attempt}")
            began = time.monotonic()
            result = self._run("start.sh")
            if result.returncode == 0:
                wait_for_broker(self.bootstrap, timeout=30)
                log.info(
                    "kafka ready on %s in %.1f s (data %s)",
                    self.bootstrap,
                    time.monotonic() - began,
                    self.data_dir,
                )
                return self.bootstrap
            failures.append(
                f"attempt {attempt} on port {self.port} exited {result.returncode}:\n"
                f"{result.stderr}{tail(self.data_dir / 'logs' / 'server.log')}"
            )
            log.warning("kafka start failed: %s", failures[-1])
            self.stop()
        raise RuntimeError("could not start Kafka:\n" + "\n".join(failures))

    def stop(self) -> None:
        result = self._run("stop.sh")
        if result.returncode != 0:
            log.warning("kafka stop.sh exited %d: %s", result.returncode, result.stderr)


def admin_client(bootstrap: str) -> AdminClient:
    return AdminClient({"bootstrap.servers": bootstrap})


def wait_for_broker(bootstrap: str, timeout: float) -> None:
    """Wait until the broker answers a metadata request and names a controller."""
    admin = admin_client(bootstrap)

    def answers() -> bool:
        metadata = admin.list_topics(timeout=2)
        return metadata.controller_id >= 0 and bool(metadata.brokers)

    wait_for(answers, timeout, what=f"Kafka at {bootstrap}", ignore=(KafkaException,))


def create_topics(
    bootstrap: str,
    names: Iterable[str],
    partitions: int = 3,
    timeout: float = 30.0,
) -> list[str]:
    """Create topics (existing ones are fine) and wait until every partition has a
    leader, so producers and consumers can use them at once."""
    names = list(names)
    admin = admin_client(bootstrap)
    new_topics = [
        NewTopic(name, num_partitions=partitions, replication_factor=1)
        for name in names
    ]
    futures = admin.create_topics(new_topics, operation_timeout=timeout)
    for future in futures.values():
        try:
            future.result(timeout=timeout)
        except KafkaException as exc:
            if exc.args[0].code() != KafkaError.TOPIC_ALREADY_EXISTS:
                raise
    wait_for_topics(admin, names, partitions, timeout)
    return names


def wait_for_topics(
    admin: AdminClient, names: Sequence[str], partitions: int, timeout: float
) -> None:
    def all_led() -> bool:
        topics = admin.list_topics(timeout=2).topics
        for name in names:
            topic = topics.get(name)
            if topic is None or topic.error is not None:
                return False
            if len(topic.partitions) != partitions:
                return False
            if any(p.leader < 0 or p.error for p in topic.partitions.values()):
                return False
        return True

    wait_for(
        all_led,
        timeout,
        what=f"topics {', '.join(names)} with {partitions} led partitions",
        ignore=(KafkaException,),
    )


def delete_topics(bootstrap: str, names: Sequence[str], timeout: float = 10.0) -> None:
    """Best-effort deletion, for brokers that outlive the test session."""
    if not names:
        return
    admin = admin_client(bootstrap)  # must outlive the futures
    futures = admin.delete_topics(list(names), operation_timeout=timeout)
    for name, future in futures.items():
        try:
            future.result(timeout=timeout)
        except KafkaException as exc:
            log.warning("could not delete topic %s: %s", name, exc)
