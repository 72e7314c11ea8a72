"""The shared fixtures work against real servers."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from confluent_kafka import Consumer, Message, Producer
from confluent_kafka.admin import AdminClient

from tests.support import postgres
from tests.support.processes import PythonProcess, wait_for

Unique = Callable[[str], str]


def test_unique_names_are_distinct_and_valid(unique: Unique) -> None:
    first, second = unique("topic"), unique("topic")
    assert first != second
    assert first.startswith("topic-test-unique-names-are-distinct-and-valid-")
    assert len(unique("db")) <= 63
    assert all(c.islower() or c.isdigit() or c == "-" for c in first)


def test_message_round_trips_through_kafka(
    kafka_bootstrap: str,
    create_topics: Callable[..., list[str]],
    unique: Unique,
) -> None:
    topic = unique("topic")
    create_topics([topic], partitions=3)

    producer = Producer({"bootstrap.servers": kafka_bootstrap, "acks": "all"})
    delivered: list[Message] = []
    producer.produce(
        topic,
        key=b"dossier-1",
        value=b'{"hello": "world"}',
        on_delivery=lambda err, msg: delivered.append(msg) if err is None else None,
    )
    assert producer.flush(10) == 0
    assert len(delivered) == 1

    consumer = Consumer(
        {
            "bootstrap.servers": kafka_bootstrap,
            "group.id": unique("group"),
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
        }
    )
    try:
        consumer.subscribe([topic])

        def next_message() -> Message | None:
            message = consumer.poll(0.2)
            if message is None or message.error() is not None:
                return None
            return message

        message = wait_for(next_message, timeout=30, what=f"a message on {topic}")
    finally:
        consumer.close()
    assert message.value() == b'{"hello": "world"}'
    assert message.key() == b"dossier-1"
    assert message.partition() == delivered[0].partition()


@pytest.mark.parametrize("partitions", [1, 5])
def test_create_topics_honours_partition_count(
    kafka_bootstrap: str,
    create_topics: Callable[..., list[str]],
    unique: Unique,
    partitions: int,
) -> None:
    names = create_topics([unique("a"), unique("b")], partitions=partitions)
    topics = (
        AdminClient({"bootstrap.servers": kafka_bootstrap})
        .list_topics(timeout=10)
        .topics
    )
    assert [len(topics[name].partitions) for name in names] == [partitions] * 2


def _write_and_read(url: str, value: str) -> list[tuple[int, str]]:
    engine = sa.create_engine(url)
    try:
        metadata = sa.MetaData()
        notes = sa.Table(
            "notes",
            metadata,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("body", sa.Text, nullable=False),
        )
        metadata.create_all(engine)
        with engine.begin() as conn:
            conn.execute(notes.insert(), [{"id": 1, "body": value}])
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(sa.select(notes))]
    finally:
        engine.dispose()


def test_postgres_database_holds_a_row(postgres_url: str) -> None:
    assert postgres_url.startswith("postgresql+psycopg://")
    assert _write_and_read(postgres_url, "thủ tục hành chính") == [
        (1, "thủ tục hành chính")
    ]
    engine = sa.create_engine(postgres_url)
    try:
        with engine.connect() as conn:
            encoding = conn.execute(sa.text("SHOW server_encoding")).scalar_one()
            database = conn.execute(sa.text("SELECT current_database()")).scalar_one()
    finally:
        engine.dispose()
    assert encoding == "UTF8"
    assert postgres_url.endswith("/" + database)


@pytest.fixture
def second_postgres_url(postgres_server: str, unique: Unique) -> Iterator[str]:
    name = unique("db")
    url = postgres.create_database(postgres_server, name)
    yield url
    postgres.drop_database(postgres_server, name)


def test_postgres_databases_are_separate(
    postgres_url: str, second_postgres_url: str
) -> None:
    assert postgres_url != second_postgres_url
    _write_and_read(postgres_url, "first")
    # The same table name in the other database starts empty, holding only its row.
    assert _write_and_read(second_postgres_url, "second") == [(1, "second")]


def test_drop_database_ends_open_sessions(postgres_server: str, unique: Unique) -> None:
    name = unique("db")
    url = postgres.create_database(postgres_server, name)
    engine = sa.create_engine(url)
    conn = engine.connect()  # left open on purpose: the drop must force it
    try:
        postgres.drop_database(postgres_server, name)
    finally:
        conn.close()
        engine.dispose()
    with psycopg.connect(postgres.admin_conninfo(postgres_server)) as admin:
        row = admin.execute(
            "SELECT count(*) FROM pg_database WHERE datname = %s", (name,)
        ).fetchone()
    assert row == (0,)


def test_sqlite_url_works(sqlite_url: str, tmp_path: Path) -> None:
    assert sqlite_url == f"sqlite:///{tmp_path}/store.db"
    assert _write_and_read(sqlite_url, "offline") == [(1, "offline")]
    assert (tmp_path / "store.db").is_file()


SLEEPER = """
import os, pathlib, signal, sys, time
signal.signal(signal.SIGTERM, lambda *_: sys.exit(3))
print("starting", os.environ["PORTAL_GREETING"], flush=True)
pathlib.Path(os.environ["READY_FILE"]).write_text("ok")
while True:
    time.sleep(0.05)
"""


def test_spawned_process_is_awaited_stopped_and_reported(
    spawn: Callable[..., PythonProcess], tmp_path: Path
) -> None:
    (tmp_path / "sleeper.py").write_text(SLEEPER)
    ready = tmp_path / "ready"
    env = {"PYTHONPATH": str(tmp_path), "READY_FILE": str(ready)}
    process = spawn("sleeper", env={**env, "PORTAL_GREETING": "xin chào"})
    assert process.wait_for(ready.exists, timeout=20, what="the ready file")
    assert process.running
    assert process.stop(timeout=10) == 3  # its SIGTERM handler ran
    assert "starting xin chào" in process.log_path.read_text()

    crashing = spawn("no_such_module", env=env)
    with pytest.raises(AssertionError, match="No module named no_such_module"):
        crashing.wait_for(lambda: False, timeout=20, what="something that never is")
    assert crashing.returncode == 1
    assert crashing.popen.args == [sys.executable, "-m", "no_such_module"]


def test_wait_for_times_out_with_its_description() -> None:
    with pytest.raises(AssertionError, match="waiting for the impossible"):
        wait_for(lambda: None, timeout=0.2, what="the impossible")
    assert wait_for(lambda: 42, timeout=1) == 42
