"""`outreach lottery close` and `outreach lottery drop-out` (lottery/confirm.py), as staff
run them: counts only, registrants named by number, a place given back marked dropped."""

from __future__ import annotations

import pytest

from bot.conversations import handle
from bot.messages import Inbound
from store.db import transaction
from store.models import Member, Message, Run
from tests.helpers.cli import outreach
from tests.helpers.db import count
from tests.helpers.lottery_people import register, registrant
from tests.helpers.members import add_session, at

ASMA = "+447700900301"


@pytest.fixture
def confirmed(app, rt, surveys):
    """Asma, selected, asked by the worker and confirmed with YES."""
    add_session(rt, "Day 1", "2026-03-14T10:00")
    asma = register(rt, "Asma Siddiqui", "sms", ASMA, "en", status="selected")
    assert outreach(app, "worker", "--once", "--now", at("2026-03-03T09:00").isoformat()
                    ).exit_code == 0
    handle(rt, Inbound("sms", ASMA, "YES"))
    return asma


def test_drop_out_takes_them_off_the_roster_and_marks_them_dropped(app, rt, confirmed):
    assert count(rt, Member) == 1
    result = outreach(app, "lottery", "drop-out", f"R{confirmed:04d}")
    assert result.exit_code == 0, result.output
    assert f"R{confirmed:04d} dropped out; off the roster" in result.output
    assert "Asma" not in result.output and ASMA not in result.output
    assert registrant(rt, confirmed).status == "dropped" and count(rt, Member) == 0
    welcome = count(rt, Message, Message.idempotency_key.startswith("member-welcome:"))
    assert welcome == 0  # the worker never welcomed them after all


def test_only_the_selected_or_confirmed_can_drop_out(app, rt, surveys):
    kasia = register(rt, "Kasia Nowak", "sms", "+447700900302", "pl")
    result = outreach(app, "lottery", "drop-out", str(kasia))
    assert result.exit_code != 0 and "is registered" in result.output
    assert "no registrant 'R9999'" in outreach(app, "lottery", "drop-out", "R9999").output


def test_close_leaves_the_panel_as_it_is(app, rt, confirmed):
    register(rt, "Kasia Nowak", "sms", "+447700900302", "pl")
    result = outreach(app, "lottery", "close")
    assert "1 registered and 0 reserve(s) are now not selected" in result.output
    assert "the panel: 1 confirmed" in result.output
    assert registrant(rt, confirmed).status == "confirmed"


def test_close_refuses_while_answers_or_places_are_outstanding_unless_told_yes(app, rt,
                                                                              confirmed):
    with transaction(rt.sessions) as session:
        session.add(Run(kind="select", seed="s", wanted=3, reserves=1, algorithm="maximin",
                        library_version="0.12.15", created_at=rt.now()))
    waiting = register(rt, "Tomasz Lis", "sms", "+447700900303", "pl", status="selected")
    reserve = register(rt, "Kasia Nowak", "sms", "+447700900302", "pl", status="reserve")
    result = outreach(app, "lottery", "close")
    assert result.exit_code != 0
    assert "closing marks 0 registered and 1 reserve(s) not selected" in result.output
    assert "1 selected still to answer and 1 place(s) left to fill" in result.output
    assert registrant(rt, reserve).status == "reserve"  # nothing done
    result = outreach(app, "lottery", "close", "--yes")
    assert result.exit_code == 0, result.output
    assert "0 registered and 1 reserve(s) are now not selected" in result.output
    assert registrant(rt, reserve).status == "not_selected"
    assert registrant(rt, waiting).status == "selected"  # still asked; their YES still counts
