"""Storage on SQLite and PostgreSQL: connection set-up, UTC times, concurrency, dedupe."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select, text

from bot.conversations import Inbound, handle
from store.db import transaction
from store.models import Answer, Contact, Erasure, Message, Response
from tests.helpers.threads import together


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
