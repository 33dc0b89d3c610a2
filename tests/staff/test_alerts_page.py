"""The safeguarding lead's alerts in the staff area, as the lead meets them in a browser:
acknowledging needs a note and a confirmation (a refused form keeps the note), the queue
says how long each alert has waited and which are overdue, the navigation counts those
waiting, and an alert's page shows the conversation (never an anonymous survey's answers)
and sends the lead's reply through the outbox, as `outreach alerts reply` does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from markupsafe import escape
from sqlalchemy import select, update

from app import create_app
from bot.conversations import Inbound, handle
from store.db import transaction
from store.models import Alert, AuditEvent, Message
from tests.helpers.cli import outreach
from tests.helpers.engagers import add_engager
from tests.helpers.members import import_members
from tests.helpers.staff import add_alert, add_user, csrf, sign_in
from tests.helpers.web_form import RESIDENTS, RESIDENTS_EN, Browser

LEAD, ANALYST = "lead@example.org", "officer@example.org"
FROM = "+447700900321"
DISCLOSURE = "my stepdad hits me and I don't want to go home"


@pytest.fixture
def client(app, rt):
    add_user(rt, LEAD, "wellbeing")
    add_user(rt, ANALYST, "analyst")
    client = app.test_client()
    sign_in(client, LEAD)
    return client


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def say(rt, text: str) -> None:
    handle(rt, Inbound("sms", FROM, text))


def stored(rt, alert_id: int) -> Alert:
    with rt.sessions() as session:
        return session.get(Alert, alert_id)


@pytest.mark.parametrize("form, refusal", [
    ({"note": "", "confirm": "yes"}, "Write what was done before acknowledging."),
    ({"note": "   ", "confirm": "yes"}, "Write what was done before acknowledging."),
    ({"note": ".", "confirm": "yes"}, "at least 2 words and 8 letters"),
    ({"note": "ok done", "confirm": "yes"}, "at least 2 words and 8 letters"),
    ({"note": "Called her back, referred to MASH"}, "Tick the box to confirm"),
])
def test_an_alert_is_not_acknowledged_without_a_note_and_a_confirmation(
        rt, client, form, refusal):
    alert = add_alert(rt)
    response = client.post(f"/staff/alerts/{alert}/ack",
                           data={**form, "csrf_token": csrf(client, f"/staff/alerts/{alert}")})
    assert response.status_code == 400
    shown = response.get_data(as_text=True)
    assert refusal in shown
    if form["note"].strip():  # what the lead typed is still there to send again
        assert f">{form['note']}</textarea>" in shown
    assert stored(rt, alert).acked_at is None


def test_with_a_note_and_the_confirmation_it_is_acknowledged_and_audited(rt, client, clock):
    alert = add_alert(rt)
    response = client.post(f"/staff/alerts/{alert}/ack", data={
        "note": "Called her back, referred to MASH", "confirm": "yes",
        "csrf_token": csrf(client, f"/staff/alerts/{alert}")})
    assert response.status_code == 303
    done = stored(rt, alert)
    assert (done.acked_by, done.ack_note, done.acked_at) == (
        LEAD, "Called her back, referred to MASH", clock.now)
    with rt.sessions() as session:
        assert session.scalar(select(AuditEvent.detail).where(
            AuditEvent.event == "alert_acknowledged")) == f"alert #{alert}"


def test_the_page_says_acknowledged_only_of_an_alert_that_is(rt, client):
    """`/staff/alerts?done=N` said "Alert #N acknowledged." for any N."""
    waiting, acked = add_alert(rt), add_alert(rt)
    client.post(f"/staff/alerts/{acked}/ack", data={
        "note": "Called her back", "confirm": "yes",
        "csrf_token": csrf(client, f"/staff/alerts/{acked}")})
    assert f"Alert #{acked} acknowledged." in page(client, f"/staff/alerts?done={acked}")
    for other in (waiting, 999999, 99999999999, -1, 0):
        assert "acknowledged." not in page(client, f"/staff/alerts?done={other}"), other


def test_the_queue_says_how_long_each_waited_and_marks_the_overdue(rt, client, clock):
    urgent = add_alert(rt, severity=2)
    concern = add_alert(rt, text="I feel low since the assembly", severity=1)
    clock.advance(timedelta(minutes=59))
    shown = page(client, "/staff/alerts")
    assert "<dd>59 min</dd>" in shown and "Overdue" not in shown
    clock.advance(timedelta(minutes=2))  # 1 h 1 min: the urgent one is overdue, not the concern
    shown = page(client, "/staff/alerts")
    cards = {n: shown.split(f'id="alert-{n}"')[1].split("</article>")[0]
             for n in (urgent, concern)}
    assert "Overdue" in cards[urgent] and "1 h 1 min (overdue)" in cards[urgent]
    assert "Overdue" not in cards[concern] and "<dd>1 h 1 min</dd>" in cards[concern]
    clock.advance(timedelta(hours=23))
    sign_in(client, LEAD)  # a day later: a new sign-in
    assert "Overdue" in page(client, "/staff/alerts").split(
        f'id="alert-{concern}"')[1].split("</article>")[0]


def test_the_overdue_times_are_settings(config, clock):
    app = create_app({**config, "ALERT_OVERDUE_URGENT": "10m",
                      "ALERT_OVERDUE_CONCERN": "2h"}, clock=clock)
    rt = app.extensions["outreach"]
    try:
        assert (rt.settings.alert_overdue_urgent, rt.settings.alert_overdue_concern) == (
            timedelta(minutes=10), timedelta(hours=2))
        add_user(rt, LEAD, "wellbeing")
        client = app.test_client()
        sign_in(client, LEAD)
        add_alert(rt, severity=3)
        clock.advance(timedelta(minutes=11))
        assert "Overdue" in page(client, "/staff/alerts")
    finally:
        rt.engine.dispose()


def test_the_navigation_counts_the_alerts_waiting_for_those_who_may_see_them(
        app, rt, client):
    for _ in range(3):
        add_alert(rt)
    assert outreach(app, "alerts", "ack", "1", "--note", "called her back", "--yes").exit_code == 0
    shown = page(client, "/staff/check-ins")
    assert 'href="/staff/alerts">Alerts <span class="count">(2' in shown
    analyst = app.test_client()
    sign_in(analyst, ANALYST)
    assert "count" not in page(analyst, "/staff/").split("</nav>")[0]


def test_the_not_translated_line_speaks_to_a_lead(rt, client):
    alert = add_alert(rt, text="tatăl meu mă bate", language="ro")
    for path in ("/staff/alerts", f"/staff/alerts/{alert}"):
        shown = page(client, path)
        assert "No translation: ask your administrator to set one up" in shown
        assert "TRANSLATOR" not in shown and "docs/" not in shown


def start_survey_then_disclose(rt, clock) -> None:
    """The residents' survey (anonymous), three answers, then a disclosure mid-survey."""
    for text in ["Hello", "YES", "4", "2", "1,3", DISCLOSURE]:
        clock.advance(timedelta(minutes=1))
        say(rt, text)


