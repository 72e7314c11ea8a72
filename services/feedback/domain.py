"""Feedback as aggregates: one stream per piece of feedback. What a submission must
hold, where it is routed and who may read it. Pure: no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import get_args

from shared.auth import Principal
from shared.errors import Conflict, Invalid, NotFound
from shared.events.feedback import FeedbackSubmitted, FeedbackTopic
from shared.events.registry import EventData

TITLE_MAX = 200
BODY_MAX = 5000
PROCEDURE_CODE_MAX = 40
TOPICS: tuple[str, ...] = get_args(FeedbackTopic)

# Status -> (Vietnamese, English) label. Only "received" is reached so far.
STATUSES = {
    "received": ("Đã tiếp nhận", "Received"),
    "assigned": ("Đang xử lý", "Being handled"),
    "answered": ("Đã trả lời", "Answered"),
    "closed": ("Đã đóng", "Closed"),
}


def stream_id(feedback_id: str) -> str:
    return f"feedback-{feedback_id}"


def status_labels(status: str) -> dict[str, str]:
    vi, en = STATUSES[status]
    return {"status": status, "status_vi": vi, "status_en": en}


@dataclass(frozen=True)
class Submission:
    """A submission as the domain accepts it: text trimmed, limits checked."""

    about: FeedbackTopic
    procedure_code: str | None
    title: str
    body: str

    @classmethod
    def validate(
        cls, about: str, procedure_code: str | None, title: str, body: str
    ) -> Submission:
        if about not in TOPICS:
            raise Invalid(
                f"Loại góp ý phải là {' hoặc '.join(TOPICS)} / "
                f"about must be one of {', '.join(TOPICS)}",
                field="about",
            )
        code = (procedure_code or "").strip() or None
        if about == "procedure" and code is None:
            raise Invalid(
                "Góp ý về thủ tục phải nêu mã thủ tục / "
                "feedback about a procedure must name its procedure_code",
                field="procedure_code",
            )
        if code is not None and len(code) > PROCEDURE_CODE_MAX:
            raise Invalid(
                "Mã thủ tục quá dài / procedure_code is too long",
                field="procedure_code",
            )
        return cls(
            about,  # type: ignore[arg-type]  # checked against TOPICS above
            code,
            _text("title", "Tiêu đề", title, TITLE_MAX),
            _text("body", "Nội dung", body, BODY_MAX),
        )


def _text(field: str, label_vi: str, value: str, limit: int) -> str:
    text = value.strip()
    if not text:
        raise Invalid(
            f"{label_vi} không được để trống / {field} must not be empty", field=field
        )
    if len(text) > limit:
        raise Invalid(
            f"{label_vi} dài quá {limit} ký tự / {field} is longer than {limit} "
            "characters",
            field=field,
        )
    return text


@dataclass(frozen=True)
class ProcedureRef:
    """A procedure as this service's catalogue projection knows it."""

    code: str
    name_vi: str
    agency_code: str
    in_force: bool


def route(
    submission: Submission, procedure: ProcedureRef | None, default_agency: str
) -> str:
    """The agency responsible: the procedure's own, or the default one for feedback
    on a regulation that names no procedure. A withdrawn procedure is still routed
    to its agency: feedback on its withdrawal is feedback too."""
    if submission.procedure_code is None:
        return default_agency
    if procedure is None:
        raise NotFound(
            f"Không có thủ tục {submission.procedure_code} / "
            f"no procedure {submission.procedure_code} in the catalogue"
        )
    return procedure.agency_code


def visible_to(caller: Principal, author_id: str, agency_code: str) -> bool:
    """Its author reads it, and so do the officers of the agency it is routed to."""
    if caller.subject_id == author_id:
        return True
    return caller.kind == "officer" and caller.agency_code == agency_code


@dataclass
class Feedback:
    id: str
    version: int = 0
    status: str | None = None

    @classmethod
    def replay(cls, feedback_id: str, history: list[EventData]) -> Feedback:
        feedback = cls(feedback_id)
        for event in history:
            feedback.apply(event)
        return feedback

    def apply(self, event: EventData) -> None:
        self.version += 1
        if isinstance(event, FeedbackSubmitted):
            self.status = "received"

    def submit(
        self, author_id: str, submission: Submission, agency_code: str, at: datetime
    ) -> list[EventData]:
        if self.version:
            raise Conflict(f"feedback {self.id} was already submitted")
        return [
            FeedbackSubmitted(
                feedback_id=self.id,
                author_id=author_id,
                about=submission.about,
                procedure_code=submission.procedure_code,
                agency_code=agency_code,
                title=submission.title,
                body=submission.body,
                submitted_at=at,
            )
        ]
