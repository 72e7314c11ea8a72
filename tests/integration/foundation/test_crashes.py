"""Crashes at the two dangerous moments of at-least-once delivery leave duplicates on
the wire and never a double effect."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from confluent_kafka import KafkaException
from sqlalchemy import func, select, update

from shared.messaging.lag import LagProbe
from shared.store.schema import inbox, outbox
from tests.support.probe import CONSUMER_NAME
from tests.support.probe_rig import (
    Probe,
    event_ids,
    logged,
    topic_messages,
    topic_size,
    wait_for_logged,
)


def _lag(probe: Probe) -> int:
    lag = LagProbe(probe.bootstrap, probe.group, [probe.topic])
    try:
        return lag.lag()
    finally:
        lag.close()


def _inbox_count(probe: Probe) -> int:
    with probe.db.transaction() as session:
        return session.scalar(  # type: ignore[return-value]
            select(func.count())
            .select_from(inbox)
            .where(inbox.c.consumer == CONSUMER_NAME)
        )


def test_a_relay_killed_before_marking_rows_sent_republishes_without_double_effects(
    make_probe: Callable[..., Probe],
) -> None:
    """The relay marks outbox rows sent only after the broker confirms them. A relay
    that dies between the confirmation and that UPDATE leaves the rows published but
    unmarked (sent_at NULL). That window is too narrow to hit with a signal, so the
    test builds the very state such a crash leaves: it lets the relay publish, SIGKILLs
    it, and sets sent_at back to NULL on the rows it published. On restart the relay
    publishes them again: the topic holds every event id twice, and the consumer, in
    another process with its own store, applies each once and skips the copy."""
    producer = make_probe()
    consumer = make_probe(topic=producer.topic)
    appended = producer.append(
        {"stream-1": [1, 2, 3], "stream-2": [4, 5], "stream-3": [6]}
    )
    ids = [e.id for e in appended]
    consumer_worker = consumer.start_worker()

    relay = producer.start_worker(consume=False)
    relay.wait_for(
        lambda: (
            topic_size(producer.bootstrap, producer.topic) == len(ids)
            and producer.unsent() == 0
        ),
        60,
        what="the relay to publish and mark every row",
        ignore=(KafkaException,),
    )
    relay.kill()
    assert consumer.wait_for_effects(consumer_worker, ids) == dict.fromkeys(ids, 1)
    assert sorted(
        event_ids(topic_messages(producer.bootstrap, producer.topic))
    ) == sorted(ids)
    with producer.db.transaction() as session:
        result = session.execute(update(outbox).values(sent_at=None))
        reset = result.rowcount  # type: ignore[attr-defined]
    assert reset == len(ids)

    relay = producer.start_worker(consume=False)
    relay.wait_for(
        lambda: producer.unsent() == 0, 60, what="the restarted relay to publish again"
    )
    on_topic = Counter(event_ids(topic_messages(producer.bootstrap, producer.topic)))
    assert on_topic == dict.fromkeys(ids, 2)

    skipped = wait_for_logged(consumer_worker, "duplicate event skipped", len(ids))
    assert sorted(r["event_id"] for r in skipped) == sorted(ids)
    assert consumer.effects() == dict.fromkeys(ids, 1)
    assert _inbox_count(consumer) == len(ids)


def test_a_consumer_killed_before_committing_offsets_sees_events_again_effects_once(
    make_probe: Callable[..., Probe],
) -> None:
    """With an hour between offset commits, the worker applies the events (effect and
    inbox row committed to its store) and is SIGKILLed before the broker has heard of
    it. The restarted worker is handed the same events again; the inbox recognises
    each and the effects stay at one."""
    probe = make_probe()
    worker = probe.start_worker(consumer_commit_seconds=3600)
    ids = [e.id for e in probe.publish({"stream-1": [1, 2, 3], "stream-2": [4, 5, 6]})]
    assert probe.wait_for_effects(worker, ids) == dict.fromkeys(ids, 1)
    # Nothing committed yet: the group would start again from the beginning.
    assert _lag(probe) == len(ids)
    worker.kill()

    restarted = probe.start_worker(consumer_commit_seconds=0.2)
    skipped = wait_for_logged(restarted, "duplicate event skipped", len(ids))
    assert sorted(r["event_id"] for r in skipped) == sorted(ids)
    assert probe.effects() == dict.fromkeys(ids, 1)
    assert _inbox_count(probe) == len(ids)
    # And this time the offsets reach the broker.
    restarted.wait_for(
        lambda: _lag(probe) == 0,
        30,
        what="the offsets to be committed",
        ignore=(KafkaException,),
    )


def test_a_batch_whose_handling_fails_is_handled_before_its_offsets_are_committed(
    make_probe: Callable[..., Probe],
) -> None:
    """A batch the worker could not handle (as when the store keeps failing past
    handle_batch's retries) must stay unacknowledged until it is handled: offsets
    committed past an event whose effect never happened lose it for good."""
    probe = make_probe()
    worker = probe.start_worker(fail_batches=1)
    ids = [e.id for e in probe.publish({"stream-1": [1, 2, 3]})]
    worker.wait_for(
        lambda: logged(worker, "injected batch failure"),
        60,
        what="the injected failure",
    )
    worker.wait_for(
        lambda: _lag(probe) == 0,
        60,
        what="the offsets to be committed",
        ignore=(KafkaException,),
    )
    assert probe.effects() == dict.fromkeys(ids, 1), (
        "offsets were committed past events that were never handled"
    )
