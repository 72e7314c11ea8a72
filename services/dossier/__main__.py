"""python -m services.dossier api | worker | rebuild"""

import typer

from services.dossier.bootstrap import build_app, build_database, consumers, rebuildable
from services.dossier.settings import DossierSettings
from shared import entrypoint

cli = typer.Typer(no_args_is_help=True)


@cli.command()
def api() -> None:
    """Serve the HTTP API."""
    settings = DossierSettings()
    entrypoint.start_process(settings, "api")
    entrypoint.serve_api(settings, build_app(settings))


@cli.command()
def worker() -> None:
    """Keep the catalogue copy, record paid fees, and relay the outbox."""
    settings = DossierSettings()
    entrypoint.start_process(settings, "worker")
    db = build_database(settings)
    db.create_all()
    entrypoint.serve_worker(settings, db, consumers(db, settings))


@cli.command()
def rebuild() -> None:
    """Drop the catalogue copy and the dossiers read model; rebuild them from
    catalog.events and dossier.events."""
    settings = DossierSettings()
    entrypoint.start_process(settings, "rebuild")
    db = build_database(settings)
    db.create_all()
    entrypoint.rebuild_read_models(settings, rebuildable(db))


if __name__ == "__main__":
    cli()
