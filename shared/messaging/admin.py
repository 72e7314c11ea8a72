"""Creates the portal's topics at start-up with confluent-kafka's AdminClient."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import AdminClient, NewTopic

from shared.events import topics

log = logging.getLogger(__name__)

# The history topics are the system of record for analysts: nothing is ever deleted.
HISTORY_CONFIG = {
    "retention.ms": "-1",
    "retention.bytes": "-1",
    "cleanup.policy": "delete",
}


def portal_topics() -> list[str]:
    names = [
        *topics.HISTORY_TOPICS,
        *(topics.dead_letter_topic(s) for s in topics.SERVICES),
    ]
    return [topics.physical(name) for name in names]


def ensure_topics(
    bootstrap: str, names: Iterable[str], partitions: int, timeout: float = 30.0
) -> list[str]:
    """Creates whichever of `names` do not exist yet; returns the ones it created."""
    admin = AdminClient({"bootstrap.servers": bootstrap})
    existing = set(admin.list_topics(timeout=timeout).topics)
    wanted = [
        NewTopic(
            name, num_partitions=partitions, replication_factor=1, config=HISTORY_CONFIG
        )
        for name in names
        if name not in existing
    ]
    if not wanted:
        return []
    created = []
    for name, future in admin.create_topics(wanted, request_timeout=timeout).items():
        try:
            future.result()
            created.append(name)
        except KafkaException as error:
            if error.args[0].code() != KafkaError.TOPIC_ALREADY_EXISTS:
                raise
    log.info("topics created", extra={"topics": created, "partitions": partitions})
    return created


def broker_answers(bootstrap: str, timeout: float = 2.0) -> bool:
    try:
        AdminClient({"bootstrap.servers": bootstrap}).list_topics(timeout=timeout)
    except KafkaException:
        return False
    return True


if __name__ == "__main__":
    from shared.settings import ServiceSettings

    settings = ServiceSettings()
    ensure_topics(settings.kafka_bootstrap, portal_topics(), settings.topic_partitions)
