"""One engine and session factory per process, for SQLite or PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import MetaData, create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from shared.store.schema import store_metadata


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the API and the worker of one service read while the other writes;
    # the busy timeout makes a writer wait for the lock instead of failing at once.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_begin_immediate(conn: Any) -> None:
    # Take the write lock when the transaction starts, not at its first write, so two
    # writers queue on busy_timeout instead of one failing with "database is locked".
    conn.exec_driver_sql("BEGIN IMMEDIATE")


class Database:
    def __init__(self, url: str, *read_models: MetaData, echo: bool = False) -> None:
        self.url = url
        self.engine: Engine = self._make_engine(url, echo)
        self.read_models = read_models
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @staticmethod
    def _make_engine(url: str, echo: bool) -> Engine:
        if url.startswith("sqlite"):
            engine = create_engine(
                url, echo=echo, connect_args={"check_same_thread": False, "timeout": 10}
            )
            event.listen(engine, "connect", _sqlite_pragmas)
            # pysqlite's own transaction handling is turned off so BEGIN is ours.
            event.listen(
                engine, "connect", lambda c, _r: setattr(c, "isolation_level", None)
            )
            event.listen(engine, "begin", _sqlite_begin_immediate)
            return engine
        return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=10)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def create_all(self) -> None:
        store_metadata.create_all(self.engine)
        for metadata in self.read_models:
            metadata.create_all(self.engine)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on error."""
        with self._sessions() as session, session.begin():
            yield session

    def ping(self) -> bool:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True

    def dispose(self) -> None:
        self.engine.dispose()
