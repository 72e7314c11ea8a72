"""Watches the portal's topics from the moment it starts and keeps every event seen."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable
from typing import Any

from confluent_kafka import Consumer, TopicPartition

from shared.events.topics import HISTORY_TOPICS, physical


class EventTap:
    def __init__(self, bootstrap: str) -> None:
        self._consumer = Consumer(
            {
                "bootstrap.servers": bootstrap,
                "group.id": f"demo-tap-{uuid.uuid4()}",
                "enable.auto.commit": False,
            }
        )
        self.events: list[tuple[str, dict[str, Any]]] = []
        self._arrived = threading.Condition()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> EventTap:
        metadata = self._consumer.list_topics(timeout=10)
        assignment = []
        for topic in map(physical, HISTORY_TOPICS):
            for partition in metadata.topics[topic].partitions:
                _low, high = self._consumer.get_watermark_offsets(
                    TopicPartition(topic, partition), timeout=10
                )
                assignment.append(TopicPartition(topic, partition, high))
        self._consumer.assign(assignment)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            record = self._consumer.poll(0.1)
            if record is None or record.error():
                continue
            try:
                envelope = json.loads(record.value())
            except (TypeError, ValueError):
                continue
            with self._arrived:
                self.events.append((record.topic(), envelope))
                self._arrived.notify_all()

    def seen(self) -> list[tuple[str, dict[str, Any]]]:
        with self._arrived:
            return list(self.events)

    def wait_for(
        self, match: Callable[[dict[str, Any]], bool], timeout: float = 30.0
    ) -> dict[str, Any]:
        """The first event seen that `match` accepts, waiting for it if need be."""
        found: list[dict[str, Any]] = []

        def matched() -> bool:
            found[:] = [e for _t, e in self.events if match(e)][:1]
            return bool(found)

        with self._arrived:
            if not self._arrived.wait_for(matched, timeout):
                raise TimeoutError("no matching event appeared on the topics")
        return found[0]

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._consumer.close()
