"""Rebuilding a read model: drop it, forget what its consumer handled, and feed its
history again through the very handlers that built it live.

Another service's events are replayed from their topics. A service's own events are
read from its own event store, which also holds those the relay has not sent yet.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterable, Iterator

from shared.messaging.consumer import BatchOutcome, EventConsumer, Message
from shared.messaging.replay import replay
from shared.store.eventstore import EventStore

log = logging.getLogger(__name__)


def rebuild(
    consumer: EventConsumer, bootstrap: str, batch_size: int = 500
) -> BatchOutcome:
    """From the consumer's topics, read from their beginning."""
    return _feed(consumer, replay(bootstrap, consumer.topics), batch_size)


def rebuild_from_store(consumer: EventConsumer, batch_size: int = 500) -> BatchOutcome:
    """From the service's own event store, in the order the events were recorded."""
    return _feed(consumer, _stored_messages(consumer, batch_size), batch_size)


def _stored_messages(consumer: EventConsumer, batch_size: int) -> Iterator[Message]:
    store = EventStore("rebuild")
    after = 0
    while True:
        with consumer.db.transaction() as session:
            stored = store.read_all(session, after=after, limit=batch_size)
        if not stored:
            return
        for event in stored:
            yield Message(
                topic=consumer.registry.for_type(event.envelope.type).topic,
                partition=0,
                offset=event.position,
                value=event.envelope.to_json().encode(),
                key=event.envelope.subject.encode(),
            )
        after = stored[-1].position


def _feed(
    consumer: EventConsumer, messages: Iterable[Message], batch_size: int
) -> BatchOutcome:
    consumer.reset()
    total = BatchOutcome()
    iterator = iter(messages)
    while batch := list(itertools.islice(iterator, batch_size)):
        outcome = consumer.handle_batch(batch)
        total.handled += outcome.handled
        total.duplicates += outcome.duplicates
        total.ignored += outcome.ignored
        total.dead_lettered += outcome.dead_lettered
    log.info(
        "read model rebuilt",
        extra={
            "consumer": consumer.name,
            "handled": total.handled,
            "ignored": total.ignored,
        },
    )
    return total
