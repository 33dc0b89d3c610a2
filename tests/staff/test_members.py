"""Assembly members on the staff pages: RSVPs per session on the dashboard (who said NO,
who has not answered, by name, never by number) and the wellbeing lead's check-ins page
(who to call, each member's latest score per weekend, low ones first, CALLs)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot import sending
from bot.conversations import Inbound, handle
from bot.members import checkins, job
from tests.helpers.members import LONDON, add_session, import_members
from tests.helpers.senders import RecordingSender
from tests.helpers.staff import add_user, sign_in

ANA, KASIA, ALI = "+447700900101", "+447700900102", "5550001"
ROWS = ("Ana Popescu,07700 900101,,ro,sms,", "Kasia Nowak,07700900102,,pl,sms,",
        f"Ali Khan,,{ALI},ur,telegram,")
ANALYST, LEAD = "officer@example.org", "lead@example.org"


def at(local: str) -> datetime:
    return datetime.fromisoformat(local).replace(tzinfo=LONDON).astimezone(UTC)


@pytest.fixture
def client(app, rt, surveys):
    add_user(rt, ANALYST, "analyst")
    add_user(rt, LEAD, "wellbeing")
    return app.test_client()


def no_addresses(page: str) -> None:
    for address in (ANA, KASIA, ALI, "07700 900101", "900102"):
        assert address not in page


def section(page: str, start: str, end: str) -> str:
    """From `start` to the next `end`."""
    begin = page.index(start)
    return page[begin:page.index(end, begin)]


# RSVPs on the dashboard ---------------------------------------------------------------------


def test_the_dashboard_names_who_said_no_and_later_who_has_not_answered(rt, clock, client):
    import_members(rt, *ROWS)
    add_session(rt, "Day 1", "2026-03-14T10:00", "2026-03-14T16:30", venue="Assembly Hall")
    clock.set(at("2026-03-07T18:00"))
    job.send_due(rt, clock.now)
    sending.send_due(rt, {"sms": RecordingSender(), "telegram": RecordingSender()}, clock.now)
    clock.advance(timedelta(minutes=5))
    handle(rt, Inbound("sms", ANA, "Da"))
    handle(rt, Inbound("sms", KASIA, "nie"))
    sign_in(client, ANALYST)
    page = client.get("/staff/").get_data(as_text=True)
    rsvps = section(page, 'id="rsvps"', 'id="deliveries"')
    [day] = [r for r in rsvps.split("<tr") if "Day 1" in r]
    assert "Sat 14 Mar, 10:00" in day and "(held)" not in day
    assert [n.split("<")[0] for n in day.split('class="n">')[1:]] == ["1", "1", "1"]  # exact
    to_call = rsvps[rsvps.index('id="rsvps-to-call"'):]
    assert "Day 1, Sat 14 Mar 2026, 10:00–16:30, Assembly Hall" in to_call
    said_no = section(to_call, "Said NO", "</ul>")
    assert "Kasia Nowak" in said_no and "M002, SMS" in said_no and "Ana Popescu" not in rsvps
    assert "Ali Khan" not in rsvps and "1 not answered yet: listed here from\nThu 12 Mar" in rsvps
    no_addresses(page)

    clock.set(at("2026-03-12T10:00"))  # two days before: the unanswered are to call
    sign_in(client, ANALYST)  # days later: signed out meanwhile
    page = client.get("/staff/").get_data(as_text=True)
    chase = section(page, "No answer yet:", 'id="deliveries"')
    assert "Ali Khan" in chase and "M003, Telegram" in chase
    clock.set(at("2026-03-14T10:30"))
    sign_in(client, ANALYST)
    rsvps = section(client.get("/staff/").get_data(as_text=True), 'id="rsvps"', 'id="deliveries"')
    assert "(held)" in rsvps and "Kasia" not in rsvps
    assert "Nobody to call for the days to come." in rsvps


def test_without_sessions_the_dashboard_says_how_to_add_them(client):
    sign_in(client, ANALYST)
    page = client.get("/staff/").get_data(as_text=True)
    assert "No assembly days yet" in page and "Not yet available" not in page


# Check-ins ----------------------------------------------------------------------------------


def _weekend(rt, clock, first: str) -> None:
    """A weekend (Saturday `first`, and the Sunday) whose check-in the worker has started."""
    saturday = datetime.fromisoformat(first)
    add_session(rt, f"Day {saturday:%d}", f"{saturday:%Y-%m-%d}T10:00")
    add_session(rt, f"Day {saturday.day + 1}", f"{saturday:%Y-%m}-{saturday.day + 1}T10:00")
    clock.set(at(f"{saturday:%Y-%m}-{saturday.day + 3}T18:00"))
    job.send_due(rt, clock.now)
    clock.advance(timedelta(minutes=10))


def test_the_check_ins_page_lists_who_to_call_and_low_scores_first(rt, clock, client):
    import_members(rt, *ROWS)
    _weekend(rt, clock, "2026-03-14")
    handle(rt, Inbound("sms", KASIA, "4"))
    handle(rt, Inbound("sms", ANA, "2"))  # low: an alert and the offer of a call
    handle(rt, Inbound("sms", ANA, "apel"))  # CALL in Romanian
    sign_in(client, LEAD)
    page = client.get("/staff/check-ins").get_data(as_text=True)
    to_call = section(page, 'id="to-call"', "<h2 id=\"week-")
    assert "Who to call (1)" in to_call  # Ana, once, with both her alerts
    assert to_call.count("Ana Popescu") == 1
    assert "asked for a call (CALL)" in to_call and "a low check-in score" in to_call
    assert 'href="/staff/alerts#alert-2"' in to_call
    assert "Latest check-in: <strong>2</strong> of 5" in to_call
    weekend = page[page.index('id="week-2026-W11"'):]
    assert "After Sat 14 Mar – Sun 15 Mar 2026" in page
    assert "Sent <strong>3</strong>" in weekend and "Answered <strong>2</strong>" in weekend
    assert "Low <strong>1</strong>" in weekend
    order = [weekend.index(name) for name in ("Ana Popescu", "Ali Khan", "Kasia Nowak")]
    assert order == sorted(order)  # low first, then no answer, then the rest
    ana = section(weekend, "Ana Popescu", "</tr>")
    assert "<strong>2</strong> of 5" in ana and ">low<" in ana and "#2</a> waiting" in ana
    assert "no answer" in section(weekend, "Ali Khan", "</tr>")
    no_addresses(page)


def test_a_wellbeing_alert_names_the_member_and_acknowledging_it_takes_them_off_the_list(
        rt, clock, client):
    import_members(rt, *ROWS)
    _weekend(rt, clock, "2026-03-14")
    handle(rt, Inbound("sms", ANA, "1"))
    sign_in(client, LEAD)
    alerts = client.get("/staff/alerts").get_data(as_text=True)
    assert "<dt>Member</dt><dd><strong>Ana Popescu</strong>" in alerts
    no_addresses(alerts)
    from tests.helpers.staff import csrf
    client.post("/staff/alerts/1/ack", data={"note": "Called, she is fine", "confirm": "yes",
                                             "csrf_token": csrf(client, "/staff/alerts")})
    page = client.get("/staff/check-ins").get_data(as_text=True)
    assert "Nobody is waiting for a call." in page
    assert "<strong>1</strong> of 5" in page  # the score stays on the weekend's table


def test_a_call_reads_as_a_request_to_call_not_as_words_to_translate(rt, clock, client):
    import_members(rt, *ROWS)
    handle(rt, Inbound("sms", KASIA, "TELEFON"))
    sign_in(client, LEAD)
    card = section(client.get("/staff/alerts").get_data(as_text=True), 'id="alert-1"',
                   "</article>")
    assert "wellbeing: call requested" in card and "<strong>Asked for a call.</strong>" in card
    assert '<q lang="pl" dir="auto">TELEFON</q>' in card
    assert "translat" not in card and "<blockquote" not in card
    no_addresses(card)


def test_each_weekend_keeps_its_own_latest_score(rt, clock, surveys):
    [ana, *_] = import_members(rt, *ROWS)
    _weekend(rt, clock, "2026-03-14")
    handle(rt, Inbound("sms", ANA, "2"))
    handle(rt, Inbound("sms", ANA, "RESTART"))
    handle(rt, Inbound("sms", ANA, "DA"))  # yes, begin again
    handle(rt, Inbound("sms", ANA, "3"))  # her latest for that weekend
    handle(rt, Inbound("sms", ANA, "SKIP"))
    _weekend(rt, clock, "2026-03-28")
    handle(rt, Inbound("sms", ANA, "5"))
    with rt.sessions() as session:
        found = [(r.member.name, r.week, r.score, r.low) for r in checkins.results(
            session, rt.member_rules.check_in) if r.member.id == ana.id]
    assert found == [("Ana Popescu", "2026-W11", 3, False), ("Ana Popescu", "2026-W13", 5, False)]


def test_before_any_check_in_the_page_says_so(client):
    sign_in(client, LEAD)
    page = client.get("/staff/check-ins").get_data(as_text=True)
    assert "Nobody is waiting for a call." in page and "No check-ins have gone out yet" in page
