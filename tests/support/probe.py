"""A probe service for the foundation tests, built only from the shared kit.

    python -m tests.support.probe api | worker | rebuild

The API appends `ProbeRecorded` events to its store (events and outbox rows in one
transaction); the worker relays the outbox and consumes the probe topic into a read
model whose `times` column counts how often each event's effect happened, so a
double effect shows as 2.

Each test gets its own topic. The shared `@published` decorator fixes a type's topic
in the process-wide registry at import time, and a registered type cannot be
registered again; so the probe keeps its one event type in a registry of its own,
built for the topic named by PROBE_TOPIC (EventStore and EventConsumer both take a
registry). The portal's registry stays untouched, and its meta-tests ("every type
lives on a history topic") stay true in a pytest process that imports this module.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import typer
from fastapi import APIRouter
from pydantic import BaseModel, Field
from pydantic_settings import SettingsConfigDict
from sqlalchemy import Column, Integer, MetaData, String, Table, Text, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from shared import entrypoint
from shared.auth import TokenVerifier
from shared.events.envelope import Envelope
from shared.events.registry import EventData, EventRegistry, EventSpec
from shared.http.app import Ctx, ServiceContext, create_api
from shared.messaging.consumer import DeadLetterSink, EventConsumer
from shared.messaging.dead_letters import KafkaDeadLetters, LoggedDeadLetters
from shared.settings import ServiceSettings
from shared.store import Causation, Database, EventStore

log = logging.getLogger(__name__)

EVENT_TYPE = "ProbeRecorded"
CONSUMER_NAME = "probe-effects"


class ProbeSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PROBE_", extra="ignore", frozen=True)

    service_name: str = "probe"
    port: int = 8099
    topic: str = "probe.events"
    dead_letter_topic: str = "probe.dead-letter"
    # False: a relay-only worker (the producing side of a test, consuming nothing).
    consume: bool = True
    # Fault injection: this many batches fail (as a store that errors would) before
    # the consumer handles any.
    fail_batches: int = 0


class ProbeRecorded(EventData):
    value: int
    note: str = ""


def probe_registry(topic: str) -> EventRegistry:
    events = EventRegistry()
    events.add(EventSpec(EVENT_TYPE, ProbeRecorded, 1, topic))
    return events


read_model = MetaData()

effects = Table(
    "probe_effects",
    read_model,
    Column("event_id", String(36), primary_key=True),
    Column("stream_id", String(200), nullable=False),
    Column("sequence", Integer, nullable=False),
    Column("value", Integer, nullable=False),
    # How many times the effect happened: exactly-once effects keep it at 1.
    Column("times", Integer, nullable=False),
)

streams = Table(
    "probe_streams",
    read_model,
    Column("stream_id", String(200), primary_key=True),
    Column("events", Integer, nullable=False),
    Column("total", Integer, nullable=False),
    Column("last_sequence", Integer, nullable=False),
    # The values in the order they were applied: a reordering would show here.
    Column("trail", Text, nullable=False),
)


def record_effect(session: Session, event: ProbeRecorded, envelope: Envelope) -> None:
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    effect = insert(effects).values(
        event_id=envelope.id,
        stream_id=envelope.subject,
        sequence=envelope.sequence,
        value=event.value,
        times=1,
    )
    session.execute(
        effect.on_conflict_do_update(
            index_elements=[effects.c.event_id], set_={"times": effects.c.times + 1}
        )
    )
    stream = insert(streams).values(
        stream_id=envelope.subject,
        events=1,
        total=event.value,
        last_sequence=envelope.sequence,
        trail=str(event.value),
    )
    session.execute(
        stream.on_conflict_do_update(
            index_elements=[streams.c.stream_id],
            set_={
                "events": streams.c.events + 1,
                "total": streams.c.total + event.value,
                "last_sequence": stream.excluded.last_sequence,
                "trail": streams.c.trail + "," + str(event.value),
            },
        )
    )


def build_db(settings: ProbeSettings) -> Database:
    return Database(settings.resolved_database_url(), read_model)


def build_consumer(
    settings: ProbeSettings, db: Database, dead_letters: DeadLetterSink
) -> EventConsumer:
    return EventConsumer(
        CONSUMER_NAME,
        [settings.topic],
        {ProbeRecorded: record_effect},
        db,
        dead_letters,
        read_model=read_model,
        events_registry=probe_registry(settings.topic),
    )


class RecordProbe(BaseModel):
    stream_id: str = Field(min_length=1, max_length=200)
    values: list[int] = Field(min_length=1, max_length=1000)


router = APIRouter(tags=["probe"])


@router.post("/probe", status_code=201)
def record(ctx: Ctx, command: RecordProbe) -> dict[str, Any]:
    store: EventStore = ctx.extras["store"]
    with ctx.db.transaction() as session:
        version = store.current_version(session, command.stream_id)
        envelopes = store.append(
            session,
            command.stream_id,
            version,
            [ProbeRecorded(value=v) for v in command.values],
            Causation.current(),
        )
    return {"events": [e.model_dump(mode="json") for e in envelopes]}


def build_app(settings: ProbeSettings) -> Any:
    db = build_db(settings)
    verifier = TokenVerifier(
        settings.jwks, settings.token_issuer, settings.token_audience
    )
    store = EventStore(settings.service_name, probe_registry(settings.topic))
    ctx = ServiceContext(settings, db, verifier, extras={"store": store})
    return create_api(ctx, "Probe", [router], on_startup=lambda c: c.db.create_all())


def read_effects(db: Database) -> dict[str, int]:
    """Event id -> how many times its effect happened."""
    with db.transaction() as session:
        return dict(session.execute(select(effects.c.event_id, effects.c.times)).all())


class InjectedFailure(RuntimeError):
    pass


def _failing(handle_batch: Callable[..., Any], failures: int) -> Callable[..., Any]:
    remaining = [failures]

    def handle(messages: Any) -> Any:
        if remaining[0] > 0:
            remaining[0] -= 1
            log.error("injected batch failure", extra={"remaining": remaining[0]})
            raise InjectedFailure("injected batch failure")
        return handle_batch(messages)

    return handle


cli = typer.Typer(no_args_is_help=True)


@cli.command()
def api() -> None:
    """Serve POST /probe, which appends events through the event store."""
    settings = ProbeSettings()
    entrypoint.start_process(settings, "api")
    entrypoint.serve_api(settings, build_app(settings))


@cli.command()
def worker() -> None:
    """Relay the outbox and, unless PROBE_CONSUME=false, consume the probe topic."""
    settings = ProbeSettings()
    entrypoint.start_process(settings, "worker")
    db = build_db(settings)
    db.create_all()
    consumers = []
    if settings.consume:
        dead_letters = KafkaDeadLetters(
            settings.kafka_bootstrap, settings.dead_letter_topic, CONSUMER_NAME
        )
        consumer = build_consumer(settings, db, dead_letters)
        if settings.fail_batches:
            consumer.handle_batch = _failing(  # type: ignore[assignment,method-assign]
                consumer.handle_batch, settings.fail_batches
            )
        consumers.append(consumer)
    entrypoint.serve_worker(settings, db, consumers)


@cli.command()
def rebuild() -> None:
    """Drop the probe read model and rebuild it from the probe topic."""
    settings = ProbeSettings()
    entrypoint.start_process(settings, "rebuild")
    db = build_db(settings)
    db.create_all()
    consumer = build_consumer(settings, db, LoggedDeadLetters())
    entrypoint.rebuild_read_models(settings, [consumer])


if __name__ == "__main__":
    cli()
