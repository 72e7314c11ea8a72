"""python -m services.catalog api | worker | rebuild"""

from services.catalog.bootstrap import build_app, build_context, projection
from services.catalog.settings import CatalogSettings
from shared.cli import ServiceCommands

commands = ServiceCommands(
    settings=CatalogSettings,
    app=build_app,
    database=lambda settings: build_context(settings).db,
    consumers=lambda _db, _settings: [],
    rebuildable=lambda db: [projection(db)],
    worker_does="Relay the outbox (the catalogue consumes no other topic).",
    rebuild_does="Drop the catalogue read model and rebuild it from the event store.",
)

if __name__ == "__main__":
    commands.typer()()
