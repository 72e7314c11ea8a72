"""Wires the notification service, for production and tests alike."""

from __future__ import annotations

from fastapi import FastAPI

from services.notification import api
from services.notification.application import HANDLERS
from services.notification.readmodel import read_model
from services.notification.settings import NotificationSettings
from shared.auth import TokenVerifier
from shared.events import topics
from shared.http.app import ServiceContext, create_api
from shared.messaging.consumer import DeadLetterSink, EventConsumer
from shared.messaging.dead_letters import KafkaDeadLetters
from shared.store import Database

INBOX_CONSUMER = "notification-inbox"
CONSUMED_TOPICS = (topics.DOSSIER, topics.PAYMENT)


def build_context(settings: NotificationSettings) -> ServiceContext:
    db = Database(settings.resolved_database_url(), read_model)
    verifier = TokenVerifier(
        settings.jwks, settings.token_issuer, settings.token_audience
    )
    return ServiceContext(settings, db, verifier, consumed_topics=CONSUMED_TOPICS)


def build_app(settings: NotificationSettings) -> FastAPI:
    def start(ctx: ServiceContext) -> None:
        ctx.db.create_all()

    return create_api(build_context(settings), "Notifications", [api.router], start)


def inbox_consumer(db: Database, dead_letters: DeadLetterSink) -> EventConsumer:
    """Dossier and payment events in, inbox messages and NotificationSent out."""
    return EventConsumer(
        INBOX_CONSUMER, CONSUMED_TOPICS, HANDLERS, db, dead_letters, read_model
    )


def consumers(db: Database, settings: NotificationSettings) -> list[EventConsumer]:
    dead_letters = KafkaDeadLetters(
        settings.kafka_bootstrap,
        topics.dead_letter_topic(settings.service_name),
        INBOX_CONSUMER,
    )
    return [inbox_consumer(db, dead_letters)]
