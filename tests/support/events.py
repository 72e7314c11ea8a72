"""Events as another service would publish them: real envelopes around real contracts,
and a producer that puts them on a topic of the session's broker."""

from __future__ import annotations

import uuid
from datetime import datetime

from confluent_kafka import Producer

from shared.events.envelope import CONTENT_TYPE, Envelope, utcnow
from shared.events.registry import EventData, registry


def envelope_of(
    event: EventData,
    subject: str,
    sequence: int = 1,
    source: str | None = None,
    correlation_id: str | None = None,
    time: datetime | None = None,
) -> Envelope:
    """`source` defaults to the service that publishes the event's type."""
    spec = registry.for_model(type(event))
    return Envelope(
        source=source or f"/services/{spec.topic.split('.')[0]}",
        type=spec.type,
        time=time or utcnow(),
        subject=subject,
        dataschema=spec.dataschema,
        data=event.model_dump(mode="json"),
        sequence=sequence,
        correlationid=correlation_id or str(uuid.uuid4()),
    )


def publish(bootstrap: str, topic: str, *envelopes: Envelope) -> None:
    """Produces the envelopes, keyed by subject, and waits until the broker has them."""
    producer = Producer({"bootstrap.servers": bootstrap, "acks": "all"})
    for envelope in envelopes:
        producer.produce(
            topic,
            key=envelope.subject.encode(),
            value=envelope.to_json().encode(),
            headers=[("content-type", CONTENT_TYPE.encode())],
        )
    assert producer.flush(30) == 0
