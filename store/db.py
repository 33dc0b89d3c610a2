"""Engines and sessions for SQLite (embedded default) and PostgreSQL (many processes).

SQLite is set up as its documentation recommends for concurrent use: WAL journal, a busy
timeout, foreign keys on, and every transaction begun with BEGIN IMMEDIATE so that a read
that later writes cannot fail with SQLITE_BUSY_SNAPSHOT.

SQLite takes one writer at a time, and a writer that finds the database busy sleeps and
polls (1, 2, 5 … 100 ms) until it is free: with several web workers that polling is the
latency tail. So writers first queue on an OS file lock beside the database
(`<db>-writers.lock`, flock): the kernel wakes the next one the moment the lock is let go,
just after the transaction commits or rolls back. The busy timeout stays as
the fallback (a thread that already holds the lock through another connection does not
queue again: it meets SQLite's own busy handling, as before).
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

BUSY_TIMEOUT_MS = 10_000
# The largest id an Integer primary key holds on PostgreSQL (int4; SQLite's is int64): a
# larger number in a URL can be no row, and would overflow a driver rather than find none.
MAX_ID = 2**31 - 1
# A database server that takes the connection and never answers (packets dropped, a host
# gone mid-failover) must be given up on well before Twilio stops waiting for the webhook
# (15 s) and gunicorn kills the worker (30 s), so that the message is kept in the spool and
# answered (bot/spool.py): 5 s to connect, 5 s to wait for a pooled connection, and 5 s for
# what we send to be acknowledged on a connection already open. No statement timeout: a
# migration or the worker may rightly run longer than a webhook.
CONNECT_TIMEOUT_S = 5
POOL_TIMEOUT_S = 5
TCP_USER_TIMEOUT_MS = 5_000


def make_engine(url: str, busy_timeout_ms: int = BUSY_TIMEOUT_MS, **kwargs) -> Engine:
    """An engine for `url`; SQLite gets WAL, a busy timeout, BEGIN IMMEDIATE and a queue
    for writers, PostgreSQL timeouts that give up on a server that never answers. Errors
    never show the statement's parameters: they hold phone numbers and answers."""
    kwargs.setdefault("hide_parameters", True)
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        kwargs.setdefault("pool_timeout", POOL_TIMEOUT_S)
        kwargs["connect_args"] = {"connect_timeout": CONNECT_TIMEOUT_S,
                                  "tcp_user_timeout": TCP_USER_TIMEOUT_MS,
                                  **kwargs.get("connect_args", {})}
        return create_engine(url, pool_pre_ping=True, **kwargs)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": busy_timeout_ms / 1000}, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    queue = _WriterQueue(f"{parsed.database}-writers.lock") if _on_disk(parsed) else None

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        if queue is not None:
            queue.enter(connection.connection.dbapi_connection)
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    if queue is not None:
        event.listen(engine, "commit", queue.commit_then_leave)
        event.listen(engine, "rollback", queue.rollback_then_leave)
        event.listen(engine, "checkin", queue.leave_event)
        event.listen(engine, "invalidate", queue.leave_event)
        event.listen(engine, "close", queue.close_event)
        event.listen(engine, "detach", queue.close_event)
    return engine


def _on_disk(parsed) -> bool:
    return parsed.database not in (None, "", ":memory:") and "mode=memory" not in str(parsed)


class _WriterQueue:
    """Writers to one SQLite file wait their turn on a flock, across threads and processes."""

    def __init__(self, path: str):
        self.path = path
        self._fds: dict[int, int] = {}  # DBAPI connection -> its own open lock file
        self._held: set[int] = set()  # connections holding the lock now
        self._holder = threading.local()  # the connection this thread holds it with
        self._guard = threading.Lock()

    def enter(self, dbapi_connection) -> None:
        """Wait for the lock (unless this thread holds it already, through any connection)."""
        if getattr(self._holder, "key", None) in self._held:
            return
        key = id(dbapi_connection)
        with self._guard:
            fd = self._fds.get(key)
            if fd is None:
                fd = self._fds[key] = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)
        with self._guard:
            self._held.add(key)
        self._holder.key = key

    def commit_then_leave(self, connection) -> None:
        """SQLAlchemy is about to COMMIT: do it now, then let the next writer in, so that it
        never finds the database still busy with our COMMIT (and sleeps in SQLite's busy
        handler). SQLAlchemy's own commit() that follows finds no transaction and does
        nothing; if ours fails, the transaction is still open and that one raises, wrapped
        as usual. But a COMMIT that SQLite rolled back itself (an I/O error, a full or
        read-only disk) leaves no transaction, and SQLAlchemy's own COMMIT would then pass
        in silence with everything lost: that failure is raised here."""
        self._then_leave(connection, "commit")

    def rollback_then_leave(self, connection) -> None:
        """The same for ROLLBACK."""
        self._then_leave(connection, "rollback")

    def _then_leave(self, connection, finish: str) -> None:
        dbapi_connection = connection.connection.dbapi_connection
        try:
            getattr(dbapi_connection, finish)()
        except Exception as exc:  # noqa: BLE001 - SQLAlchemy's own call raises it properly
            if finish == "commit" and not dbapi_connection.in_transaction:
                raise DBAPIError.instance(None, None, exc, sqlite3.Error,
                                          hide_parameters=True) from exc
        finally:
            self.leave_event(dbapi_connection)

    def leave_event(self, dbapi_connection, *_args) -> None:
        """The connection is back in the pool (or failed): let the next writer in."""
        key = id(dbapi_connection)
        with self._guard:
            if key not in self._held:
                return
            self._held.discard(key)
            fcntl.flock(self._fds[key], fcntl.LOCK_UN)

    def close_event(self, dbapi_connection, *_args) -> None:
        """The connection is closed: let go of the lock and its file."""
        self.leave_event(dbapi_connection)
        with self._guard:
            fd = self._fds.pop(id(dbapi_connection), None)
        if fd is not None:
            os.close(fd)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session whose work is committed on success and rolled back on error."""
    with factory() as session, session.begin():
        yield session


def ping(engine: Engine) -> bool:
    """Whether the database answers."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except Exception:  # noqa: BLE001 - any failure means "not healthy"
        return False


def storable(text: str) -> bool:
    """Whether both databases can keep this text as it is: PostgreSQL refuses NUL (0x00) in
    any text column or parameter, where SQLite would store it."""
    return "\0" not in text
