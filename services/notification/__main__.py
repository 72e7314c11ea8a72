"""python -m services.notification api | worker | rebuild"""

from services.notification.bootstrap import (
    build_app,
    build_context,
    consumers,
    inbox_consumer,
)
from services.notification.settings import NotificationSettings
from shared.cli import ServiceCommands
from shared.messaging.dead_letters import LoggedDeadLetters

commands = ServiceCommands(
    settings=NotificationSettings,
    app=build_app,
    database=lambda settings: build_context(settings).db,
    consumers=consumers,
    # Notices already sent are not sent again; read marks come back from the
    # notifications' own streams.
    rebuildable=lambda db: [inbox_consumer(db, LoggedDeadLetters())],
    worker_does="Turn dossier and payment events into inbox messages; relay outbox.",
    rebuild_does="Drop the inbox read model and rebuild it from its topics.",
)

if __name__ == "__main__":
    commands.typer()()
