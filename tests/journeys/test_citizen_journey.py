"""A citizen's dossier crosses the whole suite: five services as separate processes,
real Kafka, real HTTP. Each step's state is read back over HTTP and each event's
envelope is read off the topics."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from demo.journey import CitizenJourney
from demo.tap import EventTap
from shared.devissuer import issue
from shared.events.topics import physical

pytestmark = pytest.mark.journey

PERSONAL_ID = "001099012345"


@pytest.fixture
def tap(running_suite: Any) -> Iterator[EventTap]:
    watcher = EventTap(running_suite.urls.kafka).start()
    yield watcher
    watcher.close()


@pytest.fixture
def citizen(running_suite: Any) -> Iterator[CitizenJourney]:
    subject = f"citizen-{uuid.uuid4()}"
    token = issue(
        subject, "citizen", personal_id=PERSONAL_ID, key_dir=running_suite.key_dir
    )
    journey = CitizenJourney(running_suite.urls, token)
    journey.subject = subject  # type: ignore[attr-defined]
    yield journey
    journey.close()


def assert_envelope(
    envelope: dict[str, Any], source: str, subject: str, sequence: int, correlation: str
) -> None:
    assert envelope["specversion"] == "1.0"
    assert envelope["source"] == f"/services/{source}"
    assert envelope["subject"] == subject
    assert envelope["sequence"] == sequence
    assert envelope["correlationid"] == correlation
    assert re.fullmatch(
        rf"urn:portal:schema:{envelope['type']}:v\d+", envelope["dataschema"]
    )
    assert re.fullmatch(r"[0-9a-f-]{36}", envelope["id"])
    assert envelope["time"].endswith("Z") or envelope["time"].endswith("+00:00")
    assert re.fullmatch(
        r"00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}", envelope["traceparent"]
    )


def test_a_citizen_finds_submits_pays_is_told_and_gives_feedback(
    citizen: CitizenJourney, tap: EventTap
) -> None:
    subject = citizen.subject  # type: ignore[attr-defined]
    correlation = citizen.correlation_id

    # 1. Found by its Vietnamese name typed without diacritics.
    found = citizen.search("doi giay phep lai xe")
    names = [p["name_vi"] for p in found]
    assert "Đổi giấy phép lái xe do ngành Giao thông vận tải cấp" in names
    procedure = citizen.procedure(
        next(
            p["code"] for p in found if p["name_vi"].startswith("Đổi giấy phép lái xe")
        )
    )
    assert procedure["fee"] == 135_000
    mandatory = {d["code"] for d in procedure["required_documents"] if d["mandatory"]}
    assert mandatory

    # 2. Submitted with the mandatory documents; it waits for the fee.
    dossier = citizen.submit(procedure, {"ho_ten": "Trần Văn Bình"})
    assert dossier["status"] == "awaiting_payment"
    assert dossier["fee"] == 135_000
    assert dossier["applicant_id"] == subject
    assert dossier["procedure_version"] == procedure["version"]
    assert re.fullmatch(r"PROVINCE-DOT-\d{6}-\d{6}", dossier["code"])
    dossier_stream = f"dossier-{dossier['id']}"
    submitted = tap.wait_for(
        lambda e: e["type"] == "DossierSubmitted" and e["subject"] == dossier_stream
    )
    assert_envelope(submitted, "dossier", dossier_stream, 1, correlation)
    assert submitted["data"]["applicant_id"] == subject
    assert submitted["data"]["fee"] == 135_000
    assert submitted["data"]["procedure_code"] == procedure["code"]
    assert set(submitted["data"]["documents"]) == mandatory

    # 3. Payment issued an order, caused by the submission.
    order = citizen.wait_for_order(dossier["id"])
    assert order["amount"] == 135_000
    assert order["status"] == "requested"
    requested = tap.wait_for(
        lambda e: (
            e["type"] == "PaymentRequested"
            and e["data"]["order_id"] == order["order_id"]
        )
    )
    assert_envelope(
        requested, "payment", f"payment-order-{order['order_id']}", 1, correlation
    )
    assert requested["causationid"] == submitted["id"]
    assert requested["data"]["payer_id"] == subject

    # 4. Paid at the sandbox gateway, which calls back with a signed confirmation.
    receipt = citizen.pay(order)
    assert "Thanh toán thành công" in receipt
    settled = tap.wait_for(
        lambda e: (
            e["type"] == "PaymentSettled" and e["data"]["order_id"] == order["order_id"]
        )
    )
    assert settled["sequence"] == 2
    assert settled["data"]["amount"] == 135_000
    assert settled["data"]["gateway_transaction_id"]

    # 5. The dossier recorded the fee and now waits for the agency.
    fee_paid = tap.wait_for(
        lambda e: e["type"] == "DossierFeePaid" and e["subject"] == dossier_stream
    )
    assert_envelope(fee_paid, "dossier", dossier_stream, 2, fee_paid["correlationid"])
    assert fee_paid["causationid"] == settled["id"]
    assert fee_paid["data"]["payment_order_id"] == order["order_id"]
    waiting = citizen.wait_for_status(dossier["id"], "submitted")
    assert waiting["fee_paid"] == 135_000
    assert [h["type"] for h in waiting["history"]] == [
        "DossierSubmitted",
        "DossierFeePaid",
    ]

    # 6. Told at every step, in Vietnamese first, in the in-app inbox.
    inbox = citizen.wait_for_inbox(4)
    assert inbox["total"] == 4
    assert inbox["unread"] == 4
    assert {m["cause_type"] for m in inbox["items"]} == {
        "DossierSubmitted",
        "PaymentRequested",
        "PaymentSettled",
        "DossierFeePaid",
    }
    assert all(m["dossier_id"] == dossier["id"] for m in inbox["items"])
    assert any(dossier["code"] in m["body_vi"] for m in inbox["items"])
    assert any("135.000 ₫" in m["body_vi"] for m in inbox["items"])
    sent = tap.wait_for(
        lambda e: (
            e["type"] == "NotificationSent"
            and e["data"]["recipient_id"] == subject
            and e["data"]["cause_event_id"] == fee_paid["id"]
        )
    )
    assert sent["data"]["channel"] == "inbox"

    # 7. Feedback on the procedure is routed to its agency.
    feedback = citizen.send_feedback(
        procedure["code"], "Thời gian xử lý", "Đề nghị trả kết quả qua bưu điện."
    )
    assert feedback["agency_code"] == procedure["agency_code"] == "province-dot"
    assert feedback["author_id"] == subject
    submitted_feedback = tap.wait_for(
        lambda e: (
            e["type"] == "FeedbackSubmitted"
            and e["data"]["feedback_id"] == feedback["id"]
        )
    )
    assert_envelope(
        submitted_feedback, "feedback", f"feedback-{feedback['id']}", 1, correlation
    )
    assert submitted_feedback["data"]["agency_code"] == "province-dot"

    # Events carry the opaque subject id, never the personal id number.
    assert not [e for _t, e in tap.seen() if PERSONAL_ID in str(e)]
    assert {t for t, _e in tap.seen()} >= {
        physical(name)
        for name in (
            "dossier.events",
            "payment.events",
            "notification.events",
            "feedback.events",
        )
    }


def test_a_free_procedure_goes_straight_to_the_agency(
    citizen: CitizenJourney, tap: EventTap
) -> None:
    found = citizen.search("dang ky khai sinh")
    procedure = citizen.procedure(
        next(p["code"] for p in found if p["code"] == "1.001193")
    )
    assert procedure["fee"] == 0

    dossier = citizen.submit(procedure, {"ten_tre": "Lê Minh An"})

    assert dossier["status"] == "submitted"
    inbox = citizen.wait_for_inbox(1)
    assert [m["cause_type"] for m in inbox["items"]] == ["DossierSubmitted"]
    orders = citizen.http.get(
        f"{citizen.suite.payment}/payment-orders", params={"dossier_id": dossier["id"]}
    ).json()
    assert orders["items"] == []


def test_a_dossier_missing_a_mandatory_document_is_refused_with_its_name(
    citizen: CitizenJourney,
) -> None:
    found = citizen.search("dang ky khai sinh")
    code = next(p["code"] for p in found if p["code"] == "1.001193")
    citizen.procedure(code)
    # Submitted once first, so the dossier service surely knows the procedure.
    citizen.submit(citizen.procedure(code), {})

    response = citizen.http.post(
        f"{citizen.suite.dossier}/dossiers",
        json={"procedure_code": code, "form": {}, "documents": []},
    )

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["missing_documents"]
    assert all(d["name_vi"] and d["name_en"] for d in problem["missing_documents"])
