"""python -m services.feedback api | worker | rebuild"""

from services.feedback.bootstrap import (
    build_app,
    build_context,
    catalogue_consumer,
    consumers,
    feedback_projection,
)
from services.feedback.settings import FeedbackSettings
from shared.cli import ServiceCommands
from shared.messaging.dead_letters import LoggedDeadLetters

commands = ServiceCommands(
    settings=FeedbackSettings,
    app=build_app,
    database=lambda settings: build_context(settings).db,
    consumers=consumers,
    rebuildable=lambda db: [
        catalogue_consumer(db, LoggedDeadLetters()),
        feedback_projection(db),
    ],
    worker_does="Keep the catalogue projection up to date; relay the outbox.",
    rebuild_does="Drop the catalogue projection and the feedback read model; rebuild.",
)

if __name__ == "__main__":
    commands.typer()()
