"""Events travel from one process's store to another process's consumer, once."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from sqlalchemy import text

from tests.support.probe_rig import (
    Probe,
    event_ids,
    logged,
    topic_messages,
    wait_for_logged,
)


def test_an_event_appended_by_one_process_is_handled_once_by_another(
    postgres_url: str, make_probe: Callable[..., Probe]
) -> None:
    """The API process appends events (and outbox rows) to its store; its worker
    relays them; a second service's worker, on PostgreSQL and its own consumer group,
    applies each exactly once, as does the first service's own consumer."""
    producer = make_probe()
    other = make_probe(database_url=postgres_url, topic=producer.topic)
    api = producer.start_api()
    producer_worker = producer.start_worker()
    consumer_worker = other.start_worker()

    response = httpx.post(
        f"{producer.url}/probe",
        json={"stream_id": "probe-a", "values": [10, 20, 30]},
        headers={"X-Correlation-ID": "journey-42"},
        trust_env=False,
    )
    assert response.status_code == 201, response.text
    assert response.headers["X-Correlation-ID"] == "journey-42"
    appended = response.json()["events"]
    ids = [e["id"] for e in appended]
    assert [e["sequence"] for e in appended] == [1, 2, 3]
    assert {e["source"] for e in appended} == {"/services/probe"}
    assert {e["correlationid"] for e in appended} == {"journey-42"}

    assert other.wait_for_effects(consumer_worker, ids) == dict.fromkeys(ids, 1)
    assert producer.wait_for_effects(producer_worker, ids) == dict.fromkeys(ids, 1)
    assert api.running
    assert logged(consumer_worker, "duplicate event skipped") == []


def test_a_worker_that_consumes_nothing_relays_its_outbox_until_stopped(
    make_probe: Callable[..., Probe],
) -> None:
    """serve_worker(settings, db, []) is how a service that consumes no topic (the
    catalogue) runs its relay."""
    producer = make_probe()
    ids = [e.id for e in producer.append({"stream-1": [1, 2]})]
    relay = producer.start_worker(consume=False)
    relay.wait_for(lambda: producer.unsent() == 0, 60, what="the relay to publish")
    assert sorted(
        event_ids(topic_messages(producer.bootstrap, producer.topic))
    ) == sorted(ids)
    assert relay.stop() == 0


@pytest.mark.parametrize(
    "consume",
    [
        True,
        False,
    ],
    ids=["worker-with-consumers", "relay-only-worker"],
)
def test_a_relay_outlives_a_store_that_fails_for_a_moment(
    make_probe: Callable[..., Probe], consume: bool
) -> None:
    """The outbox table vanishes (renamed away) while the relay polls it, then comes
    back: the relay logs the failed rounds and goes on publishing."""
    producer = make_probe()
    relay = producer.start_worker(consume=consume)
    wait_for_logged(relay, "outbox relay started", 1)
    with producer.db.transaction() as session:
        session.execute(text("ALTER TABLE outbox RENAME TO outbox_away"))
    wait_for_logged(relay, "outbox relay round failed; retrying", 1)
    with producer.db.transaction() as session:
        session.execute(text("ALTER TABLE outbox_away RENAME TO outbox"))

    ids = [e.id for e in producer.append({"stream-1": [1, 2]})]
    relay.wait_for(lambda: producer.unsent() == 0, 60, what="the relay to publish")
    assert sorted(
        event_ids(topic_messages(producer.bootstrap, producer.topic))
    ) == sorted(ids)
