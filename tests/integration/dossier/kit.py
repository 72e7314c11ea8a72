"""Real envelopes and Kafka records of the events the dossier service consumes, and a
dead-letter sink that keeps what it is sent."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from shared.events import topics
from shared.events.catalog import ProcedurePublished, ProcedureRevised
from shared.events.envelope import Envelope
from shared.events.payment import PaymentSettled
from shared.messaging.consumer import Message
from tests.support.events import envelope_of

_offsets = itertools.count()

BIRTH_REGISTRATION: dict[str, Any] = {
    "code": "1.001193",
    "version": 1,
    "name_vi": "Đăng ký khai sinh",
    "name_en": "Birth registration",
    "audience": "citizen",
    "sector_vi": "Hộ tịch",
    "sector_en": "Civil status",
    "agency_code": "btp",
    "agency_vi": "Bộ Tư pháp",
    "agency_en": "Ministry of Justice",
    "level": 4,
    "processing_days": 5,
    "fee": 50_000,
    "required_documents": [
        {
            "code": "TK-01",
            "name_vi": "Tờ khai đăng ký khai sinh",
            "name_en": "Birth registration form",
        },
        {
            "code": "GCS-01",
            "name_vi": "Giấy chứng sinh",
            "name_en": "Birth certificate from hospital",
        },
        {
            "code": "KH-01",
            "name_vi": "Giấy chứng nhận kết hôn",
            "name_en": "Marriage certificate",
            "mandatory": False,
        },
    ],
    "effective_from": date(2025, 1, 1),
}

BIRTH_DOCUMENTS = ["TK-01", "GCS-01"]


def message_of(envelope: Envelope, topic: str) -> Message:
    return Message(
        topic=topic,
        partition=0,
        offset=next(_offsets),
        value=envelope.to_json().encode(),
        key=envelope.subject.encode(),
    )


def procedure_published(**changes: Any) -> Envelope:
    event = ProcedurePublished.model_validate({**BIRTH_REGISTRATION, **changes})
    return envelope_of(
        event, f"procedure-{event.code}", event.version, "/services/catalog"
    )


def procedure_revised(**changes: Any) -> Envelope:
    event = ProcedureRevised.model_validate({**BIRTH_REGISTRATION, **changes})
    return envelope_of(
        event, f"procedure-{event.code}", event.version, "/services/catalog"
    )


def payment_settled(dossier_id: str, amount: int = 50_000, **changes: Any) -> Envelope:
    order_id = changes.pop("order_id", f"order-{uuid.uuid4().hex[:8]}")
    event = PaymentSettled(
        order_id=order_id,
        dossier_id=dossier_id,
        payer_id=changes.pop("payer_id", "subject-an"),
        amount=amount,
        gateway="vnpay-test",
        gateway_transaction_id=f"tx-{uuid.uuid4().hex[:8]}",
        settled_at=datetime(2025, 3, 7, 3, 0, tzinfo=UTC),
    )
    return envelope_of(event, f"order-{order_id}", 2, "/services/payment", **changes)


def catalog_message(envelope: Envelope) -> Message:
    return message_of(envelope, topics.CATALOG)


def payment_message(envelope: Envelope) -> Message:
    return message_of(envelope, topics.PAYMENT)


@dataclass
class KeptDeadLetters:
    """A dead-letter sink at the port the consumer owns: keeps what it is sent."""

    sent: list[tuple[Message, str]] = field(default_factory=list)
    flushes: int = 0

    def send(self, message: Message, reason: str) -> None:
        self.sent.append((message, reason))

    def flush(self) -> None:
        self.flushes += 1
