"""The notification service as it runs: `worker`, `api` and `rebuild` processes against
a real broker. A DossierSubmitted published on dossier.events reaches the applicant's
inbox, comes back out as NotificationSent on notification.events, and survives a
rebuild of the inbox."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from confluent_kafka import Consumer

from services.notification.domain import notification_id
from shared import devissuer
from shared.events import topics
from shared.events.dossier import DossierSubmitted
from shared.events.envelope import Envelope
from shared.messaging.admin import ensure_topics, portal_topics
from tests.support.events import envelope_of, publish
from tests.support.processes import PythonProcess, free_ports, wait_for


@pytest.fixture
def topic_reader(
    kafka_bootstrap: str, unique: Callable[[str], str]
) -> Iterator[Callable[[str], Consumer]]:
    opened: list[Consumer] = []

    def open_reader(topic: str) -> Consumer:
        reader = Consumer(
            {
                "bootstrap.servers": kafka_bootstrap,
                "group.id": unique("reader"),
                "auto.offset.reset": "earliest",
                "enable.auto.commit": False,
            }
        )
        reader.subscribe([topic])
        opened.append(reader)
        return reader

    yield open_reader
    for reader in opened:
        reader.close()


def test_a_submitted_dossier_reaches_the_inbox_and_is_published_as_sent(
    kafka_bootstrap: str,
    unique: Callable[[str], str],
    spawn: Callable[..., PythonProcess],
    topic_reader: Callable[[str], Consumer],
    tmp_path: Path,
) -> None:
    ensure_topics(kafka_bootstrap, portal_topics(), partitions=3)
    devissuer.ensure_keys(tmp_path / "keys")
    [port] = free_ports(1)
    env = {
        "KAFKA_BOOTSTRAP": kafka_bootstrap,
        "PORTAL_JWKS": str(tmp_path / "keys" / "jwks.json"),
        "NOTIFICATION_DATABASE_URL": f"sqlite:///{tmp_path / 'notification.db'}",
        "NOTIFICATION_GROUP_ID": unique("notification"),
        "NOTIFICATION_PORT": str(port),
    }
    worker = spawn("services.notification", "worker", env=env)
    api = spawn("services.notification", "api", env=env)
    api.wait_for_http(f"http://127.0.0.1:{port}/health/live", timeout=60)

    applicant = f"citizen-{uuid.uuid4()}"
    event = DossierSubmitted(
        dossier_id=str(uuid.uuid4()),
        dossier_code="000.00.00.H29-250305-0042",
        procedure_code="1.001193",
        procedure_version=1,
        procedure_name_vi="Đăng ký khai sinh",
        agency_code="ubnd-xa",
        applicant_id=applicant,
        applicant_kind="citizen",
        fee=135_000,
        submitted_at=datetime(2025, 3, 5, 7, 30, tzinfo=UTC),
    )
    envelope = envelope_of(event, f"dossier-{event.dossier_id}")
    publish(kafka_bootstrap, topics.DOSSIER, envelope)

    token = devissuer.issue(applicant, "citizen", key_dir=tmp_path / "keys")

    def my_inbox() -> list[dict[str, object]]:
        response = httpx.get(
            f"http://127.0.0.1:{port}/inbox",
            headers={"Authorization": f"Bearer {token}"},
            trust_env=False,
        )
        return response.json()["items"]  # type: ignore[no-any-return]

    [message] = api.wait_for(my_inbox, timeout=90, what="the inbox message")
    assert message["id"] == notification_id(envelope.id, "inbox")
    assert message["title_vi"] == "Đã nộp hồ sơ 000.00.00.H29-250305-0042"
    assert "135.000 ₫" in str(message["body_vi"])

    reader = topic_reader(topics.NOTIFICATION)

    def sent_for_our_event() -> Envelope | None:
        record = reader.poll(0.5)
        if record is None or record.error() is not None:
            return None
        published = Envelope.from_json(record.value())
        if published.data.get("cause_event_id") != envelope.id:
            return None
        return published

    sent = wait_for(sent_for_our_event, timeout=90, what="NotificationSent")
    assert sent.type == "NotificationSent"
    assert sent.data["recipient_id"] == applicant
    assert sent.causationid == envelope.id
    assert sent.correlationid == envelope.correlationid

    # The read model is disposable: rebuilt from the topics, it holds the same.
    worker.stop()
    rebuild = spawn("services.notification", "rebuild", env=env)
    rebuild.wait_for(
        lambda: rebuild.returncode is not None, timeout=120, what="rebuild"
    )
    assert rebuild.returncode == 0, rebuild.log_tail()
    assert my_inbox() == [message]
