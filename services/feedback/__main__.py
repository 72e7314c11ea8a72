"""python -m services.feedback api | worker | rebuild"""

import typer

from services.feedback.bootstrap import (
    build_app,
    build_context,
    catalogue_consumer,
    consumers,
    feedback_projection,
)
from services.feedback.settings import FeedbackSettings
from shared import entrypoint
from shared.messaging.dead_letters import LoggedDeadLetters

cli = typer.Typer(no_args_is_help=True)


@cli.command()
def api() -> None:
    """Serve the feedback API."""
    settings = FeedbackSettings()
    entrypoint.start_process(settings, "api")
    entrypoint.serve_api(settings, build_app(settings))


@cli.command()
def worker() -> None:
    """Keep the catalogue projection up to date; relay the outbox."""
    settings = FeedbackSettings()
    entrypoint.start_process(settings, "worker")
    db = build_context(settings).db
    db.create_all()
    entrypoint.serve_worker(settings, db, consumers(db, settings))


@cli.command()
def rebuild() -> None:
    """Drop the catalogue projection and the feedback read model and rebuild them
    from catalog.events and feedback.events (stop the worker first)."""
    settings = FeedbackSettings()
    entrypoint.start_process(settings, "rebuild")
    db = build_context(settings).db
    db.create_all()
    entrypoint.rebuild_read_models(
        settings,
        [catalogue_consumer(db, LoggedDeadLetters()), feedback_projection(db)],
    )


if __name__ == "__main__":
    cli()
