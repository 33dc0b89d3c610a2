"""Storage on SQLite and PostgreSQL: connection set-up, UTC times, concurrency, dedupe."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError

from bot.conversations import Inbound, handle
from store.db import make_engine, session_factory, transaction
from store.models import Answer, Contact, Erasure, Message, Response
from tests.helpers.threads import together

ROOT = Path(__file__).resolve().parents[2]


def test_sqlite_is_set_up_for_concurrent_use(rt, db_url):
    if not db_url.startswith("sqlite"):
        pytest.skip("SQLite only")
    with rt.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 10_000


def test_times_come_back_aware_and_in_utc(rt):
    local = datetime(2026, 7, 1, 9, 30, tzinfo=timezone(timedelta(hours=1)))
    with transaction(rt.sessions) as session:
        contact = Contact(created_at=local)
        session.add(contact)
    with rt.sessions() as session:
        stored = session.get(Contact, contact.id).created_at
    assert stored == local and stored.tzinfo is not None
    assert stored.utcoffset() == timedelta(0)


def test_naive_times_are_refused(rt):
    with pytest.raises(Exception, match="naive datetime"), transaction(rt.sessions) as session:
        session.add(Contact(created_at=datetime(2026, 1, 1)))


def test_read_then_write_transactions_never_fail_under_contention(rt):
    """The SQLITE_BUSY_SNAPSHOT case: many threads read a row, then write it."""
    with transaction(rt.sessions) as session:
        session.add(Erasure(responses=0, messages=0, at=datetime.now(UTC)))

    def bump(_):
        for _ in range(15):
            with transaction(rt.sessions) as session:
                row = session.scalar(select(Erasure).with_for_update())
                row.responses = row.responses + 1

    together(6, bump)
    with rt.sessions() as session:
        assert session.scalar(select(Erasure.responses)) == 90


def test_a_provider_retry_arriving_at_the_same_moment_is_stored_once(rt, surveys):
    handle(rt, Inbound("sms", "+447700900123", "DEMO", provider_id="SM0"))
    handle(rt, Inbound("sms", "+447700900123", "yes", provider_id="SM1"))
    results = together(4, lambda _: handle(rt, Inbound("sms", "+447700900123", "4",
                                                       provider_id="SM2")))
    assert sorted(r.duplicate for r in results) == [False, True, True, True]
    assert len({tuple(r.replies) for r in results}) == 1  # every copy got the same answer
    with rt.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Message).where(
            Message.provider_id == "SM2")) == 1
        assert session.scalar(select(func.count()).select_from(Answer)) == 1
        assert session.scalar(select(func.count()).select_from(Response)) == 1
        outbound = session.scalar(select(func.count()).select_from(Message).where(
            Message.direction == "out"))
    assert outbound == 4  # intro + consent, first question, second question


def test_first_messages_from_one_new_number_at_once_make_one_contact(rt, surveys):
    together(3, lambda n: handle(rt, Inbound("sms", "07700 900456", "hello",
                                             provider_id=f"SMx{n}")))
    with rt.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Contact)) == 1
        numbers = session.scalars(select(Message.address).where(Message.direction == "in"))
        assert set(numbers) == {"+447700900456"}


def _lock_is_free(db_path: str) -> bool:
    """Whether another writer could take the writers' queue lock right now."""
    fd = os.open(f"{db_path}-writers.lock", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True


def test_sqlite_writers_queue_on_a_lock_held_until_the_connection_is_back(tmp_path):
    path = str(tmp_path / "q.db")
    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        conn.execute(text("CREATE TABLE t (n INTEGER)"))
        conn.commit()
        assert _lock_is_free(path)
        conn.execute(text("INSERT INTO t VALUES (1)"))
        assert not _lock_is_free(path)  # another process's writer waits in the kernel
        conn.commit()
    assert _lock_is_free(path)
    engine.dispose()


def test_a_writer_waiting_in_another_process_goes_on_once_the_lock_is_let_go(tmp_path):
    path = str(tmp_path / "q.db")
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (n INTEGER)"))
    script = ("import sys; from sqlalchemy import text; from store.db import make_engine\n"
              f"e = make_engine('sqlite:///{path}')\n"
              "with e.begin() as c: c.execute(text('INSERT INTO t VALUES (2)'))\n"
              "print('written')")
    with engine.connect() as conn:
        conn.execute(text("INSERT INTO t VALUES (1)"))
        other = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                                 text=True, cwd=ROOT)
        with pytest.raises(subprocess.TimeoutExpired):
            other.wait(timeout=1)  # queued behind our transaction
        conn.commit()
    assert other.communicate(timeout=30)[0].strip() == "written"
    with engine.connect() as conn:
        assert sorted(conn.scalars(text("SELECT n FROM t"))) == [1, 2]
    engine.dispose()


def test_a_thread_that_holds_the_lock_meets_sqlites_busy_timeout_not_a_deadlock(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'q.db'}", busy_timeout_ms=200)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (n INTEGER)"))
    with engine.connect() as first:
        first.execute(text("INSERT INTO t VALUES (1)"))
        with pytest.raises(OperationalError, match="locked"), engine.connect() as second:
            second.execute(text("INSERT INTO t VALUES (2)"))
        first.commit()
    engine.dispose()


class _CommitRolledBack(sqlite3.Connection):
    """A DBAPI connection whose COMMIT fails the way SQLite fails one it rolls back itself
    (a disk I/O error, a full disk): the error, and no transaction left."""

    failing = False

    def commit(self):
        if not self.failing:
            return super().commit()
        if self.in_transaction:
            self.rollback()
            raise sqlite3.OperationalError("disk I/O error")


def test_a_commit_that_sqlite_rolled_back_itself_raises_never_passes_in_silence(tmp_path):
    path = tmp_path / "x.db"
    engine = make_engine(f"sqlite:///{path}", creator=lambda: sqlite3.connect(
        path, factory=_CommitRolledBack, check_same_thread=False))
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (a INTEGER)"))  # DDL: committed by SQLite itself
    factory = session_factory(engine)
    _CommitRolledBack.failing = True
    with pytest.raises(OperationalError, match="disk I/O error"):
        with transaction(factory) as session:
            session.execute(text("INSERT INTO t VALUES (1)"))
    _CommitRolledBack.failing = False
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 0
    engine.dispose()
