"""Wires the payment service, for production and tests alike."""

from __future__ import annotations

from fastapi import FastAPI

from services.payment import api, application
from services.payment.readmodel import HANDLERS, read_model
from services.payment.sandbox import SandboxBank
from services.payment.settings import PaymentSettings
from shared.auth import TokenVerifier
from shared.events import topics
from shared.events.dossier import DossierSubmitted
from shared.http.app import ServiceContext, create_api
from shared.messaging.consumer import DeadLetterSink, EventConsumer
from shared.messaging.dead_letters import KafkaDeadLetters, LoggedDeadLetters
from shared.store import Database

SUBMISSIONS = "payment-dossier-submissions"
PROJECTION = "payment-orders"


def build_context(settings: PaymentSettings) -> ServiceContext:
    db = Database(settings.resolved_database_url(), read_model, application.ledger)
    verifier = TokenVerifier(
        settings.jwks, settings.token_issuer, settings.token_audience
    )
    return ServiceContext(settings, db, verifier, consumed_topics=[topics.DOSSIER])


def build_app(settings: PaymentSettings) -> FastAPI:
    """Raises GatewaySecretMissing when no gateway secret is set: fails closed."""
    key = settings.gateway_key()
    ctx = build_context(settings)
    ctx.extras["gateway_key"] = key
    ctx.extras["bank"] = SandboxBank(
        key, settings.base_url(), settings.callback_timeout_seconds
    )

    def start(ctx: ServiceContext) -> None:
        ctx.db.create_all()

    routers = [api.orders, api.callbacks, api.sandbox]
    return create_api(ctx, "Payment of fees", routers, start)


def submissions(db: Database, dead_letters: DeadLetterSink) -> EventConsumer:
    """Issues a payment order for each dossier submitted with a fee."""
    return EventConsumer(
        SUBMISSIONS,
        [topics.DOSSIER],
        {DossierSubmitted: application.request_fee},
        db,
        dead_letters,
    )


def consumers(db: Database, settings: PaymentSettings) -> list[EventConsumer]:
    dead_letters = KafkaDeadLetters(
        settings.kafka_bootstrap, topics.dead_letter_topic("payment"), SUBMISSIONS
    )
    return [submissions(db, dead_letters)]


def projection(db: Database) -> EventConsumer:
    """The orders read model as a consumer of payment.events: used to rebuild it from
    history (live, it is updated in the command's transaction)."""
    return EventConsumer(
        PROJECTION, [topics.PAYMENT], HANDLERS, db, LoggedDeadLetters(), read_model
    )
