"""Reading topics from their beginning up to the end they had when the replay started,
for rebuilding a read model or exporting history. Deterministic: the same topics give
the same messages in the same per-partition order every time."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence

from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition

from shared.events.topics import physical
from shared.messaging.consumer import Message


def replay(bootstrap: str, topics: Sequence[str], timeout: float = 10.0) -> Iterator[Message]:
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            # A throwaway group that never commits: a replay leaves no trace on the broker.
            "group.id": f"replay-{uuid.uuid4()}",
            "enable.auto.commit": False,
            "isolation.level": "read_committed",
        }
    )
    try:
        ends: dict[tuple[str, int], int] = {}
        assignment = []
        metadata = consumer.list_topics(timeout=timeout)
        for topic in map(physical, topics):
            for partition in metadata.topics[topic].partitions:
                low, high = consumer.get_watermark_offsets(
                    TopicPartition(topic, partition), timeout=timeout
                )
                if high > low:
                    ends[(topic, partition)] = high
                    assignment.append(TopicPartition(topic, partition, OFFSET_BEGINNING))
        if not assignment:
            return
        consumer.assign(assignment)
        while ends:
            record = consumer.poll(timeout)
            if record is None:
                raise TimeoutError(f"replay stalled with {ends} still to read")
            if record.error():
                raise RuntimeError(str(record.error()))
            where = (record.topic(), record.partition())
            if where not in ends:
                continue
            yield Message(
                topic=record.topic(),
                partition=record.partition(),
                offset=record.offset(),
                value=record.value(),
                key=record.key(),
                headers=tuple(record.headers() or ()),
            )
            if record.offset() + 1 >= ends[where]:
                del ends[where]
                consumer.incremental_unassign([TopicPartition(*where)])
    finally:
        consumer.close()
