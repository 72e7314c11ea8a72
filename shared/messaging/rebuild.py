"""Rebuilding a read model: drop it, forget what its consumer handled, and replay its
topics from the beginning through the very handlers that built it live."""

from __future__ import annotations

import itertools
import logging

from shared.messaging.consumer import BatchOutcome, EventConsumer
from shared.messaging.replay import replay

log = logging.getLogger(__name__)


def rebuild(consumer: EventConsumer, bootstrap: str, batch_size: int = 500) -> BatchOutcome:
    consumer.reset()

    total = BatchOutcome()
    messages = replay(bootstrap, consumer.topics)
    while batch := list(itertools.islice(messages, batch_size)):
        outcome = consumer.handle_batch(batch)
        total.handled += outcome.handled
        total.duplicates += outcome.duplicates
        total.ignored += outcome.ignored
        total.dead_lettered += outcome.dead_lettered
    log.info(
        "read model rebuilt",
        extra={"consumer": consumer.name, "handled": total.handled, "ignored": total.ignored},
    )
    return total
