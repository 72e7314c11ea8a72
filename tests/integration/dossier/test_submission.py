"""Submitting dossiers through the HTTP API, on SQLite and PostgreSQL: checks against
the service's copy of the catalogue, the stored event and its outbox row, national
codes, and who may see what."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import func, select

from services.dossier.domain import VIETNAM
from services.dossier.numbering import dossier_codes
from shared.events import topics
from shared.events.catalog import ProcedureWithdrawn
from shared.messaging.consumer import EventConsumer
from shared.store import Database, EventStore
from shared.store.schema import events, outbox
from tests.integration.dossier.kit import (
    BIRTH_DOCUMENTS,
    catalog_message,
    envelope_of,
    procedure_published,
)

Headers = dict[str, str]

pytestmark = pytest.mark.usefixtures("birth_registration")


def submit(client: TestClient, headers: Headers, **changes: Any) -> Response:
    body = {
        "procedure_code": "1.001193",
        "form": {"ho_ten_tre": "Nguyễn Thị Bình", "ngay_sinh": "2025-02-28"},
        "documents": BIRTH_DOCUMENTS,
        **changes,
    }
    return client.post("/dossiers", json=body, headers=headers)


def today_in_viet_nam() -> str:
    return f"{datetime.now(VIETNAM):%y%m%d}"


def count(db: Database, table: Any) -> int:
    with db.transaction() as session:
        return session.scalar(select(func.count()).select_from(table)) or 0


def test_a_citizen_submits_a_dossier_that_awaits_its_fee(
    client: TestClient, db: Database, an: Headers
) -> None:
    response = submit(client, an)

    assert response.status_code == 201, response.text
    dossier = response.json()
    assert response.headers["Location"] == f"/dossiers/{dossier['id']}"
    assert dossier["code"] == f"BTP-{today_in_viet_nam()}-000001"
    assert dossier["procedure_code"] == "1.001193"
    assert dossier["procedure_version"] == 1
    assert dossier["procedure_name_vi"] == "Đăng ký khai sinh"
    assert dossier["agency_code"] == "btp"
    assert dossier["applicant_id"] == "subject-an"
    assert dossier["applicant_kind"] == "citizen"
    assert dossier["status"] == "awaiting_payment"
    assert dossier["status_label"] == "Chờ thanh toán lệ phí / Awaiting payment"
    assert (dossier["fee"], dossier["fee_paid"], dossier["version"]) == (50_000, 0, 1)
    assert dossier["submitted_at"].endswith("+07:00")
    [step] = dossier["history"]
    assert step["sequence"] == 1
    assert step["type"] == "DossierSubmitted"
    assert step["summary"] == (
        f"Đã nộp hồ sơ {dossier['code']}: Đăng ký khai sinh; lệ phí 50.000 đồng / "
        f"Dossier {dossier['code']} submitted for procedure 1.001193; fee 50,000 VND"
    )


def test_the_stored_event_names_the_applicant_by_subject_never_by_personal_id(
    client: TestClient, db: Database, an: Headers
) -> None:
    dossier = submit(client, an).json()

    with db.transaction() as session:
        [stored] = EventStore("dossier").load(session, f"dossier-{dossier['id']}")
        [(topic, key, payload)] = session.execute(
            select(outbox.c.topic, outbox.c.key, outbox.c.payload)
        ).all()
    assert stored.type == "DossierSubmitted"
    assert stored.source == "/services/dossier"
    assert stored.dataschema == "urn:portal:schema:DossierSubmitted:v2"
    assert stored.data["applicant_id"] == "subject-an"
    assert stored.data["dossier_code"] == dossier["code"]
    assert stored.data["fee"] == 50_000
    assert stored.data["processing_days"] == 5
    assert stored.data["documents"] == BIRTH_DOCUMENTS
    assert (topic, key) == (topics.DOSSIER, f"dossier-{dossier['id']}")
    assert "001099012345" not in payload
    assert payload == stored.to_json()


def test_a_free_procedure_sends_the_dossier_straight_to_the_agency(
    client: TestClient, catalogue: EventConsumer, an: Headers
) -> None:
    catalogue.handle_batch([catalog_message(procedure_published(code="2.000", fee=0))])

    dossier = submit(client, an, procedure_code="2.000").json()

    assert dossier["status"] == "submitted"
    assert dossier["status_label"] == (
        "Đã nộp, chờ cơ quan tiếp nhận / Submitted, awaiting the agency"
    )
    assert dossier["fee"] == 0
    assert "lệ phí" not in dossier["history"][0]["summary"]


def test_missing_mandatory_documents_are_refused_and_named_in_both_languages(
    client: TestClient, db: Database, an: Headers
) -> None:
    response = submit(client, an, documents=["TK-01", "KH-01"])

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["title"] == "Dữ liệu không hợp lệ / Invalid data"
    assert problem["missing_documents"] == [
        {
            "code": "GCS-01",
            "name_vi": "Giấy chứng sinh",
            "name_en": "Birth certificate from hospital",
        }
    ]
    assert problem["unknown_documents"] == []
    assert (count(db, events), count(db, dossier_codes)) == (0, 0)


def test_document_codes_the_procedure_does_not_ask_for_are_refused(
    client: TestClient, db: Database, an: Headers
) -> None:
    response = submit(client, an, documents=[*BIRTH_DOCUMENTS, "XYZ"])

    assert response.status_code == 422
    assert response.json()["unknown_documents"] == ["XYZ"]
    assert count(db, events) == 0


def test_a_procedure_missing_from_the_catalogue_is_not_found(
    client: TestClient, an: Headers
) -> None:
    response = submit(client, an, procedure_code="9.999999")

    assert response.status_code == 404
    assert response.json()["procedure_code"] == "9.999999"


def test_a_withdrawn_procedure_refuses_dossiers(
    client: TestClient, db: Database, catalogue: EventConsumer, an: Headers
) -> None:
    withdrawn = ProcedureWithdrawn(
        code="1.001193", version=1, reason="bãi bỏ", effective_from=date(2025, 3, 1)
    )
    catalogue.handle_batch([catalog_message(envelope_of(withdrawn, "procedure-1", 2))])

    response = submit(client, an)

    assert response.status_code == 409
    assert "withdrawn" in response.json()["detail"]
    assert count(db, events) == 0


def test_only_citizens_and_businesses_with_a_valid_token_submit(
    client: TestClient, bearer: Callable[..., Headers]
) -> None:
    officer = bearer("officer-1", "officer", agency="btp")
    company = bearer("subject-company", "business", personal_id="0101234567")

    assert submit(client, officer).status_code == 403
    assert submit(client, {}).status_code == 401
    assert submit(client, {"Authorization": "Bearer forged"}).status_code == 401
    assert submit(client, company).json()["applicant_kind"] == "business"


def test_a_malformed_body_is_refused_before_anything_is_decided(
    client: TestClient, db: Database, an: Headers
) -> None:
    assert submit(client, an, documents="TK-01").status_code == 422
    assert submit(client, an, procedure_code="").status_code == 422
    assert submit(client, an, surprise=True).status_code == 422
    assert submit(client, an, form={"x": "a" * 70_000}).status_code == 422
    assert count(db, events) == 0


def test_codes_run_in_sequence_per_agency_and_day(
    client: TestClient, catalogue: EventConsumer, an: Headers
) -> None:
    catalogue.handle_batch(
        [catalog_message(procedure_published(code="3.000", agency_code="bca"))]
    )
    day = today_in_viet_nam()

    codes = [submit(client, an).json()["code"] for _ in range(3)]
    other = submit(client, an, procedure_code="3.000").json()["code"]

    assert codes == [f"BTP-{day}-00000{n}" for n in (1, 2, 3)]
    assert other == f"BCA-{day}-000001"


def test_an_applicant_lists_their_own_dossiers_newest_first(
    client: TestClient, an: Headers, bearer: Callable[..., Headers]
) -> None:
    submitted = [submit(client, an).json()["code"] for _ in range(3)]
    submit(client, bearer("subject-binh"))

    page_one = client.get("/dossiers", params={"size": 2}, headers=an).json()
    page_two = client.get("/dossiers?size=2&page=2", headers=an).json()

    assert (page_one["total"], page_one["page"], page_one["size"]) == (3, 1, 2)
    assert [d["code"] for d in page_one["items"] + page_two["items"]] == submitted[::-1]
    assert {d["applicant_id"] for d in page_one["items"]} == {"subject-an"}
    assert "history" not in page_one["items"][0]
    awaiting = client.get("/dossiers?status=awaiting_payment", headers=an).json()
    assert awaiting["total"] == 3
    assert client.get("/dossiers?status=submitted", headers=an).json()["total"] == 0
    assert client.get("/dossiers?status=lost", headers=an).status_code == 422


def test_a_dossier_is_seen_by_its_applicant_and_its_agency_and_by_no_one_else(
    client: TestClient, an: Headers, bearer: Callable[..., Headers]
) -> None:
    dossier = submit(client, an).json()
    url = f"/dossiers/{dossier['id']}"
    agency_officer = bearer("officer-1", "officer", agency="btp")
    other_officer = bearer("officer-2", "officer", agency="bca")
    stranger = bearer("subject-binh")

    assert client.get(url, headers=an).json() == dossier
    assert client.get(url, headers=agency_officer).json()["code"] == dossier["code"]
    assert client.get(url, headers=other_officer).status_code == 404
    assert client.get(url, headers=stranger).status_code == 404
    assert client.get("/dossiers/no-such-id", headers=an).status_code == 404
    assert client.get(url).status_code == 401
    queue = client.get("/dossiers", headers=agency_officer).json()
    assert [d["id"] for d in queue["items"]] == [dossier["id"]]
    assert client.get("/dossiers", headers=stranger).json()["total"] == 0
