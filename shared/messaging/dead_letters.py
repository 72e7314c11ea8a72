"""Dead-letter topics: a message a consumer cannot handle is copied there, unchanged,
with the reason and its origin in headers, and the consumer goes on."""

from __future__ import annotations

import logging

from confluent_kafka import Producer

from shared.events.topics import physical
from shared.messaging.consumer import DeadLettersUnconfirmed, Message

log = logging.getLogger(__name__)

REASON = "dead-letter.reason"
CONSUMER = "dead-letter.consumer"
ORIGIN_TOPIC = "dead-letter.topic"
ORIGIN_PARTITION = "dead-letter.partition"
ORIGIN_OFFSET = "dead-letter.offset"


class KafkaDeadLetters:
    def __init__(self, bootstrap: str, topic: str, consumer: str) -> None:
        self.topic = physical(topic)
        self.consumer = consumer
        self._producer = Producer(
            {"bootstrap.servers": bootstrap, "enable.idempotence": True, "acks": "all"}
        )

    def send(self, message: Message, reason: str) -> None:
        headers: list[tuple[str, str | bytes | None]] = [
            *message.headers,
            (REASON, reason.encode()),
            (CONSUMER, self.consumer.encode()),
            (ORIGIN_TOPIC, message.topic.encode()),
            (ORIGIN_PARTITION, str(message.partition).encode()),
            (ORIGIN_OFFSET, str(message.offset).encode()),
        ]
        self._producer.produce(
            self.topic, value=message.value, key=message.key, headers=headers
        )
        log.warning(
            "event dead-lettered",
            extra={
                "reason": reason,
                "dead_letter_topic": self.topic,
                "origin": f"{message.topic}/{message.partition}/{message.offset}",
            },
        )

    def flush(self) -> None:
        if self._producer.flush(30):
            raise DeadLettersUnconfirmed("dead letters not confirmed by the broker")


class LoggedDeadLetters:
    """For replays: the poison was dead-lettered when it first came; only log it."""

    def send(self, message: Message, reason: str) -> None:
        log.warning(
            "poison event skipped during replay",
            extra={
                "reason": reason,
                "origin": f"{message.topic}/{message.partition}/{message.offset}",
            },
        )

    def flush(self) -> None:
        return None
