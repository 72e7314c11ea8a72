"""Feedback as the domain accepts it: what a submission must hold, where it goes and
who may read it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.feedback.domain import (
    BODY_MAX,
    TITLE_MAX,
    Feedback,
    ProcedureRef,
    Submission,
    route,
    status_labels,
    visible_to,
)
from shared.auth import Principal
from shared.errors import Conflict, Invalid, NotFound
from shared.events.feedback import FeedbackSubmitted

NOW = datetime(2025, 3, 5, 8, 0, tzinfo=UTC)
BIRTH = ProcedureRef("1.001193", "Đăng ký khai sinh", "ubnd-xa", in_force=True)


def valid(**changes: object) -> Submission:
    fields: dict[str, object] = {
        "about": "procedure",
        "procedure_code": "1.001193",
        "title": "Thời hạn quá dài",
        "body": "Đề nghị rút ngắn thời hạn giải quyết.",
    }
    fields.update(changes)
    return Submission.validate(**fields)  # type: ignore[arg-type]


def test_a_submission_is_trimmed() -> None:
    submission = valid(
        procedure_code=" 1.001193 ", title="  Tiêu đề ", body="\nNội dung\n"
    )
    assert submission == Submission("procedure", "1.001193", "Tiêu đề", "Nội dung")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": " \t "}, "title"),
        ({"body": "\n\n"}, "body"),
        ({"title": "x" * (TITLE_MAX + 1)}, "title"),
        ({"body": "x" * (BODY_MAX + 1)}, "body"),
        ({"procedure_code": None}, "procedure_code"),
        ({"procedure_code": "   "}, "procedure_code"),
        ({"procedure_code": "1" * 41}, "procedure_code"),
        ({"about": "weather"}, "about"),
    ],
)
def test_an_invalid_submission_is_refused_naming_its_field(
    changes: dict[str, object], field: str
) -> None:
    with pytest.raises(Invalid) as refused:
        valid(**changes)
    assert refused.value.extensions == {"field": field}
    assert " / " in refused.value.detail  # Vietnamese, then English


def test_limits_are_inclusive() -> None:
    submission = valid(title="t" * TITLE_MAX, body="b" * BODY_MAX)
    assert len(submission.title) == TITLE_MAX
    assert len(submission.body) == BODY_MAX


def test_feedback_on_a_regulation_may_name_no_procedure() -> None:
    submission = valid(about="regulation", procedure_code=None)
    assert submission.procedure_code is None
    assert route(submission, None, "vpcp") == "vpcp"


def test_feedback_naming_a_procedure_goes_to_its_agency() -> None:
    assert route(valid(), BIRTH, "vpcp") == "ubnd-xa"
    regulation = valid(about="regulation")
    assert route(regulation, BIRTH, "vpcp") == "ubnd-xa"


def test_a_withdrawn_procedure_still_routes_to_its_agency() -> None:
    withdrawn = ProcedureRef("1.001193", "Đăng ký khai sinh", "ubnd-xa", in_force=False)
    assert route(valid(), withdrawn, "vpcp") == "ubnd-xa"


def test_an_unknown_procedure_is_not_found() -> None:
    with pytest.raises(NotFound, match=r"1\.001193"):
        route(valid(), None, "vpcp")


def test_submitting_records_who_what_and_where() -> None:
    [event] = Feedback("f-1").submit("citizen-1", valid(), "ubnd-xa", NOW)
    assert event == FeedbackSubmitted(
        feedback_id="f-1",
        author_id="citizen-1",
        about="procedure",
        procedure_code="1.001193",
        agency_code="ubnd-xa",
        title="Thời hạn quá dài",
        body="Đề nghị rút ngắn thời hạn giải quyết.",
        submitted_at=NOW,
    )
    feedback = Feedback.replay("f-1", [event])
    assert (feedback.version, feedback.status) == (1, "received")
    with pytest.raises(Conflict):
        feedback.submit("citizen-1", valid(), "ubnd-xa", NOW)


def test_the_author_and_the_agencys_officers_may_read_it() -> None:
    author = Principal("citizen-1", "citizen")
    officer = Principal("officer-1", "officer", agency_code="ubnd-xa")
    other_officer = Principal("officer-2", "officer", agency_code="bo-cong-an")
    other_citizen = Principal("citizen-2", "citizen", agency_code="ubnd-xa")

    assert visible_to(author, "citizen-1", "ubnd-xa")
    assert visible_to(officer, "citizen-1", "ubnd-xa")
    assert not visible_to(other_officer, "citizen-1", "ubnd-xa")
    assert not visible_to(other_citizen, "citizen-1", "ubnd-xa")


def test_statuses_carry_vietnamese_and_english_labels() -> None:
    assert status_labels("received") == {
        "status": "received",
        "status_vi": "Đã tiếp nhận",
        "status_en": "Received",
    }
