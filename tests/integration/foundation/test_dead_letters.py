"""Poison messages go to the dead-letter topic with their reason; the consumer goes
on."""

from __future__ import annotations

from collections.abc import Callable

from confluent_kafka import Producer

from shared.events.envelope import Envelope
from shared.events.topics import physical
from shared.messaging import dead_letters as dl
from tests.support.probe import CONSUMER_NAME
from tests.support.probe_rig import Probe, topic_messages

STREAM = "stream-poison"


def _envelope(event_type: str, data: dict[str, object]) -> bytes:
    return (
        Envelope(
            source="/services/probe-test",
            type=event_type,
            subject=STREAM,
            dataschema=f"urn:portal:schema:{event_type}:v1",
            data=data,
            sequence=1,
            correlationid="poison-test",
        )
        .to_json()
        .encode()
    )


def test_poison_is_dead_lettered_with_its_reason_and_the_next_event_is_handled(
    make_probe: Callable[..., Probe],
) -> None:
    """Not JSON, an unknown type and invalid data each go to the dead-letter topic,
    unchanged, with the reason and their origin in headers. A good event whose
    header has no value (Kafka allows it) is handled, as is the event after them."""
    probe = make_probe()
    worker = probe.start_worker()
    poison = {
        b"this is not json {": "malformed envelope: ",
        _envelope("ProbeExploded", {"value": 1}): "unknown event type 'ProbeExploded'",
        _envelope(
            "ProbeRecorded", {"value": "many"}
        ): "invalid ProbeRecorded data: value: ",
    }

    (first,) = probe.publish({STREAM: [1]})
    # Same key, so the same partition: the poison sits between the two good events.
    producer = Producer(
        {"bootstrap.servers": probe.bootstrap, "enable.idempotence": True}
    )
    for value in poison:
        producer.produce(physical(probe.topic), value=value, key=STREAM.encode())
    odd = _envelope("ProbeRecorded", {"value": 2})
    producer.produce(
        physical(probe.topic),
        value=odd,
        key=STREAM.encode(),
        headers=[("x-null", None)],
    )
    assert producer.flush(30) == 0
    (last,) = probe.publish({STREAM: [3]})
    odd_id = Envelope.from_json(odd).id

    effects = probe.wait_for_effects(worker, [first.id, odd_id, last.id])
    assert effects == {first.id: 1, odd_id: 1, last.id: 1}

    letters = topic_messages(probe.bootstrap, probe.dead_letter_topic)
    assert [m.value for m in letters] == list(poison)
    originals = {m.value: m for m in topic_messages(probe.bootstrap, probe.topic)}
    for letter, reason_start in zip(letters, poison.values(), strict=True):
        headers = {k: v.decode() for k, v in letter.headers}
        assert headers[dl.REASON].startswith(reason_start), headers[dl.REASON]
        assert headers[dl.CONSUMER] == CONSUMER_NAME
        origin = originals[letter.value]
        assert headers[dl.ORIGIN_TOPIC] == physical(probe.topic)
        assert int(headers[dl.ORIGIN_PARTITION]) == origin.partition
        assert int(headers[dl.ORIGIN_OFFSET]) == origin.offset
        assert letter.key == STREAM.encode()
