"""The event store's contract, run against every store: SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from datetime import UTC

import psycopg
import pytest
from opentelemetry import trace
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from shared.events import topics
from shared.events.dossier import DossierApproved, DossierWithdrawn
from shared.events.envelope import Envelope
from shared.store import Causation, ConcurrencyConflict, Database, EventStore
from shared.store.schema import events, outbox
from tests.support import postgres
from tests.support.processes import wait_for

store = EventStore("dossier")


@pytest.fixture(params=["sqlite_url", "postgres_url"], ids=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest) -> Iterator[Database]:
    database = Database(request.getfixturevalue(request.param))
    database.create_all()
    yield database
    database.dispose()


def withdrawn(n: int = 1) -> DossierWithdrawn:
    return DossierWithdrawn(dossier_id="D-1", applicant_id="A-1", reason=f"reason {n}")


def approved() -> DossierApproved:
    return DossierApproved(
        dossier_id="D-1", applicant_id="A-1", approved_by="officer-7"
    )


def count(db: Database, table: object) -> int:
    with db.transaction() as session:
        found = session.scalar(select(func.count()).select_from(table))  # type: ignore[arg-type]
        return found or 0


def append(db: Database, stream_id: str, expected: int, *new: object) -> list[Envelope]:
    with db.transaction() as session:
        return store.append(session, stream_id, expected, list(new), Causation("corr"))  # type: ignore[arg-type]


def test_appended_events_load_back_with_every_envelope_attribute(db: Database) -> None:
    trace_id, span_id = uuid.uuid4().int, uuid.uuid4().int >> 64
    span = NonRecordingSpan(SpanContext(trace_id, span_id, False, TraceFlags(1)))
    with trace.use_span(span), db.transaction() as session:
        first, second = store.append(
            session,
            "dossier-D-1",
            0,
            [withdrawn(), approved()],
            Causation("corr-1", "cmd-9"),
        )
    with db.transaction() as session:
        (third,) = store.append(
            session, "dossier-D-1", 2, [withdrawn(3)], Causation.following(second)
        )
        loaded = store.load(session, "dossier-D-1")

    assert loaded == [first, second, third]
    assert uuid.UUID(first.id).version == 4
    assert len({first.id, second.id, third.id}) == 3
    assert (first.source, first.specversion, first.subject) == (
        "/services/dossier",
        "1.0",
        "dossier-D-1",
    )
    assert [e.type for e in loaded] == [
        "DossierWithdrawn",
        "DossierApproved",
        "DossierWithdrawn",
    ]
    assert first.dataschema == "urn:portal:schema:DossierWithdrawn:v1"
    assert second.dataschema == "urn:portal:schema:DossierApproved:v1"
    assert [e.sequence for e in loaded] == [1, 2, 3]
    assert (first.correlationid, first.causationid) == ("corr-1", "cmd-9")
    assert (third.correlationid, third.causationid) == ("corr-1", second.id)
    assert first.traceparent == f"00-{trace_id:032x}-{span_id:016x}-01"
    assert third.traceparent is None
    assert first.time.tzinfo == UTC
    assert first.datacontenttype == "application/json"
    assert first.data == {
        "dossier_id": "D-1",
        "applicant_id": "A-1",
        "reason": "reason 1",
    }
    assert DossierApproved.model_validate(second.data) == approved()


def test_a_stream_that_does_not_exist_loads_empty_at_version_zero(db: Database) -> None:
    with db.transaction() as session:
        assert store.load(session, "dossier-none") == []
        assert store.current_version(session, "dossier-none") == 0


@pytest.mark.parametrize("expected", [0, 1, 3])
def test_an_append_with_a_stale_or_future_expected_version_raises_a_conflict(
    db: Database, expected: int
) -> None:
    append(db, "dossier-D-1", 0, withdrawn(1), withdrawn(2))

    with pytest.raises(ConcurrencyConflict) as raised:
        append(db, "dossier-D-1", expected, approved())

    assert (raised.value.stream_id, raised.value.expected, raised.value.actual) == (
        "dossier-D-1",
        expected,
        2,
    )
    assert count(db, events) == 2
    assert count(db, outbox) == 2


class StaleReads(EventStore):
    """Reads version 0 whatever the stream holds: a writer whose check raced."""

    def current_version(self, session: Session, stream_id: str) -> int:
        return 0


def test_a_writer_past_a_stale_version_check_still_loses_to_the_unique_constraint(
    db: Database,
) -> None:
    append(db, "dossier-D-1", 0, withdrawn())

    with db.transaction() as session:
        with pytest.raises(ConcurrencyConflict) as raised:
            StaleReads("dossier").append(
                session, "dossier-D-1", 0, [approved()], Causation("corr")
            )
        # The savepoint leaves the caller's transaction usable.
        assert [e.sequence for e in store.load(session, "dossier-D-1")] == [1]

    assert raised.value.expected == 0
    assert count(db, events) == 1
    assert count(db, outbox) == 1


def test_two_concurrent_writers_of_one_stream_give_one_success_and_one_conflict(
    db: Database,
) -> None:
    """Each thread reads version 0 in its own session, waits for the other to have
    read it too, then appends expecting version 0."""
    append(db, "dossier-other", 0, withdrawn())
    both_read = threading.Barrier(2, timeout=10)
    results: dict[str, object] = {}

    def writer(name: str) -> None:
        with db.transaction() as session:
            seen = store.current_version(session, "dossier-D-1")
        both_read.wait()
        try:
            append(db, "dossier-D-1", seen, withdrawn())
            results[name] = "appended"
        except ConcurrencyConflict as conflict:
            results[name] = conflict
        except Exception as error:
            results[name] = error

    threads = [threading.Thread(target=writer, args=(n,)) for n in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    outcomes = sorted(
        r if isinstance(r, str) else type(r).__name__ for r in results.values()
    )
    assert outcomes == ["ConcurrencyConflict", "appended"], results
    with db.transaction() as session:
        assert [e.sequence for e in store.load(session, "dossier-D-1")] == [1]
    assert count(db, outbox) == 2


def test_on_postgresql_a_writer_blocked_on_an_uncommitted_version_gets_a_conflict(
    postgres_url: str,
) -> None:
    """Both writers pass the version check; the second's insert waits on the unique
    index until the first commits, then fails and is reported as a conflict."""
    db = Database(postgres_url)
    db.create_all()
    outcome: list[object] = []

    def second_writer() -> None:
        try:
            append(db, "dossier-D-1", 0, approved())
            outcome.append("appended")
        except Exception as error:
            outcome.append(error)

    def second_writer_waits_on_a_lock() -> bool:
        with psycopg.connect(postgres.admin_conninfo(postgres_url)) as conn:
            waiting = conn.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            ).fetchone()
        return waiting == (1,)

    try:
        with db.transaction() as session:
            store.append(session, "dossier-D-1", 0, [withdrawn()], Causation("first"))
            thread = threading.Thread(target=second_writer)
            thread.start()
            wait_for(
                second_writer_waits_on_a_lock, 10, what="the second writer to block"
            )
        thread.join(10)
        assert len(outcome) == 1
        assert isinstance(outcome[0], ConcurrencyConflict), outcome
        assert count(db, events) == 1
    finally:
        db.dispose()


def test_read_all_returns_every_event_in_the_order_it_was_appended(
    db: Database,
) -> None:
    appended = []
    for round_ in range(3):
        for stream_id in ("dossier-A", "dossier-B", "dossier-C"):
            appended += append(db, stream_id, round_, withdrawn(round_))
    appended += append(db, "dossier-D", 0, withdrawn(), approved(), withdrawn(2))

    with db.transaction() as session:
        everything = store.read_all(session)
        pages, after = [], 0
        while page := store.read_all(session, after=after, limit=4):
            pages.append(page)
            after = page[-1].position

    assert [s.envelope for s in everything] == appended
    positions = [s.position for s in everything]
    assert positions == sorted(positions) and len(set(positions)) == len(positions)
    assert [len(p) for p in pages] == [4, 4, 4]
    assert [s for page in pages for s in page] == everything


def test_the_outbox_row_is_written_in_the_events_transaction(db: Database) -> None:
    trace_id, span_id = uuid.uuid4().int, uuid.uuid4().int >> 64
    span = NonRecordingSpan(SpanContext(trace_id, span_id, False, TraceFlags(1)))
    with trace.use_span(span):
        appended = append(db, "dossier-D-1", 0, withdrawn(), approved())

    with db.transaction() as session:
        rows = (
            session.execute(select(outbox).order_by(outbox.c.position)).mappings().all()
        )
    assert [r["event_id"] for r in rows] == [e.id for e in appended]
    assert {r["topic"] for r in rows} == {topics.DOSSIER}
    assert {r["key"] for r in rows} == {"dossier-D-1"}
    assert [Envelope.from_json(r["payload"]) for r in rows] == appended
    assert {r["traceparent"] for r in rows} == {appended[0].traceparent}
    assert all(r["sent_at"] is None and r["created_at"] is not None for r in rows)


def test_an_append_rolled_back_leaves_neither_events_nor_outbox_rows(
    db: Database,
) -> None:
    class Abandoned(Exception):
        pass

    with pytest.raises(Abandoned), db.transaction() as session:
        store.append(
            session, "dossier-D-1", 0, [withdrawn(), approved()], Causation("c")
        )
        assert session.scalar(select(func.count()).select_from(outbox)) == 2
        raise Abandoned

    assert count(db, events) == 0
    assert count(db, outbox) == 0
    with db.transaction() as session:
        assert session.execute(text("SELECT 1")).scalar() == 1
