"""The probe service as a fixture: each test gets its own topic, dead-letter topic,
consumer group, store and port, and starts the probe's processes it needs."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from shared.events.topics import physical
from tests.support.probe_rig import Probe, dispose_databases
from tests.support.processes import PythonProcess, free_ports


@pytest.fixture(autouse=True)
def _dispose_databases() -> Iterator[None]:
    yield
    dispose_databases()


@pytest.fixture
def make_probe(
    kafka_bootstrap: str,
    create_topics: Callable[..., list[str]],
    unique: Callable[[str], str],
    tmp_path: Path,
    spawn: Callable[..., PythonProcess],
) -> Iterator[Callable[..., Probe]]:
    """``make_probe(database_url=None, topic=None)``: a probe with its own group and
    store (SQLite unless a URL is given), on a new topic unless one is named.

    Topic names are logical: the shared kit puts KAFKA_TOPIC_PREFIX (if the
    environment sets one) in front wherever it meets Kafka, and so does this."""
    made = itertools.count()
    probes: list[Probe] = []

    def make(database_url: str | None = None, topic: str | None = None) -> Probe:
        n = next(made)
        if topic is None:
            topic = unique("probe")
            create_topics([physical(topic)], partitions=3)
        dead_letter_topic = unique("probe-dl")
        create_topics([physical(dead_letter_topic)], partitions=1)
        workdir = tmp_path / f"probe-{n}"
        workdir.mkdir()
        rig = Probe(
            bootstrap=kafka_bootstrap,
            topic=topic,
            dead_letter_topic=dead_letter_topic,
            group=unique("group"),
            database_url=database_url or f"sqlite:///{workdir / 'probe.db'}",
            port=free_ports(1)[0],
            workdir=workdir,
            spawn=spawn,
        )
        # Before any process starts, so an API and a worker never race to create it.
        rig.db.create_all()
        probes.append(rig)
        return rig

    yield make
    for rig in probes:
        rig.kill_all()
