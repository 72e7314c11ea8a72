"""Both Kafka clients the suite uses work against this Kafka (4.x, KRaft) broker.

The probe tests prove it end to end (faust on aiokafka consumes, confluent-kafka
produces and replays); these pin down the one thing Kafka 4 put in doubt by removing
old protocol versions: consumer-group offset commits from aiokafka.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from aiokafka import AIOKafkaConsumer
from aiokafka.structs import TopicPartition as AioPartition
from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, ConfigResource, ResourceType


def _produce(bootstrap: str, topic: str, count: int) -> None:
    producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True})
    for n in range(count):
        producer.produce(topic, value=f"message-{n}".encode(), partition=0)
    assert producer.flush(30) == 0


def test_the_broker_is_a_kafka_4_kraft_node(kafka_bootstrap: str) -> None:
    """KRaft roles, and the KIP-848 ("consumer") and KIP-1071 ("streams") group
    protocols enabled: a broker of 4.1 or later, not one that still speaks only what
    older clients were built against."""
    admin = AdminClient({"bootstrap.servers": kafka_bootstrap})
    metadata = admin.list_topics(timeout=10)
    (broker,) = metadata.brokers
    resource = ConfigResource(ResourceType.BROKER, str(broker))
    config = admin.describe_configs([resource])[resource].result(timeout=10)
    assert config["process.roles"].value == "broker,controller"
    protocols = set(config["group.coordinator.rebalance.protocols"].value.split(","))
    assert {"classic", "consumer", "streams"} <= protocols


async def test_an_aiokafka_consumer_group_commits_offsets_that_the_broker_keeps(
    kafka_bootstrap: str,
    create_topics: Callable[..., list[str]],
    unique: Callable[[str], str],
) -> None:
    topic, group = unique("aiokafka"), unique("group")
    create_topics([topic], partitions=1)
    _produce(kafka_bootstrap, topic, 5)
    partition = AioPartition(topic, 0)

    first = AIOKafkaConsumer(
        topic,
        bootstrap_servers=kafka_bootstrap,
        group_id=group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    await first.start()
    try:
        records: list[Any] = []
        while len(records) < 3:
            batch = await first.getmany(timeout_ms=10_000, max_records=3 - len(records))
            assert batch, "no records within 10 s"
            records += [r for rs in batch.values() for r in rs]
        assert [r.value for r in records] == [b"message-0", b"message-1", b"message-2"]
        await first.commit({partition: records[-1].offset + 1})
        assert await first.committed(partition) == 3
    finally:
        await first.stop()

    # Another client library reads the same committed offset from the broker.
    other = Consumer({"bootstrap.servers": kafka_bootstrap, "group.id": group})
    try:
        (committed,) = other.committed([TopicPartition(topic, 0)], timeout=10)
        assert committed.offset == 3
    finally:
        other.close()

    # And a new member of the group resumes there.
    second = AIOKafkaConsumer(
        topic,
        bootstrap_servers=kafka_bootstrap,
        group_id=group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    await second.start()
    try:
        record = await asyncio.wait_for(second.getone(), 15)
        assert (record.offset, record.value) == (3, b"message-3")
    finally:
        await second.stop()
