"""`python -m bench.worker`: the bench consumer inside the faust worker, built the way
a service's worker is (shared.messaging.worker), without a relay."""

from __future__ import annotations

from bench.model import BenchSettings, build_consumer, read_model
from shared.entrypoint import start_process
from shared.messaging.dead_letters import LoggedDeadLetters
from shared.store import Database


def main() -> None:
    from shared.messaging.worker import build_worker_app, run_worker

    settings = BenchSettings()
    start_process(settings, "worker")
    db = Database(settings.resolved_database_url(), read_model)
    db.create_all()
    consumer = build_consumer(settings.topic, db, LoggedDeadLetters())
    run_worker(build_worker_app(settings, [consumer], relay=None), settings.log_level)


if __name__ == "__main__":
    main()
