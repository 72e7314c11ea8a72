"""Requests no frontend sends, on SQLite and PostgreSQL: each is answered with a
problem in Vietnamese and English for what it is, never a server error, and nothing
accepted is left that its own consumers cannot read."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from shared.events.envelope import Envelope
from shared.store import Database
from shared.store.schema import events
from tests.integration.dossier.test_submission import submit

Headers = dict[str, str]

pytestmark = pytest.mark.usefixtures("birth_registration")


def stored_events(db: Database) -> int:
    with db.transaction() as session:
        return session.scalar(select(func.count()).select_from(events)) or 0


def assert_problem(response: Any, status: int, title: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem: dict[str, Any] = response.json()
    assert (problem["status"], problem["title"]) == (status, title)
    return problem


def test_an_unknown_route_is_a_problem_in_both_languages(client: TestClient) -> None:
    assert_problem(client.get("/no-such-thing"), 404, "Không tìm thấy / Not found")


def test_a_method_the_route_does_not_take_names_one_it_does(
    client: TestClient, an: Headers
) -> None:
    response = client.delete("/dossiers", headers=an)

    assert_problem(response, 405, "Phương thức không được hỗ trợ / Method not allowed")
    # Starlette names the methods of the first route on the path only.
    assert response.headers["allow"] in ("GET", "POST")


def test_a_body_that_is_not_json_is_a_bad_request(
    client: TestClient, db: Database, an: Headers
) -> None:
    response = client.post(
        "/dossiers",
        content=b"\xff\xfe{",
        headers={**an, "Content-Type": "application/json"},
    )

    problem = assert_problem(response, 400, "Yêu cầu không hợp lệ / Bad request")
    assert problem["detail"] == "There was an error parsing the body"
    assert stored_events(db) == 0


@pytest.mark.parametrize(
    "path", ["/dossiers/%00", "/dossiers/abc%00def", "/dossiers?status=%00"]
)
def test_a_nul_character_in_the_path_or_query_is_invalid(
    client: TestClient, an: Headers, path: str
) -> None:
    assert_problem(
        client.get(path, headers=an), 422, "Dữ liệu không hợp lệ / Invalid data"
    )


def test_a_procedure_code_with_a_nul_character_is_invalid(
    client: TestClient, db: Database, an: Headers
) -> None:
    response = submit(client, an, procedure_code="1.001193\x00")

    assert_problem(response, 422, "Dữ liệu không hợp lệ / Invalid data")
    assert stored_events(db) == 0


@pytest.mark.parametrize(
    "body",
    [
        '{"procedure_code": "1.001193", "documents": ["TK-01", "\\ud800"]}',
        '{"procedure_code": "1.001193\\udfff", "documents": ["TK-01"]}',
        '{"procedure_code": "1.001193", "documents": [], "form": {"a": "\\ud800"}}',
    ],
    ids=["document", "procedure", "form"],
)
def test_text_with_a_lone_surrogate_is_invalid_not_a_server_error(
    client: TestClient, db: Database, an: Headers, body: str
) -> None:
    """JSON may escape half a character; such text cannot be stored, published or
    even echoed back in a problem's detail."""
    response = client.post(
        "/dossiers",
        content=body.encode(),
        headers={**an, "Content-Type": "application/json"},
    )

    assert_problem(response, 422, "Dữ liệu không hợp lệ / Invalid data")
    assert stored_events(db) == 0


def test_a_body_larger_than_any_dossier_is_refused_unread(
    client: TestClient, db: Database, an: Headers
) -> None:
    huge = json.dumps({"procedure_code": "1.001193", "form": {"a": "x" * 2**21}})

    response = client.post(
        "/dossiers",
        content=huge.encode(),
        headers={**an, "Content-Type": "application/json"},
    )

    assert_problem(response, 413, "Yêu cầu quá lớn / Request too large")
    assert stored_events(db) == 0


def test_a_streamed_body_is_refused_once_it_grows_too_large(
    client: TestClient, db: Database, an: Headers
) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"procedure_code": "1.001193", "form": {"a": "'
        for _ in range(40):
            yield b"x" * 64 * 1024
        yield b'"}}'

    response = client.post(
        "/dossiers",
        content=chunks(),
        headers={**an, "Content-Type": "application/json"},
    )

    assert "content-length" not in response.request.headers
    assert_problem(response, 413, "Yêu cầu quá lớn / Request too large")
    assert stored_events(db) == 0


def nested(depth: int) -> Any:
    form: Any = "lá"
    for _ in range(depth):
        form = {"a": form}
    return form


def test_a_form_nested_deeper_than_any_form_is_refused(
    client: TestClient, db: Database, an: Headers
) -> None:
    """Consumers parse events with a bounded nesting depth: a deeper form would make
    a DossierSubmitted nobody could read, and a dossier never asked to pay."""
    response = submit(client, an, form={"deep": nested(250)})

    problem = assert_problem(response, 422, "Dữ liệu không hợp lệ / Invalid data")
    assert "nested" in json.dumps(problem)
    assert stored_events(db) == 0


def test_a_form_nested_as_deep_as_allowed_is_stored_readable(
    client: TestClient, db: Database, an: Headers
) -> None:
    response = submit(client, an, form={"deep": nested(30)})

    assert response.status_code == 201, response.text
    with db.transaction() as session:
        [raw] = session.scalars(select(events.c.envelope))
    assert Envelope.from_json(raw).data["form"]["deep"] == nested(30)


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_a_form_with_a_number_json_cannot_carry_is_refused(
    client: TestClient, db: Database, an: Headers, number: str
) -> None:
    body = (
        '{"procedure_code": "1.001193", "documents": ["TK-01", "GCS-01"], '
        f'"form": {{"so_tien": {number}}}}}'
    )

    response = client.post(
        "/dossiers",
        content=body.encode(),
        headers={**an, "Content-Type": "application/json"},
    )

    assert_problem(response, 422, "Dữ liệu không hợp lệ / Invalid data")
    assert stored_events(db) == 0


def test_an_oversized_correlation_id_is_replaced_not_carried_into_events(
    client: TestClient, db: Database, an: Headers
) -> None:
    response = client.post(
        "/dossiers",
        json={"procedure_code": "1.001193", "documents": ["TK-01", "GCS-01"]},
        headers={**an, "X-Correlation-ID": "c" * 5000},
    )

    assert response.status_code == 201, response.text
    given = response.headers["X-Correlation-ID"]
    assert str(uuid.UUID(given)) == given
    with db.transaction() as session:
        [raw] = session.scalars(select(events.c.envelope))
    assert Envelope.from_json(raw).correlationid == given


def test_a_reasonable_correlation_id_is_kept(client: TestClient, an: Headers) -> None:
    response = client.get("/dossiers", headers={**an, "X-Correlation-ID": "kiosk-42"})

    assert response.headers["X-Correlation-ID"] == "kiosk-42"


def test_the_openapi_document_describes_refusals_as_problem_details(
    client: TestClient,
) -> None:
    document = client.get("/openapi.json").json()

    problem_ref = {"$ref": "#/components/schemas/Problem"}
    operations = [op for ops in document["paths"].values() for op in ops.values()]
    assert operations
    for operation in operations:
        refusals = operation["responses"]["4XX"]["content"]
        assert refusals["application/problem+json"]["schema"] == problem_ref
    submit_422 = document["paths"]["/dossiers"]["post"]["responses"]["422"]
    assert submit_422["content"] == {
        "application/problem+json": {"schema": problem_ref}
    }
    assert "HTTPValidationError" not in document["components"]["schemas"]
