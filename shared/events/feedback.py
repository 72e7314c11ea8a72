"""Events the feedback service publishes on `feedback.events`."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from shared.events import topics
from shared.events.registry import EventData, published

FeedbackTopic = Literal["procedure", "regulation"]


@published(topics.FEEDBACK)
class FeedbackSubmitted(EventData):
    feedback_id: str
    author_id: str
    about: FeedbackTopic
    procedure_code: str | None = None
    agency_code: str
    title: str
    body: str
    submitted_at: datetime


@published(topics.FEEDBACK)
class FeedbackAssigned(EventData):
    feedback_id: str
    agency_code: str
    assignee_id: str


@published(topics.FEEDBACK)
class FeedbackAnswered(EventData):
    feedback_id: str
    author_id: str
    answered_by: str
    answer: str


@published(topics.FEEDBACK)
class FeedbackClosed(EventData):
    feedback_id: str
    author_id: str


@published(topics.FEEDBACK)
class ServiceRated(EventData):
    rating_id: str
    dossier_id: str
    procedure_code: str
    agency_code: str
    rater_id: str
    score: int = Field(ge=1, le=5)
    comment: str = ""
