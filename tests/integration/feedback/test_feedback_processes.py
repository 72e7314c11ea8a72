"""The feedback service as it runs: `worker` and `api` processes against a real broker.
A procedure published on catalog.events reaches the service's own projection, feedback
on it is routed to its agency, and FeedbackSubmitted comes out on feedback.events."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path

import httpx
from confluent_kafka import Consumer

from shared import devissuer
from shared.events import topics
from shared.events.catalog import ProcedurePublished
from shared.events.envelope import Envelope
from shared.messaging.admin import ensure_topics, portal_topics
from tests.support.events import envelope_of, publish
from tests.support.processes import PythonProcess, free_ports, wait_for


def publish_procedure(bootstrap: str, code: str, agency: str) -> None:
    event = ProcedurePublished(
        code=code,
        version=1,
        name_vi="Cấp giấy phép lái xe",
        name_en="Issuing a driving licence",
        audience="citizen",
        sector_vi="Đường bộ",
        sector_en="Road transport",
        agency_code=agency,
        agency_vi="Sở Giao thông vận tải",
        agency_en="Department of Transport",
        level=4,
        processing_days=10,
        fee=135_000,
        effective_from=date(2025, 1, 1),
    )
    publish(bootstrap, topics.CATALOG, envelope_of(event, f"procedure-{code}"))


def test_feedback_is_routed_by_the_projected_catalogue_and_published(
    kafka_bootstrap: str,
    unique: Callable[[str], str],
    spawn: Callable[..., PythonProcess],
    tmp_path: Path,
) -> None:
    ensure_topics(kafka_bootstrap, portal_topics(), partitions=3)
    devissuer.ensure_keys(tmp_path / "keys")
    [port] = free_ports(1)
    env = {
        "KAFKA_BOOTSTRAP": kafka_bootstrap,
        "PORTAL_JWKS": str(tmp_path / "keys" / "jwks.json"),
        "FEEDBACK_DATABASE_URL": f"sqlite:///{tmp_path / 'feedback.db'}",
        "FEEDBACK_GROUP_ID": unique("feedback"),
        "FEEDBACK_PORT": str(port),
    }
    spawn("services.feedback", "worker", env=env)
    api = spawn("services.feedback", "api", env=env)
    api.wait_for_http(f"http://127.0.0.1:{port}/health/live", timeout=60)

    code = f"T.{uuid.uuid4().hex[:8]}"
    agency = f"sgtvt-{uuid.uuid4().hex[:6]}"
    publish_procedure(kafka_bootstrap, code, agency)
    token = devissuer.issue("citizen-1", "citizen", key_dir=tmp_path / "keys")

    def submitted() -> httpx.Response | None:
        response = httpx.post(
            f"http://127.0.0.1:{port}/feedback",
            json={
                "about": "procedure",
                "procedure_code": code,
                "title": "Lịch sát hạch",
                "body": "Đề nghị thêm lịch sát hạch cuối tuần.",
            },
            headers={"Authorization": f"Bearer {token}"},
            trust_env=False,
        )
        # 404 until the worker has projected the procedure.
        return response if response.status_code != 404 else None

    response = api.wait_for(submitted, timeout=90, what="the procedure to be known")
    assert response.status_code == 201
    assert response.json()["agency_code"] == agency
    feedback_id = response.json()["id"]

    reader = Consumer(
        {
            "bootstrap.servers": kafka_bootstrap,
            "group.id": unique("reader"),
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
        }
    )
    reader.subscribe([topics.FEEDBACK])

    def published() -> Envelope | None:
        record = reader.poll(0.5)
        if record is None or record.error() is not None:
            return None
        envelope = Envelope.from_json(record.value())
        return envelope if envelope.data.get("feedback_id") == feedback_id else None

    try:
        envelope = wait_for(published, timeout=90, what="FeedbackSubmitted")
    finally:
        reader.close()
    assert envelope.type == "FeedbackSubmitted"
    assert envelope.subject == f"feedback-{feedback_id}"
    assert envelope.data["agency_code"] == agency
    assert envelope.data["procedure_code"] == code
