"""Submitting with an Idempotency-Key, on SQLite and PostgreSQL: a retried request
answers with the dossier its key created and appends nothing; a key is the
applicant's own, names one request only, and outlives a rebuild of the read model.
Races for one key are in test_concurrency."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import func, select

from services.dossier.bootstrap import projection
from services.dossier.idempotency import submission_keys
from services.dossier.readmodel import dossiers
from shared.events import topics
from shared.store import Database, EventStore
from shared.store.schema import events, outbox
from tests.integration.dossier.kit import BIRTH_DOCUMENTS, message_of

Headers = dict[str, str]

pytestmark = pytest.mark.usefixtures("birth_registration")

KEY = "0b6f3c1e-5d2a-4f7e-9c41-7a2d8e6b1f03"


def submit(
    client: TestClient, headers: Headers, key: str | bytes | None, **changes: Any
) -> Response:
    body = {
        "procedure_code": "1.001193",
        "form": {"ho_ten_tre": "Nguyễn Thị Bình", "ngay_sinh": "2025-02-28"},
        "documents": BIRTH_DOCUMENTS,
        **changes,
    }
    keyed: dict[str, Any] = {} if key is None else {"Idempotency-Key": key}
    return client.post("/dossiers", json=body, headers={**headers, **keyed})


def count(db: Database, table: Any, *where: Any) -> int:
    with db.transaction() as session:
        query = select(func.count()).select_from(table).where(*where)
        return session.scalar(query) or 0


def submitted_events(db: Database) -> int:
    return count(db, events, events.c.type == "DossierSubmitted")


def test_a_retried_submission_answers_with_the_same_dossier_and_appends_nothing(
    client: TestClient, db: Database, an: Headers
) -> None:
    first = submit(client, an, KEY)
    again = submit(client, an, KEY)

    assert first.status_code == 201, first.text
    assert "Idempotent-Replayed" not in first.headers
    assert again.status_code == 200, again.text
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.headers["Location"] == f"/dossiers/{first.json()['id']}"
    assert again.json() == first.json()
    assert submitted_events(db) == 1
    assert count(db, outbox) == 1
    assert count(db, dossiers) == 1


def test_the_same_body_written_differently_is_the_same_request(
    client: TestClient, db: Database, an: Headers
) -> None:
    first = submit(client, an, KEY, form={"a": 1, "b": [1, 2]})
    body = '{"documents":["TK-01","GCS-01"],"form":{"b":[1,2],"a":1},'
    body += ' "procedure_code": "1.001193"}'
    headers = {**an, "Idempotency-Key": KEY, "Content-Type": "application/json"}
    again = client.post("/dossiers", content=body, headers=headers)

    assert (first.status_code, again.status_code) == (201, 200), again.text
    assert again.json()["id"] == first.json()["id"]
    assert submitted_events(db) == 1


def test_a_key_reused_with_a_different_request_is_refused(
    client: TestClient, db: Database, an: Headers
) -> None:
    first = submit(client, an, KEY)
    other = submit(client, an, KEY, form={"ho_ten_tre": "Nguyễn Văn Cường"})

    assert first.status_code == 201, first.text
    assert other.status_code == 422
    assert other.headers["content-type"] == "application/problem+json"
    problem = other.json()
    assert problem["title"] == (
        "Khóa idempotency đã dùng cho yêu cầu khác / "
        "Idempotency key reused with a different request"
    )
    assert problem["dossier_id"] == first.json()["id"]
    assert submitted_events(db) == 1


def test_a_key_is_the_applicants_own(
    client: TestClient,
    db: Database,
    an: Headers,
    bearer: Callable[..., Headers],
) -> None:
    binh = bearer("subject-binh", "citizen")

    of_an = submit(client, an, KEY)
    of_binh = submit(client, binh, KEY)

    assert (of_an.status_code, of_binh.status_code) == (201, 201), of_binh.text
    assert of_binh.json()["id"] != of_an.json()["id"]
    assert of_binh.json()["applicant_id"] == "subject-binh"
    assert submitted_events(db) == 2


def test_without_a_key_each_submission_is_a_new_dossier(
    client: TestClient, db: Database, an: Headers
) -> None:
    first = submit(client, an, None)
    second = submit(client, an, None)

    assert (first.status_code, second.status_code) == (201, 201), second.text
    assert first.json()["id"] != second.json()["id"]
    assert submitted_events(db) == 2
    assert count(db, submission_keys) == 0


def test_a_refused_submission_leaves_its_key_free_for_the_corrected_one(
    client: TestClient, db: Database, an: Headers
) -> None:
    refused = submit(client, an, KEY, documents=["TK-01"])
    corrected = submit(client, an, KEY)

    assert refused.status_code == 422, refused.text
    assert corrected.status_code == 201, corrected.text
    assert submitted_events(db) == 1


@pytest.mark.parametrize(
    "key",
    ["", "a" * 101, "two words", "khóa".encode()],
    ids=["empty", "too-long", "space", "not-ascii"],
)
def test_a_malformed_key_is_refused_before_anything_is_decided(
    client: TestClient, db: Database, an: Headers, key: str | bytes
) -> None:
    response = submit(client, an, key)

    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == (
        "Idempotency-Key must be 1 to 100 visible ASCII characters"
    )
    assert (submitted_events(db), count(db, submission_keys)) == (0, 0)


def test_a_key_of_a_hundred_visible_characters_is_taken(
    client: TestClient, db: Database, an: Headers
) -> None:
    key = "!~" * 50

    assert submit(client, an, key).status_code == 201
    assert submit(client, an, key).status_code == 200
    assert submitted_events(db) == 1


def test_a_key_outlives_a_rebuild_of_the_read_model(
    client: TestClient, db: Database, an: Headers
) -> None:
    first = submit(client, an, KEY)
    rebuilt = projection(db)
    rebuilt.reset()
    with db.transaction() as session:
        stored = EventStore("dossier").read_all(session)
    outcome = rebuilt.handle_batch(
        [message_of(s.envelope, topics.DOSSIER) for s in stored]
    )
    again = submit(client, an, KEY)

    assert outcome.handled == 1
    assert again.status_code == 200, again.text
    assert again.json()["id"] == first.json()["id"]
    assert submitted_events(db) == 1
