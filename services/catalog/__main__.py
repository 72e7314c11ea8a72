"""python -m services.catalog api | worker | rebuild"""

import typer

from services.catalog.bootstrap import build_app, build_context, projection
from services.catalog.settings import CatalogSettings
from shared import entrypoint

cli = typer.Typer(no_args_is_help=True)


@cli.command()
def api() -> None:
    """Serve the HTTP API (seeds the catalogue at start-up)."""
    settings = CatalogSettings()
    entrypoint.start_process(settings, "api")
    entrypoint.serve_api(settings, build_app(settings))


@cli.command()
def worker() -> None:
    """Run the outbox relay (the catalogue consumes no other topic)."""
    settings = CatalogSettings()
    entrypoint.start_process(settings, "worker")
    db = build_context(settings).db
    db.create_all()
    entrypoint.serve_worker(settings, db, [])


@cli.command()
def rebuild() -> None:
    """Drop the catalogue read model and rebuild it from catalog.events."""
    settings = CatalogSettings()
    entrypoint.start_process(settings, "rebuild")
    db = build_context(settings).db
    db.create_all()
    entrypoint.rebuild_read_models(settings, [projection(db)])


if __name__ == "__main__":
    cli()
