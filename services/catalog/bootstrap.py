"""Wires the catalogue service, for production and tests alike."""

from __future__ import annotations

from fastapi import FastAPI

from services.catalog import api, application
from services.catalog.readmodel import HANDLERS, read_model
from services.catalog.settings import CatalogSettings
from shared.auth import TokenVerifier
from shared.events import topics
from shared.http.app import ServiceContext, create_api
from shared.messaging.consumer import EventConsumer
from shared.messaging.dead_letters import LoggedDeadLetters
from shared.store import Database


def build_context(settings: CatalogSettings) -> ServiceContext:
    db = Database(settings.resolved_database_url(), read_model)
    verifier = TokenVerifier(
        settings.jwks, settings.token_issuer, settings.token_audience
    )
    return ServiceContext(settings, db, verifier)


def build_app(settings: CatalogSettings) -> FastAPI:
    def start(ctx: ServiceContext) -> None:
        ctx.db.create_all()
        application.seed(ctx.db, settings.seed_file)

    return create_api(
        build_context(settings), "Catalogue of procedures", [api.router], start
    )


def projection(db: Database) -> EventConsumer:
    """The catalogue's own read model, as a consumer of its own topic: used to rebuild
    it from history (live, it is updated in the command's transaction)."""
    return EventConsumer(
        "catalog-procedures",
        [topics.CATALOG],
        HANDLERS,
        db,
        LoggedDeadLetters(),
        read_model,
    )
