"""A read model rebuilt from history equals the one its worker built live."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from confluent_kafka import Producer
from sqlalchemy import select

from shared.events.topics import physical
from shared.messaging.dead_letters import LoggedDeadLetters
from shared.messaging.rebuild import rebuild
from shared.store import Database
from shared.store.schema import inbox
from tests.support import probe as probe_service
from tests.support.probe_rig import Probe

STREAMS = {
    "stream-a": [3, 1, 4, 1, 5],
    "stream-b": [9, 2, 6],
    "stream-c": [5, 3, 5, 8, 9, 7],
    "stream-d": [9],
    "stream-e": [3, 2, 3, 8],
}


def _contents(db: Database) -> dict[str, Any]:
    """Every row of the read model and of the consumer's inbox, in a stable order;
    the inbox without its wall-clock and trace columns."""
    with db.transaction() as session:
        tables: dict[str, Any] = {
            table.name: sorted(tuple(r) for r in session.execute(select(table)))
            for table in probe_service.read_model.sorted_tables
        }
        tables["inbox"] = sorted(
            tuple(row)
            for row in session.execute(
                select(
                    inbox.c.consumer,
                    inbox.c.event_id,
                    inbox.c.type,
                    inbox.c.topic,
                    inbox.c.partition,
                    inbox.c.offset,
                )
            )
        )
    return tables


def _consumer(probe: Probe, db: Database) -> Any:
    settings = probe_service.ProbeSettings(topic=probe.topic)
    return probe_service.build_consumer(settings, db, LoggedDeadLetters())


def test_a_rebuilt_read_model_equals_the_one_built_live(
    postgres_url: str, make_probe: Callable[..., Probe]
) -> None:
    """History with duplicates and a poison message in it: the live worker builds the
    model, is stopped, and the model is rebuilt from the topic twice, in place (drop,
    forget, replay) and into a fresh PostgreSQL store. All three are equal."""
    probe = make_probe()
    worker = probe.start_worker()
    envelopes = probe.publish(STREAMS)
    producer = Producer({"bootstrap.servers": probe.bootstrap})
    topic = physical(probe.topic)
    producer.produce(topic, value=b"\x00 poison", key=b"stream-a")
    for envelope in envelopes[:4]:  # duplicates, as a relay crash would leave
        producer.produce(topic, value=envelope.to_json().encode(), key=b"stream-a")
    assert producer.flush(30) == 0
    (last,) = probe.publish({"stream-a": [2]})
    ids = [e.id for e in envelopes] + [last.id]
    probe.wait_for_effects(worker, ids)
    worker.stop()
    live = _contents(probe.db)
    assert len(live["probe_effects"]) == len(ids)
    assert {row[-1] for row in live["probe_effects"]} == {1}
    assert len(live["probe_streams"]) == len(STREAMS)

    outcome = rebuild(_consumer(probe, probe.db), probe.bootstrap, batch_size=7)
    assert (outcome.handled, outcome.duplicates) == (len(ids), 4)
    assert len(outcome.dead_lettered) == 1
    assert _contents(probe.db) == live

    fresh = Database(postgres_url, probe_service.read_model)
    try:
        fresh.create_all()
        rebuild(_consumer(probe, fresh), probe.bootstrap)
        assert _contents(fresh) == live
    finally:
        fresh.dispose()
