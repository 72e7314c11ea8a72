"""python -m services.notification api | worker | rebuild"""

import typer

from services.notification.bootstrap import (
    build_app,
    build_context,
    consumers,
    inbox_consumer,
)
from services.notification.settings import NotificationSettings
from shared import entrypoint
from shared.messaging.dead_letters import LoggedDeadLetters

cli = typer.Typer(no_args_is_help=True)


@cli.command()
def api() -> None:
    """Serve the inbox API."""
    settings = NotificationSettings()
    entrypoint.start_process(settings, "api")
    entrypoint.serve_api(settings, build_app(settings))


@cli.command()
def worker() -> None:
    """Turn dossier and payment events into inbox messages; relay the outbox."""
    settings = NotificationSettings()
    entrypoint.start_process(settings, "worker")
    db = build_context(settings).db
    db.create_all()
    entrypoint.serve_worker(settings, db, consumers(db, settings))


@cli.command()
def rebuild() -> None:
    """Drop the inbox read model and rebuild it from dossier.events and
    payment.events (stop the worker first). Notices already sent are not sent again;
    read marks come back from the notifications' own streams."""
    settings = NotificationSettings()
    entrypoint.start_process(settings, "rebuild")
    db = build_context(settings).db
    db.create_all()
    entrypoint.rebuild_read_models(settings, [inbox_consumer(db, LoggedDeadLetters())])


if __name__ == "__main__":
    cli()
