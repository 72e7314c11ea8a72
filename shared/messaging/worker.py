"""A service's worker process: faust-streaming agents feeding its consumers, and the
outbox relay, in one event loop.

Each consumer becomes one agent over its topics, taking events in batches: a handler at
a time is measured in the hundreds of events a second, a batch in one transaction goes
much further. Events are acknowledged only after their batch has committed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Mapping, Sequence
from typing import Any

import faust
from faust.types import EventT
from tenacity import AsyncRetrying, wait_exponential

from shared.events.topics import physical
from shared.messaging.consumer import BatchOutcome, EventConsumer, Message
from shared.messaging.relay import OutboxRelay
from shared.settings import VAR_DIR, ServiceSettings

log = logging.getLogger(__name__)


def _message(event: EventT) -> Message:
    record = event.message
    raw = record.headers or ()
    pairs = raw.items() if isinstance(raw, Mapping) else raw
    return Message(
        topic=record.topic,
        partition=record.partition,
        offset=record.offset,
        value=record.value,
        key=record.key,
        headers=tuple((str(k), _as_bytes(v)) for k, v in pairs),
    )


def _as_bytes(value: bytes | str | None) -> bytes:
    if value is None:
        return b""
    return value.encode() if isinstance(value, str) else bytes(value)


def build_worker_app(
    settings: ServiceSettings,
    consumers: Sequence[EventConsumer],
    relay: OutboxRelay | None,
    **faust_settings: Any,
) -> faust.App:
    datadir = VAR_DIR / "faust"
    # faust creates its app folder but not the parents: a fresh clone has no var/.
    datadir.mkdir(parents=True, exist_ok=True)
    app = faust.App(
        settings.resolved_group_id(),
        broker=f"kafka://{settings.kafka_bootstrap}",
        store="memory://",
        # faust keeps a data folder per app even with in-memory tables.
        datadir=str(datadir),
        autodiscover=False,
        web_enabled=False,
        topic_disable_leader=True,
        topic_allow_declare=False,
        consumer_auto_offset_reset="earliest",
        broker_commit_interval=settings.consumer_commit_seconds,
        # How soon the group notices a crashed worker and hands its partitions on.
        broker_session_timeout=settings.consumer_session_timeout_seconds,
        **faust_settings,
    )
    for consumer in consumers:
        _add_agent(app, consumer, settings)
    if relay is not None:
        _add_relay(app, relay, settings)
    return app


def _add_agent(
    app: faust.App, consumer: EventConsumer, settings: ServiceSettings
) -> None:
    topic = app.topic(
        *(physical(t) for t in consumer.topics),
        key_serializer="raw",
        value_serializer="raw",
    )

    async def consume(stream: faust.StreamT) -> None:
        async for events in stream.take_events(  # type: ignore[attr-defined]
            settings.consumer_batch_size, within=settings.consumer_batch_seconds
        ):
            batch = [_message(e) for e in events]
            outcome = await _handle_until_done(consumer, batch)
            log.debug(
                "batch handled",
                extra={
                    "consumer": consumer.name,
                    "handled": outcome.handled,
                    "duplicates": outcome.duplicates,
                    "dead_lettered": len(outcome.dead_lettered),
                },
            )

    app.agent(topic, name=f"{app.conf.id}.{consumer.name}")(consume)


async def _handle_until_done(
    consumer: EventConsumer, batch: list[Message]
) -> BatchOutcome:
    """faust acknowledges a batch once the loop body ends, raised or not: a batch must
    not end before it took effect, so a failure is retried until it passes."""
    async for attempt in AsyncRetrying(
        wait=wait_exponential(multiplier=0.5, max=30),
        before_sleep=lambda state: log.error(
            "batch failed; retrying it",
            extra={"consumer": consumer.name, "events": len(batch)},
            exc_info=state.outcome.exception() if state.outcome else None,
        ),
    ):
        with attempt:
            return await asyncio.to_thread(consumer.handle_batch, batch)
    raise AssertionError("unreachable: the retries above never stop")


async def _relay_until(relay: OutboxRelay, idle: float, stop: asyncio.Event) -> None:
    log.info("outbox relay started")
    while not stop.is_set():
        try:
            published = await asyncio.to_thread(relay.publish_batch)
            pause = 0.0 if published == relay.batch_size else idle
        except Exception:
            log.exception("outbox relay round failed; retrying")
            pause = 1.0
        if pause:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), pause)
    log.info("outbox relay stopped")


def _add_relay(app: faust.App, relay: OutboxRelay, settings: ServiceSettings) -> None:
    async def run_relay() -> None:
        await _relay_until(relay, settings.relay_idle_seconds, asyncio.Event())

    app.task(run_relay)


def run_relay_only(relay: OutboxRelay, settings: ServiceSettings) -> None:
    """For a service that consumes nothing: faust refuses an app with no topics, so
    the relay runs alone until SIGTERM or SIGINT."""

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        await _relay_until(relay, settings.relay_idle_seconds, stop)

    asyncio.run(main())


def run_worker(app: faust.App, loglevel: str = "INFO") -> None:
    """Runs until SIGTERM or SIGINT. Logging stays as the entrypoint configured it."""
    worker = faust.Worker(app, loglevel=loglevel, override_logging=False, quiet=True)
    worker.spinner = None  # its terminal escapes would land in the JSON logs
    worker.execute_from_commandline()
