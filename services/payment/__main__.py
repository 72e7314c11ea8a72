"""python -m services.payment api | worker | rebuild"""

from services.payment.bootstrap import build_app, build_context, consumers, projection
from services.payment.settings import PaymentSettings
from shared.cli import ServiceCommands

commands = ServiceCommands(
    settings=PaymentSettings,
    # Refuses to start without PAYMENT_GATEWAY_SECRET (exit code 2).
    app=build_app,
    database=lambda settings: build_context(settings).db,
    consumers=consumers,
    rebuildable=lambda db: [projection(db)],
    worker_does="Issue payment orders for submitted dossiers, and relay the outbox.",
    rebuild_does="Drop the payment orders read model and rebuild it.",
)

if __name__ == "__main__":
    commands.typer()()
