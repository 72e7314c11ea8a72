"""python -m services.payment api | worker | rebuild"""

import logging

import typer

from services.payment.bootstrap import build_app, build_context, consumers, projection
from services.payment.settings import GatewaySecretMissing, PaymentSettings
from shared import entrypoint

log = logging.getLogger("services.payment")

cli = typer.Typer(no_args_is_help=True)


@cli.command()
def api() -> None:
    """Serve the HTTP API, gateway callbacks and the sandbox gateway."""
    settings = PaymentSettings()
    entrypoint.start_process(settings, "api")
    try:
        app = build_app(settings)
    except GatewaySecretMissing as error:
        log.critical("payment api refused to start", extra={"reason": str(error)})
        raise typer.Exit(2) from None
    entrypoint.serve_api(settings, app)


@cli.command()
def worker() -> None:
    """Issue payment orders for submitted dossiers, and relay the outbox."""
    settings = PaymentSettings()
    entrypoint.start_process(settings, "worker")
    db = build_context(settings).db
    db.create_all()
    entrypoint.serve_worker(settings, db, consumers(db, settings))


@cli.command()
def rebuild() -> None:
    """Drop the payment orders read model and rebuild it from payment.events."""
    settings = PaymentSettings()
    entrypoint.start_process(settings, "rebuild")
    db = build_context(settings).db
    db.create_all()
    entrypoint.rebuild_read_models(settings, [projection(db)])


if __name__ == "__main__":
    cli()
