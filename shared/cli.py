"""Every service's command line, `python -m services.<name> api | worker | rebuild`,
built from what the service declares: its settings, app, store, consumers and
rebuildable read models."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

import typer
from fastapi import FastAPI

from shared import entrypoint
from shared.messaging.consumer import EventConsumer
from shared.settings import MisconfiguredService, ServiceSettings
from shared.store.database import Database

log = logging.getLogger(__name__)

S = TypeVar("S", bound=ServiceSettings)


@dataclass(frozen=True)
class ServiceCommands(Generic[S]):
    settings: Callable[[], S]
    app: Callable[[S], FastAPI]
    database: Callable[[S], Database]
    consumers: Callable[[Database, S], Sequence[EventConsumer]]
    rebuildable: Callable[[Database], Sequence[EventConsumer]]
    worker_does: str
    rebuild_does: str

    def typer(self) -> typer.Typer:
        cli = typer.Typer(no_args_is_help=True, add_completion=False)
        cli.command(help="Serve the HTTP API.")(self.api)
        cli.command(help=self.worker_does)(self.worker)
        cli.command(help=f"{self.rebuild_does} Stop the worker first.")(self.rebuild)
        return cli

    def api(self) -> None:
        settings = self.settings()
        entrypoint.start_process(settings, "api")
        try:
            app = self.app(settings)
        except MisconfiguredService as error:
            log.critical("api refused to start", extra={"reason": str(error)})
            raise typer.Exit(2) from None
        entrypoint.serve_api(settings, app)

    def worker(self) -> None:
        settings = self.settings()
        entrypoint.start_process(settings, "worker")
        db = self._database(settings)
        entrypoint.serve_worker(settings, db, self.consumers(db, settings))

    def rebuild(self) -> None:
        settings = self.settings()
        entrypoint.start_process(settings, "rebuild")
        db = self._database(settings)
        entrypoint.rebuild_read_models(settings, self.rebuildable(db))

    def _database(self, settings: S) -> Database:
        db = self.database(settings)
        db.create_all()
        return db
