"""What every service process does first: logging, tracing, then its own work."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import uvicorn
from fastapi import FastAPI

from shared.events.topics import history_topic
from shared.logging import configure_logging
from shared.messaging.admin import ensure_topics, portal_topics
from shared.messaging.consumer import EventConsumer
from shared.messaging.dead_letters import LoggedDeadLetters
from shared.messaging.rebuild import rebuild, rebuild_from_store
from shared.messaging.relay import OutboxRelay, idempotent_producer
from shared.settings import ServiceSettings
from shared.store.database import Database
from shared.tracing import configure_tracing

log = logging.getLogger(__name__)


def start_process(settings: ServiceSettings, role: str) -> None:
    configure_logging(settings.service_name, settings.log_level)
    configure_tracing(f"{settings.service_name}-{role}", settings.trace_file)


def serve_api(settings: ServiceSettings, app: FastAPI) -> None:
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,  # keep the JSON logging configured at start
        access_log=False,  # the shared middleware logs each request once
    )


def serve_worker(
    settings: ServiceSettings, db: Database, consumers: Sequence[EventConsumer]
) -> None:
    """Provisions the topics, then runs the consumers' agents and the outbox relay."""
    # faust is imported here, not at module level: API processes start seconds faster.
    from shared.messaging.worker import build_worker_app, run_relay_only, run_worker

    ensure_topics(settings.kafka_bootstrap, portal_topics(), settings.topic_partitions)
    relay = OutboxRelay(
        db,
        idempotent_producer(
            settings.kafka_bootstrap, **{"client.id": settings.service_name}
        ),
        batch_size=settings.relay_batch_size,
    )
    if not consumers:
        run_relay_only(relay, settings)
        return
    app = build_worker_app(settings, consumers, relay)
    log.info(
        "worker starting",
        extra={
            "consumers": [c.name for c in consumers],
            "group": settings.resolved_group_id(),
        },
    )
    run_worker(app, settings.log_level)


def rebuild_read_models(
    settings: ServiceSettings, consumers: Sequence[EventConsumer]
) -> None:
    """Rebuilds each consumer's read model: from the service's own store when it reads
    only the service's own topic, else from the topics' beginning."""
    own_topic = (history_topic(settings.service_name),)
    for consumer in consumers:
        consumer.dead_letters = LoggedDeadLetters()
        if consumer.topics == own_topic:
            outcome = rebuild_from_store(consumer)
        else:
            outcome = rebuild(consumer, settings.kafka_bootstrap)
        log.info(
            "rebuilt", extra={"consumer": consumer.name, "handled": outcome.handled}
        )
