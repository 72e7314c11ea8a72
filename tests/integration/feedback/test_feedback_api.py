"""Feedback through the HTTP API on SQLite and PostgreSQL: routed to the responsible
agency by the service's own catalogue projection, read by its author and that agency's
officers only, and published as FeedbackSubmitted through the outbox."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from services.feedback.bootstrap import (
    build_app,
    catalogue_consumer,
    feedback_projection,
)
from services.feedback.readmodel import feedback
from services.feedback.settings import FeedbackSettings
from shared import devissuer
from shared.events import topics
from shared.events.catalog import (
    ProcedurePublished,
    ProcedureRevised,
    ProcedureWithdrawn,
)
from shared.events.envelope import Envelope
from shared.events.registry import EventData
from shared.messaging.consumer import EventConsumer, Message
from shared.messaging.dead_letters import LoggedDeadLetters
from shared.store import Database
from shared.store.schema import events, outbox
from tests.support.events import envelope_of

BIRTH = "1.001193"


@pytest.fixture
def client(store_url: str, key_dir: Path) -> Iterator[TestClient]:
    settings = FeedbackSettings(
        database_url=store_url, PORTAL_JWKS=str(key_dir / "jwks.json")
    )
    with TestClient(build_app(settings)) as test_client:
        yield test_client


@pytest.fixture
def db(client: TestClient) -> Database:
    return client.app.state.ctx.db  # type: ignore[attr-defined,no-any-return]


@pytest.fixture
def catalogue(db: Database) -> EventConsumer:
    return catalogue_consumer(db, LoggedDeadLetters())


def bearer(
    key_dir: Path, subject: str, kind: str = "citizen", agency: str | None = None
) -> dict[str, str]:
    token = devissuer.issue(subject, kind, agency=agency, key_dir=key_dir)
    return {"Authorization": f"Bearer {token}"}


def procedure(model: type[EventData], version: int, agency: str) -> EventData:
    return model.model_validate(
        {
            "code": BIRTH,
            "version": version,
            "name_vi": "Đăng ký khai sinh",
            "name_en": "Birth registration",
            "audience": "citizen",
            "sector_vi": "Hộ tịch",
            "sector_en": "Civil status",
            "agency_code": agency,
            "agency_vi": "Ủy ban nhân dân cấp xã",
            "agency_en": "Commune People's Committee",
            "level": 4,
            "processing_days": 1,
            "fee": 0,
            "effective_from": date(2025, 1, 1),
        }
    )


def record(event: EventData, offset: int) -> Message:
    envelope = envelope_of(event, f"procedure-{BIRTH}", offset + 1)
    return Message(topics.CATALOG, 0, offset, envelope.to_json().encode())


def about_birth(**changes: Any) -> dict[str, Any]:
    return {
        "about": "procedure",
        "procedure_code": BIRTH,
        "title": "Thời hạn giải quyết",
        "body": "Đề nghị trả kết quả trong ngày.",
        **changes,
    }


def test_feedback_on_a_procedure_goes_to_its_agency_and_is_published(
    client: TestClient, db: Database, catalogue: EventConsumer, key_dir: Path
) -> None:
    catalogue.handle_batch([record(procedure(ProcedurePublished, 1, "ubnd-xa"), 0)])

    response = client.post(
        "/feedback", json=about_birth(), headers=bearer(key_dir, "citizen-1")
    )

    assert response.status_code == 201
    shown = response.json()
    assert shown == {
        "id": shown["id"],
        "author_id": "citizen-1",
        "about": "procedure",
        "procedure_code": BIRTH,
        "agency_code": "ubnd-xa",
        "title": "Thời hạn giải quyết",
        "body": "Đề nghị trả kết quả trong ngày.",
        "status": "received",
        "status_vi": "Đã tiếp nhận",
        "status_en": "Received",
        "submitted_at": shown["submitted_at"],
    }
    submitted_at = datetime.fromisoformat(shown["submitted_at"])
    assert abs(datetime.now(UTC) - submitted_at).total_seconds() < 60

    with db.transaction() as session:
        rows = session.execute(select(outbox.c.topic, outbox.c.key, outbox.c.payload))
        [(topic, key, payload)] = rows.all()
    published = Envelope.from_json(payload)
    assert (topic, key) == ("feedback.events", f"feedback-{shown['id']}")
    assert published.type == "FeedbackSubmitted"
    assert published.data["agency_code"] == "ubnd-xa"
    assert published.data["author_id"] == "citizen-1"


def test_a_revision_reroutes_and_a_stale_one_does_not(
    client: TestClient, catalogue: EventConsumer, key_dir: Path
) -> None:
    catalogue.handle_batch(
        [
            record(procedure(ProcedurePublished, 1, "ubnd-xa"), 0),
            record(procedure(ProcedureRevised, 2, "ubnd-huyen"), 1),
            # Version 1 again, under a new event id: older than what is known.
            record(procedure(ProcedurePublished, 1, "ubnd-xa"), 2),
        ]
    )
    mine = bearer(key_dir, "citizen-1")

    assert (
        client.post("/feedback", json=about_birth(), headers=mine).json()["agency_code"]
        == "ubnd-huyen"
    )

    withdrawn = ProcedureWithdrawn(
        code=BIRTH, version=3, reason="Bãi bỏ", effective_from=date(2025, 6, 1)
    )
    catalogue.handle_batch([record(withdrawn, 3)])
    assert (
        client.post("/feedback", json=about_birth(), headers=mine).json()["agency_code"]
        == "ubnd-huyen"
    )


def test_feedback_on_a_regulation_naming_no_procedure_goes_to_the_default_agency(
    client: TestClient, key_dir: Path
) -> None:
    response = client.post(
        "/feedback",
        json={"about": "regulation", "title": "Quy định", "body": "Nên sửa đổi."},
        headers=bearer(key_dir, "business-1", kind="business"),
    )

    assert response.status_code == 201
    assert response.json()["agency_code"] == "vpcp"
    assert response.json()["procedure_code"] is None


def test_the_default_agency_is_a_setting(
    sqlite_url: str, key_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FEEDBACK_DEFAULT_AGENCY", "bo-tu-phap")
    settings = FeedbackSettings(
        database_url=sqlite_url, PORTAL_JWKS=str(key_dir / "jwks.json")
    )
    with TestClient(build_app(settings)) as client:
        response = client.post(
            "/feedback",
            json={"about": "regulation", "title": "Quy định", "body": "Nên sửa."},
            headers=bearer(key_dir, "citizen-1"),
        )
    assert response.json()["agency_code"] == "bo-tu-phap"


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        (about_birth(procedure_code="9.999999"), 404, None),
        (about_birth(procedure_code=None), 422, "procedure_code"),
        (about_birth(title="   "), 422, "title"),
        (about_birth(title=""), 422, None),
        (about_birth(body="x" * 5001), 422, None),
        (about_birth(about="weather"), 422, None),
        (about_birth(author_id="someone-else"), 422, None),
        # PostgreSQL refuses NUL in text: refused as invalid, not failed in the store.
        (about_birth(title="Thời hạn\x00"), 422, None),
        (about_birth(body="Đề nghị\x00trả kết quả"), 422, None),
        (about_birth(procedure_code=BIRTH + "\x00"), 422, None),
    ],
)
def test_a_refused_submission_is_a_problem_and_records_nothing(
    client: TestClient,
    db: Database,
    catalogue: EventConsumer,
    key_dir: Path,
    body: dict[str, Any],
    status: int,
    field: str | None,
) -> None:
    catalogue.handle_batch([record(procedure(ProcedurePublished, 1, "ubnd-xa"), 0)])

    response = client.post("/feedback", json=body, headers=bearer(key_dir, "c-1"))

    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert " / " in response.json()["title"]
    if field:
        assert response.json()["field"] == field
    with db.transaction() as session:
        assert session.execute(select(events.c.position)).all() == []


def test_without_a_token_nothing_is_accepted_or_shown(client: TestClient) -> None:
    assert client.post("/feedback", json=about_birth()).status_code == 401
    assert client.get("/feedback").status_code == 401


def test_feedback_is_read_by_its_author_and_the_agencys_officers_only(
    client: TestClient, catalogue: EventConsumer, key_dir: Path
) -> None:
    catalogue.handle_batch([record(procedure(ProcedurePublished, 1, "ubnd-xa"), 0)])
    author = bearer(key_dir, "citizen-1")
    first = client.post("/feedback", json=about_birth(title="Một"), headers=author)
    second = client.post("/feedback", json=about_birth(title="Hai"), headers=author)
    client.post("/feedback", json=about_birth(), headers=bearer(key_dir, "citizen-2"))
    feedback_id = first.json()["id"]

    listed = client.get("/feedback", headers=author).json()
    assert [f["title"] for f in listed["items"]] == ["Hai", "Một"]
    assert (listed["total"], listed["page"], listed["size"]) == (2, 1, 20)
    assert listed["items"][0] == second.json()

    readers = {
        "author": author,
        "officer of the agency": bearer(key_dir, "o-1", "officer", "ubnd-xa"),
        "officer elsewhere": bearer(key_dir, "o-2", "officer", "bo-cong-an"),
        "another citizen": bearer(key_dir, "citizen-2"),
    }
    statuses = {
        who: client.get(f"/feedback/{feedback_id}", headers=headers).status_code
        for who, headers in readers.items()
    }
    assert statuses == {
        "author": 200,
        "officer of the agency": 200,
        "officer elsewhere": 404,
        "another citizen": 404,
    }
    assert client.get(f"/feedback/{feedback_id}", headers=author).json() == first.json()
    assert client.get(f"/feedback/{uuid.uuid4()}", headers=author).status_code == 404


def test_the_feedback_read_model_rebuilds_from_its_own_events(
    client: TestClient, db: Database, key_dir: Path
) -> None:
    author = bearer(key_dir, "citizen-1")
    regulation = {"about": "regulation", "title": "Quy định", "body": "Nên sửa."}
    for _ in range(3):
        client.post("/feedback", json=regulation, headers=author)
    before = client.get("/feedback", headers=author).json()
    with db.transaction() as session:
        history = [
            Message("feedback.events", 0, position, payload.encode())
            for position, payload in session.execute(
                select(outbox.c.position, outbox.c.payload)
            )
        ]

    projection = feedback_projection(db)
    projection.reset()
    with db.transaction() as session:
        assert session.execute(select(feedback.c.id)).all() == []
    outcome = projection.handle_batch(history)

    assert outcome.handled == 3
    assert client.get("/feedback", headers=author).json() == before