def test_an_alerts_page_shows_the_conversation_without_the_survey_answers(
        rt, client, surveys, clock):
    start_survey_then_disclose(rt, clock)
    shown = page(client, "/staff/alerts/1")
    assert escape(DISCLOSURE) in shown and "In danger now? Call 999." in shown  # its reply
    # four questions asked, three answers between them: one run, counted
    assert "(7 survey messages not shown)" in shown
    assert "How safe do you feel in your local area after dark?" not in shown
    assert ">1,3<" not in shown and "<span dir=\"auto\">2</span>" not in shown
    assert "Your say on neighbourhood policing, question 4 of 18" in shown
    assert "feel_safer" not in shown and FROM[-6:] not in shown
    # the acknowledgement comes after the conversation
    assert shown.index("The conversation") < shown.index('action="/staff/alerts/1/ack"')


def test_the_lead_replies_from_the_page_through_the_outbox_and_sees_it_in_the_survey(
        app, rt, client, surveys, clock):
    start_survey_then_disclose(rt, clock)
    say(rt, "3")  # answers on, inside the survey
    form = csrf(client, "/staff/alerts/1")
    nonce = page(client, "/staff/alerts/1").split('name="nonce" value="')[1].split('"')[0]
    data = {"text": "This is Sam from the council. Are you safe now?", "nonce": nonce,
            "csrf_token": form}
    response = client.post("/staff/alerts/1/reply", data=data)
    assert response.status_code == 303
    assert client.post("/staff/alerts/1/reply", data=data).status_code == 303  # twice: once
    with rt.sessions() as session:
        [sent] = session.scalars(select(Message).where(
            Message.body == data["text"])).all()
        assert (sent.address, sent.status, sent.direction) == (FROM, "queued", "out")
        assert session.scalar(select(AuditEvent.actor).where(
            AuditEvent.event == "alert_replied")) == LEAD
    shown = page(client, "/staff/alerts/1")
    assert data["text"] in shown and 'class="said-lead"' in shown  # inside the survey's span
    assert outreach(app, "alerts", "show", "1").output.count(data["text"]) == 1


def test_a_reply_at_night_waits_for_the_morning_unless_sent_now_on_an_urgent_alert(
        rt, client, surveys, clock):
    start_survey_then_disclose(rt, clock)
    clock.set(datetime(2026, 3, 2, 23, 30, tzinfo=UTC))  # quiet hours in London
    sign_in(client, LEAD)  # hours later: a new sign-in
    for text, now in (("Sam here, I will call tomorrow.", ""), ("Are you safe now?", "yes")):
        nonce = page(client, "/staff/alerts/1").split('name="nonce" value="')[1][:16]
        client.post("/staff/alerts/1/reply", data={
            "text": text, "nonce": nonce, "send_now": now,
            "csrf_token": csrf(client, "/staff/alerts/1")})
    with rt.sessions() as session:
        due = {m.body: m.next_attempt_at.replace(tzinfo=UTC) for m in session.scalars(
            select(Message).where(Message.body.in_(["Sam here, I will call tomorrow.",
                                                    "Are you safe now?"])))}
    assert due["Sam here, I will call tomorrow."] == datetime(2026, 3, 3, 8, tzinfo=UTC)
    assert due["Are you safe now?"] < datetime(2026, 3, 2, 23, 31, tzinfo=UTC)
    assert "queued, goes Tue 03 Mar 2026, 08:00" in page(client, "/staff/alerts/1")


