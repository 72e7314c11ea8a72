"""What the payment tests drive the service with: dossier events for its real
consumer, signed gateway confirmations, tokens, and a look into its store."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from services.payment.settings import PaymentSettings
from services.payment.signing import Confirmation, Outcome, SignedConfirmation, sign
from shared.devissuer import issue
from shared.events import topics
from shared.events.dossier import DossierSubmitted
from shared.events.envelope import Envelope
from shared.messaging.consumer import BatchOutcome, EventConsumer, Message
from shared.store import Database
from shared.store.schema import events, outbox
from tests.support.events import envelope_of

GATEWAY_SECRET = "integration-gateway-secret-0123456789"


@dataclass
class DeadLetterRecorder:
    """The dead-letter port, kept in memory: a test sees what would be sent."""

    sent: list[tuple[Message, str]] = field(default_factory=list)

    def send(self, message: Message, reason: str) -> None:
        self.sent.append((message, reason))

    def flush(self) -> None:
        return None


def dossier_submitted(
    fee: int = 135_000,
    applicant_id: str = "citizen-an",
    dossier_id: str | None = None,
) -> Envelope:
    dossier_id = dossier_id or str(uuid.uuid4())
    data = DossierSubmitted(
        dossier_id=dossier_id,
        dossier_code="G01.001.000-260302-0007",
        procedure_code="1.001757",
        procedure_version=1,
        procedure_name_vi="Cấp hộ chiếu phổ thông",
        agency_code="BCA-XNC",
        applicant_id=applicant_id,
        applicant_kind="citizen",
        fee=fee,
        submitted_at=datetime(2026, 3, 2, 2, 0, tzinfo=UTC),
    )
    return envelope_of(data, f"dossier-{dossier_id}")


def as_message(envelope: Envelope, offset: int = 0) -> Message:
    return Message(
        topic=topics.DOSSIER,
        partition=0,
        offset=offset,
        value=envelope.to_json().encode(),
        key=envelope.subject.encode(),
    )


@dataclass
class PaymentStore:
    """The service's store as a test sees it: fed through the real consumer."""

    settings: PaymentSettings
    db: Database
    consumer: EventConsumer
    dead_letters: DeadLetterRecorder
    key_dir: Path

    def deliver(self, *envelopes: Envelope) -> BatchOutcome:
        return self.consumer.handle_batch([as_message(e) for e in envelopes])

    def token(self, subject_id: str = "citizen-an") -> dict[str, str]:
        bearer = issue(subject_id, "citizen", key_dir=self.key_dir)
        return {"Authorization": f"Bearer {bearer}"}

    def outbox(self) -> list[Envelope]:
        with self.db.transaction() as session:
            rows = session.scalars(select(outbox.c.payload).order_by(outbox.c.position))
            return [Envelope.from_json(raw) for raw in rows]

    def stream(self, order_id: str) -> list[str]:
        query = (
            select(events.c.type)
            .where(events.c.stream_id == f"payment-order-{order_id}")
            .order_by(events.c.version)
        )
        with self.db.transaction() as session:
            return list(session.scalars(query))

    def order_id_for(self, dossier_id: str) -> str:
        requested = [e for e in self.outbox() if e.data["dossier_id"] == dossier_id]
        return str(requested[0].data["order_id"])

    def issue_order(self, **changes: Any) -> tuple[str, Envelope]:
        submitted = dossier_submitted(**changes)
        assert self.deliver(submitted).handled == 1
        return self.order_id_for(submitted.data["dossier_id"]), submitted


@dataclass
class PaymentService(PaymentStore):
    """The store, and the API in process in front of it."""

    client: TestClient


def confirmation(
    order_id: str,
    amount: int = 135_000,
    outcome: Outcome = "success",
    transaction_id: str = "SBX0000000000000001",
    secret: str = GATEWAY_SECRET,
) -> dict[str, Any]:
    unsigned = Confirmation(
        order_id=order_id,
        amount=amount,
        transaction_id=transaction_id,
        outcome=outcome,
        paid_at=datetime(2026, 3, 2, 2, 10, tzinfo=UTC),
    )
    signed: SignedConfirmation = sign(unsigned, secret.encode())
    return signed.model_dump(mode="json")
