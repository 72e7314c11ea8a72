"""Reading topics from their beginning up to the end they had when the replay started,
for rebuilding a read model or exporting history. Deterministic: the same topics give
the same messages in the same per-partition order every time."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence

from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition

from shared.events.topics import physical
from shared.messaging.consumer import Message


def replay(
    bootstrap: str, topics: Sequence[str], timeout: float = 10.0
) -> Iterator[Message]:
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            # A throwaway group that never commits: a replay leaves no trace.
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
                    assignment.append(
                        TopicPartition(topic, partition, OFFSET_BEGINNING)
                    )
        if not assignment:
            return
        consumer.assign(assignment)
        while ends:
            record = consumer.poll(timeout)
            if record is None:
                raise TimeoutError(f"replay stalled with {ends} still to read")
            if record.error():
                raise RuntimeError(str(record.error()))
            name, partition, offset = (
                record.topic(),
                record.partition(),
                record.offset(),
            )
            assert name is not None and partition is not None and offset is not None
            where = (name, partition)
            if where not in ends:
                continue
            yield Message(
                topic=name,
                partition=partition,
                offset=offset,
                value=record.value(),
                key=record.key(),
                headers=_headers(record.headers()),
            )
            if offset + 1 >= ends[where]:
                del ends[where]
                consumer.incremental_unassign([TopicPartition(*where)])
    finally:
        consumer.close()


def _headers(raw: object) -> tuple[tuple[str, bytes], ...]:
    pairs = raw.items() if isinstance(raw, dict) else (raw or ())
    return tuple(
        (str(k), v.encode() if isinstance(v, str) else bytes(v or b""))
        for k, v in pairs  # type: ignore[attr-defined]
    )
