"""Wires the dossier service, for production and tests alike."""

from __future__ import annotations

from fastapi import FastAPI

from services.dossier import api, application
from services.dossier.catalogue import CATALOGUE_HANDLERS, catalogue_model
from services.dossier.idempotency import idempotency_model
from services.dossier.numbering import numbering_model
from services.dossier.readmodel import HANDLERS, read_model
from services.dossier.settings import DossierSettings
from shared.auth import TokenVerifier
from shared.events import topics
from shared.events.payment import PaymentSettled
from shared.http.app import ServiceContext, create_api
from shared.messaging.consumer import DeadLetterSink, EventConsumer
from shared.messaging.dead_letters import KafkaDeadLetters, LoggedDeadLetters
from shared.store import Database

CATALOGUE = "dossier-catalogue"
PAYMENTS = "dossier-payments"
DOSSIERS = "dossier-dossiers"


def build_database(settings: DossierSettings) -> Database:
    return Database(
        settings.resolved_database_url(),
        read_model,
        catalogue_model,
        numbering_model,
        idempotency_model,
    )


def build_context(settings: DossierSettings) -> ServiceContext:
    verifier = TokenVerifier(
        settings.jwks, settings.token_issuer, settings.token_audience
    )
    return ServiceContext(
        settings,
        build_database(settings),
        verifier,
        consumed_topics=(topics.CATALOG, topics.PAYMENT),
    )


def build_app(settings: DossierSettings) -> FastAPI:
    def start(ctx: ServiceContext) -> None:
        ctx.db.create_all()

    return create_api(build_context(settings), "Dossiers", [api.router], start)


def catalogue_projection(db: Database, dead_letters: DeadLetterSink) -> EventConsumer:
    """The service's copy of the catalogue, kept from catalog.events."""
    return EventConsumer(
        CATALOGUE,
        [topics.CATALOG],
        CATALOGUE_HANDLERS,
        db,
        dead_letters,
        catalogue_model,
    )


def payments(db: Database, dead_letters: DeadLetterSink) -> EventConsumer:
    """Settled payments become paid fees on their dossiers."""
    return EventConsumer(
        PAYMENTS,
        [topics.PAYMENT],
        {PaymentSettled: application.on_payment_settled},
        db,
        dead_letters,
    )


def projection(db: Database) -> EventConsumer:
    """The dossiers read model as a consumer of the service's own topic: used to
    rebuild it from history (live, it moves in the transaction of each change)."""
    return EventConsumer(
        DOSSIERS, [topics.DOSSIER], HANDLERS, db, LoggedDeadLetters(), read_model
    )


def consumers(db: Database, settings: DossierSettings) -> list[EventConsumer]:
    """What the worker runs."""
    topic = topics.dead_letter_topic(settings.service_name)

    def dead_letters(name: str) -> KafkaDeadLetters:
        return KafkaDeadLetters(settings.kafka_bootstrap, topic, name)

    return [
        catalogue_projection(db, dead_letters(CATALOGUE)),
        payments(db, dead_letters(PAYMENTS)),
    ]


def rebuildable(db: Database) -> list[EventConsumer]:
    """The read models that can be dropped and rebuilt from their topics. Never the
    payments consumer: it appends events, and must not act on a payment twice."""
    return [catalogue_projection(db, LoggedDeadLetters()), projection(db)]
