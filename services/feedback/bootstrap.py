"""Wires the feedback service, for production and tests alike."""

from __future__ import annotations

from fastapi import FastAPI

from services.feedback import api
from services.feedback.readmodel import (
    CATALOGUE_HANDLERS,
    FEEDBACK_HANDLERS,
    catalogue_model,
    feedback_model,
)
from services.feedback.settings import FeedbackSettings
from shared.auth import TokenVerifier
from shared.events import topics
from shared.http.app import ServiceContext, create_api
from shared.messaging.consumer import DeadLetterSink, EventConsumer
from shared.messaging.dead_letters import KafkaDeadLetters, LoggedDeadLetters
from shared.store import Database

CATALOGUE_CONSUMER = "feedback-catalogue"
FEEDBACK_PROJECTION = "feedback-feedback"


def build_context(settings: FeedbackSettings) -> ServiceContext:
    db = Database(settings.resolved_database_url(), catalogue_model, feedback_model)
    verifier = TokenVerifier(
        settings.jwks, settings.token_issuer, settings.token_audience
    )
    return ServiceContext(
        settings,
        db,
        verifier,
        consumed_topics=(topics.CATALOG,),
        extras={"default_agency": settings.default_agency},
    )


def build_app(settings: FeedbackSettings) -> FastAPI:
    def start(ctx: ServiceContext) -> None:
        ctx.db.create_all()

    return create_api(build_context(settings), "Feedback", [api.router], start)


def catalogue_consumer(db: Database, dead_letters: DeadLetterSink) -> EventConsumer:
    """The catalogue as routing needs it, from catalog.events."""
    return EventConsumer(
        CATALOGUE_CONSUMER,
        [topics.CATALOG],
        CATALOGUE_HANDLERS,
        db,
        dead_letters,
        catalogue_model,
    )


def feedback_projection(db: Database) -> EventConsumer:
    """The feedback read model as a consumer of the service's own topic: used to
    rebuild it from history (live, it is updated in the command's transaction)."""
    return EventConsumer(
        FEEDBACK_PROJECTION,
        [topics.FEEDBACK],
        FEEDBACK_HANDLERS,
        db,
        LoggedDeadLetters(),
        feedback_model,
    )


def consumers(db: Database, settings: FeedbackSettings) -> list[EventConsumer]:
    dead_letters = KafkaDeadLetters(
        settings.kafka_bootstrap,
        topics.dead_letter_topic(settings.service_name),
        CATALOGUE_CONSUMER,
    )
    return [catalogue_consumer(db, dead_letters)]
