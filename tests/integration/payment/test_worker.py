"""The worker for real: a DossierSubmitted on dossier.events becomes a PaymentRequested
on payment.events, through the faust agent, the store and the outbox relay."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from confluent_kafka import Consumer, Message

from shared.events.envelope import CONTENT_TYPE, Envelope
from tests.integration.payment.harness import dossier_submitted
from tests.support import PythonProcess
from tests.support.events import publish

Unique = Callable[[str], str]


def test_the_worker_requests_payment_for_a_submitted_dossier(
    kafka_bootstrap: str,
    create_topics: Callable[..., list[str]],
    unique: Unique,
    spawn: Callable[..., PythonProcess],
    tmp_path: Path,
) -> None:
    prefix = unique("suite") + "."
    dossier_topic, payment_topic = create_topics(
        [prefix + "dossier.events", prefix + "payment.events"], partitions=3
    )
    submitted = dossier_submitted(fee=200_000, applicant_id="citizen-chi")
    publish(kafka_bootstrap, dossier_topic, submitted)

    worker = spawn(
        "services.payment",
        "worker",
        env={
            "KAFKA_BOOTSTRAP": kafka_bootstrap,
            "KAFKA_TOPIC_PREFIX": prefix,
            "PAYMENT_GROUP_ID": unique("payment"),
            "PAYMENT_DATABASE_URL": f"sqlite:///{tmp_path / 'payment.db'}",
        },
    )
    reader = Consumer(
        {
            "bootstrap.servers": kafka_bootstrap,
            "group.id": unique("reader"),
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
        }
    )
    reader.subscribe([payment_topic])
    try:
        record = worker.wait_for(
            lambda: _next_record(reader), timeout=120, what="a PaymentRequested"
        )
    finally:
        reader.close()

    requested = Envelope.from_json(record.value())
    assert requested.type == "PaymentRequested"
    assert requested.causationid == submitted.id
    assert requested.data["dossier_id"] == submitted.data["dossier_id"]
    assert (requested.data["payer_id"], requested.data["amount"]) == (
        "citizen-chi",
        200_000,
    )
    assert record.key() == f"payment-order-{requested.data['order_id']}".encode()
    assert ("content-type", CONTENT_TYPE.encode()) in record.headers()


def _next_record(reader: Consumer) -> Message | None:
    record = reader.poll(0.2)
    if record is None or record.error() is not None:
        return None
    return record
