"""`python -m bench`: runs every path once against one broker and prints a table."""

from __future__ import annotations

import logging
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from bench import measure
from bench.model import typical_envelope
from shared.events.topics import physical
from shared.messaging.admin import broker_answers
from shared.store import Database

cli = typer.Typer(add_completion=False)
# Wide enough for the table when the output is piped (make bench), not a terminal.
console = Console(width=None if sys.stdout.isatty() else 110)


@cli.command()
def run(
    events: Annotated[
        int, typer.Option(min=100, max=1_000_000, help="events on each path")
    ] = 20_000,
    consumer_events: Annotated[
        int,
        typer.Option(
            min=100,
            max=1_000_000,
            help="events for each consumer path: they run near 10^3/s, so fewer keep "
            "the run short",
        ),
    ] = 10_000,
    bootstrap: Annotated[
        str,
        typer.Option(envvar="KAFKA_BOOTSTRAP", help="the broker to measure against"),
    ] = "127.0.0.1:9092",
    partitions: Annotated[int, typer.Option(min=1, max=64)] = 3,
    faust: Annotated[bool, typer.Option(help="also measure the faust worker")] = True,
    keep_topics: Annotated[
        bool, typer.Option(help="leave the run's topics behind")
    ] = False,
) -> None:
    """Raw confluent-kafka produce and consume, the outbox relay and the consumer,
    over typical envelopes, on topics of the run's own (deleted afterwards)."""
    logging.basicConfig(level=logging.WARNING)
    if not broker_answers(bootstrap, timeout=5):
        console.print(
            f"[red]no Kafka broker answers at {bootstrap}[/]: start one (make run, or "
            "infra/kafka/start.sh) or name another with KAFKA_BOOTSTRAP"
        )
        raise typer.Exit(2)
    run_id = f"bench-{uuid.uuid4().hex[:8]}"
    raw_topic, events_topic = f"{run_id}.raw", f"{run_id}.events"
    wire = [physical(raw_topic), physical(events_topic), physical(f"{run_id}.warm-up")]
    envelope = typical_envelope(events_topic)
    consumer_events = min(consumer_events, events)
    console.print(
        f"[bold]bench[/] {events:,} events a path ({consumer_events:,} for consumers), "
        f"{len(envelope)} B envelopes, broker {bootstrap}, {partitions} partitions, "
        f"topics {run_id}.*"
    )
    began = time.perf_counter()
    measure.create_topics(bootstrap, wire, partitions)
    results: dict[str, measure.Result] = {}
    try:
        with tempfile.TemporaryDirectory(prefix=f"{run_id}-") as tmp:
            workdir = Path(tmp)
            with console.status("raw produce"):
                results["produce"] = measure.raw_produce(
                    bootstrap, wire[0], envelope, events, wire[2]
                )
            with console.status("raw consume"):
                results["consume"] = measure.raw_consume(bootstrap, wire[0], events)

            store = Database(f"sqlite:///{workdir / 'relay-store.db'}")
            store.create_all()
            with console.status("writing the outbox through the event store"):
                written = measure.prewrite(store, events_topic, events)
            console.print(
                f"event store: {events:,} events appended in {written:.1f} s "
                f"({events / written:,.0f}/s, 10 a stream, 500 a transaction)"
            )
            with console.status("outbox relay"):
                results["relay"] = measure.relay(store, bootstrap, events, wire[2])
            store.dispose()

            consumer_store = Database(
                f"sqlite:///{workdir / 'consumer.db'}", measure.read_model
            )
            consumer_store.create_all()
            with console.status("consumer, in-process"):
                results["handle"] = measure.consume_in_process(
                    bootstrap, events_topic, consumer_store, consumer_events
                )
            consumer_store.dispose()

            if faust:
                with console.status("consumer, in the faust worker"):
                    results["faust"], startup = measure.consume_in_faust(
                        bootstrap,
                        events_topic,
                        workdir,
                        consumer_events,
                        f"{run_id}-faust",
                        90,
                    )
                console.print(
                    f"faust worker: first event handled {startup:.1f} s after start"
                )
    finally:
        if not keep_topics:
            measure.delete_topics(bootstrap, wire)

    _print(results)
    console.print(f"total {time.perf_counter() - began:.0f} s")


def _print(results: dict[str, measure.Result]) -> None:
    table = Table(title="events through each path")
    for column in ("path", "events", "seconds", "events/s", "note"):
        table.add_column(
            column, justify="left" if column in ("path", "note") else "right"
        )
    for result in results.values():
        table.add_row(
            result.path,
            f"{result.events:,}",
            f"{result.seconds:.2f}",
            f"{result.rate:,.0f}",
            result.note,
        )
    console.print(table)
    ratios = [("relay / raw produce", "relay", "produce")]
    ratios.append(("consumer in-process / raw consume", "handle", "consume"))
    if "faust" in results:
        ratios.append(("consumer in faust / raw consume", "faust", "consume"))
    for label, numerator, denominator in ratios:
        ratio = results[numerator].rate / results[denominator].rate
        console.print(f"{label}: [bold]{ratio:.2f}[/] ({1 / ratio:.0f}x slower)")
