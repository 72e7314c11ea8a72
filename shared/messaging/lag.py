"""How far a consumer group is behind its topics, read from the broker."""

from __future__ import annotations

import threading
from collections.abc import Sequence

from confluent_kafka import Consumer, TopicPartition

from shared.events.topics import physical


class LagProbe:
    """Keeps one idle client to ask the broker for committed and end offsets."""

    def __init__(self, bootstrap: str, group_id: str, topics: Sequence[str]) -> None:
        self.topics = tuple(map(physical, topics))
        self._lock = threading.Lock()
        self._client = Consumer(
            {
                "bootstrap.servers": bootstrap,
                "group.id": group_id,
                "enable.auto.commit": False,
            }
        )

    def lag(self, timeout: float = 2.0) -> int:
        """Messages not yet committed by the group, summed over every partition."""
        if not self.topics:
            return 0
        with self._lock:
            metadata = self._client.list_topics(timeout=timeout)
            # A topic not created yet (no worker has started) holds nothing to read.
            partitions = [
                TopicPartition(topic, p)
                for topic in self.topics
                if topic in metadata.topics
                for p in metadata.topics[topic].partitions
            ]
            if not partitions:
                return 0
            total = 0
            for tp in self._client.committed(partitions, timeout=timeout):
                low, high = self._client.get_watermark_offsets(
                    tp, timeout=timeout, cached=False
                )
                position = tp.offset if tp.offset >= 0 else low
                total += max(0, high - position)
            return total

    def close(self) -> None:
        with self._lock:
            self._client.close()
