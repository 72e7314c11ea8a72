"""Dossier and payment events become inbox messages and NotificationSent events exactly
once, on SQLite and PostgreSQL, and each recipient reads only their own."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, func, select

from services.notification.bootstrap import INBOX_CONSUMER, build_app, inbox_consumer
from services.notification.domain import notification_id
from services.notification.readmodel import inbox_messages
from services.notification.settings import NotificationSettings
from shared import devissuer
from shared.events.dossier import DossierAccepted, DossierSubmitted
from shared.events.envelope import Envelope
from shared.events.payment import PaymentRequested
from shared.events.registry import EventData, registry
from shared.messaging.consumer import EventConsumer, Message
from shared.store import Database
from shared.store.schema import inbox, outbox
from tests.support.events import envelope_of

T0 = datetime(2025, 3, 5, 7, 30, tzinfo=UTC)
CODE = "000.00.00.H29-250305-0001"


class RecordedDeadLetters:
    def __init__(self) -> None:
        self.sent: list[tuple[Message, str]] = []

    def send(self, message: Message, reason: str) -> None:
        self.sent.append((message, reason))

    def flush(self) -> None:
        return None


@pytest.fixture
def client(store_url: str, key_dir: Path) -> Iterator[TestClient]:
    settings = NotificationSettings(
        database_url=store_url, PORTAL_JWKS=str(key_dir / "jwks.json")
    )
    with TestClient(build_app(settings)) as test_client:
        yield test_client


@pytest.fixture
def db(client: TestClient) -> Database:
    return client.app.state.ctx.db  # type: ignore[attr-defined,no-any-return]


@pytest.fixture
def dead_letters() -> RecordedDeadLetters:
    return RecordedDeadLetters()


@pytest.fixture
def consumer(db: Database, dead_letters: RecordedDeadLetters) -> EventConsumer:
    return inbox_consumer(db, dead_letters)


def bearer(key_dir: Path, subject: str) -> dict[str, str]:
    token = devissuer.issue(subject, "citizen", key_dir=key_dir)
    return {"Authorization": f"Bearer {token}"}


def message(event: EventData, at: datetime, offset: int) -> tuple[Envelope, Message]:
    spec = registry.for_model(type(event))
    subject = getattr(event, "dossier_id", "subject")
    envelope = envelope_of(event, subject, time=at)
    record = Message(
        topic=spec.topic,
        partition=0,
        offset=offset,
        value=envelope.to_json().encode(),
        key=subject.encode(),
    )
    return envelope, record


def journey(applicant: str, dossier_id: str) -> list[tuple[Envelope, Message]]:
    """A submission, its payment request and its acceptance, a minute apart."""
    events: list[EventData] = [
        DossierSubmitted(
            dossier_id=dossier_id,
            dossier_code=CODE,
            procedure_code="1.001193",
            procedure_version=1,
            procedure_name_vi="Đăng ký khai sinh",
            agency_code="ubnd-xa",
            applicant_id=applicant,
            applicant_kind="citizen",
            fee=135_000,
            submitted_at=T0,
        ),
        PaymentRequested(
            order_id=f"order-{dossier_id}",
            dossier_id=dossier_id,
            payer_id=applicant,
            amount=135_000,
            description_vi=f"Lệ phí hồ sơ {CODE}",
            gateway="vnpay",
            expires_at=T0 + timedelta(days=1),
        ),
        DossierAccepted(
            dossier_id=dossier_id,
            applicant_id=applicant,
            accepted_by="officer-1",
            due_date=date(2025, 3, 12),
        ),
    ]
    return [
        message(event, T0 + timedelta(minutes=i), offset=i)
        for i, event in enumerate(events)
    ]


def sent_notifications(db: Database) -> list[dict[str, object]]:
    with db.transaction() as session:
        payloads = session.scalars(select(outbox.c.payload).order_by(outbox.c.position))
        envelopes = [Envelope.from_json(p) for p in payloads]
    return [e.data for e in envelopes if e.type == "NotificationSent"]


def inbox_count(db: Database) -> int:
    with db.transaction() as session:
        return session.scalar(select(func.count()).select_from(inbox_messages)) or 0


def test_each_event_notifies_once_across_redelivery(
    db: Database, consumer: EventConsumer, dead_letters: RecordedDeadLetters
) -> None:
    batch = journey("citizen-1", "dossier-1")
    records = [record for _, record in batch]

    first = consumer.handle_batch(records)
    again = consumer.handle_batch(records)

    assert (first.handled, first.duplicates) == (3, 0)
    assert (again.handled, again.duplicates) == (0, 3)
    assert dead_letters.sent == []
    assert inbox_count(db) == 3
    sent = sent_notifications(db)
    assert sent == [
        {
            "notification_id": notification_id(envelope.id, "inbox"),
            "recipient_id": "citizen-1",
            "channel": "inbox",
            "template": template,
            "cause_event_id": envelope.id,
        }
        for (envelope, _), template in zip(
            batch,
            ["dossier-submitted.v1", "payment-requested.v1", "dossier-accepted.v1"],
            strict=True,
        )
    ]
    with db.transaction() as session:
        keys = session.scalars(select(outbox.c.key).order_by(outbox.c.position)).all()
    assert keys == [f"notification-{n['notification_id']}" for n in sent]


def test_a_redelivery_the_consumer_inbox_forgot_still_notifies_once(
    db: Database, consumer: EventConsumer
) -> None:
    records = [record for _, record in journey("citizen-1", "dossier-1")]
    consumer.handle_batch(records)
    with db.transaction() as session:
        session.execute(delete(inbox).where(inbox.c.consumer == INBOX_CONSUMER))

    outcome = consumer.handle_batch(records)

    assert outcome.handled == 3  # the consumer's inbox no longer knew them
    assert inbox_count(db) == 3
    assert len(sent_notifications(db)) == 3


def test_inbox_lists_only_the_callers_messages_newest_first(
    client: TestClient, consumer: EventConsumer, key_dir: Path
) -> None:
    consumer.handle_batch(
        [r for _, r in journey("citizen-1", "dossier-1")]
        + [r for _, r in journey("citizen-2", "dossier-2")]
    )

    response = client.get("/inbox", headers=bearer(key_dir, "citizen-1"))

    assert response.status_code == 200
    page = response.json()
    assert (page["total"], page["unread"], page["page"], page["size"]) == (3, 3, 1, 20)
    assert [m["cause_type"] for m in page["items"]] == [
        "DossierAccepted",
        "PaymentRequested",
        "DossierSubmitted",
    ]
    assert {m["dossier_id"] for m in page["items"]} == {"dossier-1"}
    accepted, requested, submitted = page["items"]
    assert submitted["title_vi"] == f"Đã nộp hồ sơ {CODE}"
    assert "Lệ phí: 135.000 ₫" in submitted["body_vi"]
    assert "14:30 ngày 05/03/2025" in submitted["body_vi"]
    assert submitted["title_en"] == f"Dossier {CODE} submitted"
    assert submitted["created_at"] == "2025-03-05T07:30:00Z"
    assert requested["title_vi"] == "Yêu cầu thanh toán 135.000 ₫"
    assert CODE in accepted["body_vi"]  # the dossier's code, remembered
    assert accepted["read_at"] is None and accepted["read"] is False

    second_page = client.get(
        "/inbox", params={"page": 2, "size": 2}, headers=bearer(key_dir, "citizen-1")
    ).json()
    assert [m["id"] for m in second_page["items"]] == [submitted["id"]]

    stranger = client.get("/inbox", headers=bearer(key_dir, "citizen-3")).json()
    assert (stranger["items"], stranger["total"], stranger["unread"]) == ([], 0, 0)


def test_the_recipient_marks_a_message_read_and_no_one_else_can(
    client: TestClient, db: Database, consumer: EventConsumer, key_dir: Path
) -> None:
    batch = journey("citizen-1", "dossier-1")
    consumer.handle_batch([r for _, r in batch])
    submitted_id = notification_id(batch[0][0].id, "inbox")
    mine = bearer(key_dir, "citizen-1")

    marked = client.post(f"/inbox/{submitted_id}/read", headers=mine)
    again = client.post(f"/inbox/{submitted_id}/read", headers=mine)
    theirs = client.post(
        f"/inbox/{submitted_id}/read", headers=bearer(key_dir, "citizen-2")
    )
    missing = client.post(f"/inbox/{uuid.uuid4()}/read", headers=mine)
    anonymous = client.post(f"/inbox/{submitted_id}/read")

    assert marked.status_code == 200
    assert marked.json()["id"] == submitted_id
    assert marked.json()["read"] is True
    assert again.status_code == 200
    assert again.json()["read_at"] == marked.json()["read_at"]
    assert theirs.status_code == 404
    assert theirs.headers["content-type"] == "application/problem+json"
    assert theirs.json()["title"] == "Không tìm thấy / Not found"
    assert missing.status_code == 404
    assert anonymous.status_code == 401

    page = client.get("/inbox", headers=mine).json()
    assert page["unread"] == 2
    assert (
        client.get("/inbox", params={"only_unread": True}, headers=mine).json()["total"]
        == 2
    )
    with db.transaction() as session:
        payloads = session.scalars(select(outbox.c.payload)).all()
    read_events = [json.loads(p) for p in payloads if '"NotificationRead"' in p]
    assert len(read_events) == 1
    assert read_events[0]["data"]["notification_id"] == submitted_id


def test_a_rebuilt_inbox_has_the_same_messages_and_read_marks_and_sends_nothing(
    client: TestClient, db: Database, consumer: EventConsumer, key_dir: Path
) -> None:
    batch = journey("citizen-1", "dossier-1")
    records = [record for _, record in batch]
    consumer.handle_batch(records)
    mine = bearer(key_dir, "citizen-1")
    read = client.post(
        f"/inbox/{notification_id(batch[1][0].id, 'inbox')}/read", headers=mine
    ).json()
    before = client.get("/inbox", headers=mine).json()

    consumer.reset()
    assert inbox_count(db) == 0
    outcome = consumer.handle_batch(records)
    after = client.get("/inbox", headers=mine).json()

    assert outcome.handled == 3
    assert after == before
    assert after["items"][1]["read_at"] == read["read_at"]
    assert len(sent_notifications(db)) == 3


def test_an_event_its_contract_refuses_is_dead_lettered_and_sends_nothing(
    db: Database, consumer: EventConsumer, dead_letters: RecordedDeadLetters
) -> None:
    envelope, _ = message(
        DossierAccepted(
            dossier_id="d-9", applicant_id="c-9", accepted_by="o", due_date=date.today()
        ),
        T0,
        offset=0,
    )
    no_applicant = envelope.model_copy(update={"data": {"dossier_id": "d-9"}})
    poison = Message("dossier.events", 0, 1, no_applicant.to_json().encode())

    outcome = consumer.handle_batch([poison])

    assert len(outcome.dead_lettered) == 1
    assert "invalid DossierAccepted data" in dead_letters.sent[0][1]
    assert inbox_count(db) == 0
    assert sent_notifications(db) == []


def test_a_message_id_with_a_nul_character_is_invalid_not_a_server_error(
    client: TestClient, key_dir: Path
) -> None:
    response = client.post("/inbox/abc%00/read", headers=bearer(key_dir, "c-1"))

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["title"] == "Dữ liệu không hợp lệ / Invalid data"


# A producer's garbled header once made handle_batch raise and cost its whole batch.
def test_an_undecodable_trace_header_spares_the_batch(
    db: Database, consumer: EventConsumer, dead_letters: RecordedDeadLetters
) -> None:
    (_, first), (_, second), (_, third) = journey("c-1", "d-1")
    garbled = Message(
        second.topic,
        second.partition,
        second.offset,
        second.value,
        second.key,
        headers=(("traceparent", b"\xff\xfe"),),
    )

    outcome = consumer.handle_batch([first, garbled, third])

    # The header is no trace context; the event itself is sound and is handled.
    assert outcome.handled == 3
    assert outcome.dead_lettered == []
    assert inbox_count(db) == 3


# An event id PostgreSQL cannot hold (NUL) once made handle_batch raise there.
def test_an_event_id_the_store_cannot_hold_spares_the_rest_of_its_batch(
    db: Database,
    consumer: EventConsumer,
) -> None:
    (first_envelope, first), (_, second), (_, third) = journey("c-1", "d-1")
    nul_id = first_envelope.model_copy(update={"id": "id-with-\x00-inside"})
    first = Message(first.topic, 0, first.offset, nul_id.to_json().encode())

    outcome = consumer.handle_batch([first, second, third])

    assert outcome.handled == 2
    assert len(outcome.dead_lettered) == 1
    assert outcome.dead_lettered[0].startswith("malformed envelope: id")
    assert inbox_count(db) == 2
