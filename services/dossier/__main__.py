"""python -m services.dossier api | worker | rebuild"""

from services.dossier.bootstrap import build_app, build_database, consumers, rebuildable
from services.dossier.settings import DossierSettings
from shared.cli import ServiceCommands

commands = ServiceCommands(
    settings=DossierSettings,
    app=build_app,
    database=build_database,
    consumers=consumers,
    rebuildable=rebuildable,
    worker_does="Keep the catalogue copy, record paid fees, and relay the outbox.",
    rebuild_does="Drop the catalogue copy and the dossiers read model; rebuild them.",
)

if __name__ == "__main__":
    commands.typer()()