def test_a_refused_reply_says_why(rt, client, surveys, clock):
    start_survey_then_disclose(rt, clock)
    nonce = page(client, "/staff/alerts/1").split('name="nonce" value="')[1][:16]
    say(rt, "STOP")  # while the lead had the form open
    response = client.post("/staff/alerts/1/reply", data={
        "text": "Are you safe now?", "nonce": nonce,
        "csrf_token": csrf(client, "/staff/alerts/1")})
    assert response.status_code == 400
    shown = response.get_data(as_text=True)
    assert "This person cannot be written to: they sent STOP" in shown


def disclose_on_the_web_form(app) -> None:
    browser = Browser(app)
    browser.open(RESIDENTS)
    for asked, (action, *values) in RESIDENTS_EN:
        if asked.startswith("What could the police do"):
            break
        browser.choose(*values) if action == "choose" else browser.send(values[0])
    browser.send(DISCLOSURE)


WEB = "This person cannot be written to: they were on the web form, there is no number to " \
      "write to."


@pytest.mark.parametrize("erased", [False, True])
def test_a_web_form_visitors_alert_offers_no_reply_form_and_says_why(
        app, rt, client, surveys, erased):
    disclose_on_the_web_form(app)
    if erased:  # their conversation kept no longer (a purge): still a web-form visitor
        with transaction(rt.sessions) as session:
            session.execute(update(Alert).values(conversation_id=None, contact_id=None))
    shown = page(client, "/staff/alerts/1")
    writing = shown.split('<h2 id="reply">')[1].split('<h2 id="acknowledge">')[0]
    assert escape(WEB) in writing and "DELETE" not in writing
    assert 'action="/staff/alerts/1/reply"' not in shown and 'id="reply-text"' not in shown
    assert 'action="/staff/alerts/1/ack"' in shown  # it can still be acknowledged
    refused = outreach(app, "alerts", "reply", "1", "Are you safe now?")
    assert refused.exit_code == 1 and WEB.rstrip(".") in refused.output
    assert "DELETE" not in refused.output


def test_someone_who_sent_stop_is_not_offered_a_reply_form(rt, client, surveys, clock):
    start_survey_then_disclose(rt, clock)
    assert 'action="/staff/alerts/1/reply"' in page(client, "/staff/alerts/1")
    say(rt, "STOP")
    shown = page(client, "/staff/alerts/1")
    assert "This person cannot be written to: they sent STOP" in shown
    assert 'action="/staff/alerts/1/reply"' not in shown


@pytest.mark.parametrize("who", ["member", "engager"])
def test_a_named_persons_alert_does_not_say_which_anonymous_survey_they_were_answering(
        app, rt, client, surveys, clock, who):
    """Their name is on the alert (a member's) or on the staff pages (an engager's): beside
    it, the anonymous survey and question would tie them to their answers."""
    if who == "member":
        import_members(rt, f"Sarah Khan,{FROM},,en,sms,")
    else:
        add_engager(rt, "K7P2QX", name="Sarah Khan", phone=FROM)
    for text in ["SAFETY", "YES", "4", "2", "1,3", DISCLOSURE]:  # the survey by its keyword
        clock.advance(timedelta(minutes=1))
        say(rt, text)
    alert = stored(rt, 1)
    assert (alert.survey, alert.text) == ("neighbourhood-policing", DISCLOSURE)
    title = surveys["neighbourhood-policing"].title
    for shown in (page(client, "/staff/alerts/1"), page(client, "/staff/alerts"),
                  outreach(app, "alerts", "show", "1").output,
                  outreach(app, "alerts", "list").output):
        assert title not in shown and "question 4 of 18" not in shown
        assert ">Answering<" not in shown
    assert "sms (" not in outreach(app, "alerts", "list").output


def test_above_the_reply_box_the_lead_is_told_which_language_the_person_reads(
        rt, client, surveys, clock):
    """The team's messages to them are in Romanian only: the lead's reply goes as typed."""
    for text in ["Bună ziua, vreau să răspund la sondaj", "DA", "tatăl meu mă bate"]:
        clock.advance(timedelta(minutes=1))
        say(rt, text)
    assert (stored(rt, 1).language, stored(rt, 1).category) == ("ro", "abuse_at_home")
    shown = page(client, "/staff/alerts/1")
    line = "Your reply is sent as you write it; this person reads Romanian."
    assert line in shown
    assert shown.index(line) < shown.index('id="reply-text"')  # above the box


def test_no_language_line_for_someone_who_reads_english(rt, client, surveys, clock):
    start_survey_then_disclose(rt, clock)
    shown = page(client, "/staff/alerts/1")
    assert 'id="reply-text"' in shown and "this person reads" not in shown
