"""The orders read model is disposable: dropped, it is rebuilt from payment.events
to the same rows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from services.payment.bootstrap import projection
from services.payment.readmodel import payment_orders
from shared.messaging.rebuild import rebuild
from shared.messaging.relay import OutboxRelay, idempotent_producer
from tests.integration.payment.harness import PaymentService, confirmation


def order_rows(service: PaymentService) -> list[dict[str, Any]]:
    query = select(payment_orders).order_by(payment_orders.c.order_id)
    with service.db.transaction() as session:
        return [dict(row) for row in session.execute(query).mappings()]


def test_the_read_model_rebuilds_from_history(
    service: PaymentService,
    kafka_bootstrap: str,
    create_topics: Callable[..., list[str]],
    unique: Callable[[str], str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    prefix = unique("suite") + "."
    monkeypatch.setenv("KAFKA_TOPIC_PREFIX", prefix)
    create_topics([prefix + "payment.events"], partitions=3)
    paid, _ = service.issue_order(fee=135_000)
    service.issue_order(fee=50_000)
    service.client.post("/payment-callbacks/sandbox", json=confirmation(paid))
    relay = OutboxRelay(service.db, idempotent_producer(kafka_bootstrap))
    assert relay.publish_batch() == 3
    before = order_rows(service)

    outcome = rebuild(projection(service.db), kafka_bootstrap)

    assert outcome.handled == 3
    assert order_rows(service) == before
    assert [row["status"] for row in before if row["order_id"] == paid] == ["settled"]
