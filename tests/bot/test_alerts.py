"""Safeguarding as a person meets it: a disclosure is signposted in the same reply, the
survey carries on, an alert is stored with the answer and the lead is told at once —
without the words — whatever the hour; ordinary talk about policing raises nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from app import create_app
from bot import alerts, plaintext
from bot.conversations import Inbound, handle
from bot.translating import PendingTranslations
from store.db import transaction
from store.models import Alert, Answer, Message
from tests.helpers.surveys import load_surveys

FROM = "+447700900321"
LEAD = "+447700900999"
DISCLOSURE = "my stepdad hits me and I don't want to go home"
SIGNPOST = (
    "In danger now? Call 999. To talk, free, any time: Samaritans 116 123, or Childline "
    "0800 1111 (under 19). A person on our team will read your message.")
SAFE_DAY = "How safe do you feel in your local area during the day?"


@pytest.fixture
def config(config):
    return {**config, "SAFEGUARDING_LEAD": LEAD}


def say(rt, text: str, sender: str = FROM, sid: str | None = None, channel: str = "sms"):
    handled = handle(rt, Inbound(channel, sender, text, provider_id=sid))
    return [plaintext.render(reply) for reply in handled.replies]


def all_alerts(rt) -> list[Alert]:
    with rt.sessions() as session:
        return list(session.scalars(select(Alert).order_by(Alert.id)))


def queued_to(rt, address: str) -> list[Message]:
    with rt.sessions() as session:
        return list(session.scalars(select(Message).where(
            Message.direction == "out", Message.address == address).order_by(Message.id)))


def start_residents(rt) -> None:
    say(rt, "Hello")
    assert say(rt, "YES")[0].startswith(SAFE_DAY)


def test_a_disclosure_mid_survey_is_signposted_alerted_and_the_survey_carries_on(
        rt, surveys, clock):
    start_residents(rt)
    clock.set(datetime(2026, 3, 2, 23, 30, tzinfo=UTC))  # inside quiet hours
    replies = say(rt, DISCLOSURE, sid="SM-disclosure")
    assert replies[0] == SIGNPOST
    assert replies[1].startswith(SAFE_DAY)  # asked again, without "please reply with a number"

    [alert] = all_alerts(rt)
    assert (alert.kind, alert.category, alert.text, alert.language) == (
        "safeguarding", "abuse_at_home", DISCLOSURE, "en")
    assert alert.severity in alerts.SEVERITY_NAMES
    assert (alert.survey, alert.question, alert.channel) == (
        "neighbourhood-policing", "safe_day", "sms")
    assert alert.acked_at is None and alert.text_en == DISCLOSURE
    with rt.sessions() as session:
        inbound = session.get(Message, alert.message_id)
    assert inbound.body == DISCLOSURE and inbound.direction == "in"

    [notice] = queued_to(rt, LEAD)
    assert notice.status == "queued" and notice.next_attempt_at <= clock()  # not held till 8am
    assert notice.body == (f"New safeguarding alert #{alert.id} "
                           f"({alerts.SEVERITY_NAMES[alert.severity]}). "
                           f"See it at https://outreach.example.org/staff/alerts/{alert.id}")
    assert "stepdad" not in notice.body and FROM not in notice.body


def test_while_the_service_is_local_the_leads_notice_says_to_sign_in_and_has_no_link(
        config, clock):
    """A local PUBLIC_BASE_URL: a link to it would be refused by the outbox (and open
    nothing on the lead's phone), so the notice says where to look instead."""
    app = create_app({**config, "PUBLIC_BASE_URL": "http://127.0.0.1:5000"}, clock=clock)
    rt = app.extensions["outreach"]
    try:
        load_surveys(rt)
        start_residents(rt)
        say(rt, DISCLOSURE)
        [notice] = queued_to(rt, LEAD)
        assert notice.body.endswith("Sign in to the staff area to see it, or: outreach alerts list")
        assert "http" not in notice.body
    finally:
        rt.engine.dispose()


def test_a_disclosure_as_a_free_text_answer_is_kept_as_the_answer_too(rt, surveys):
    start_residents(rt)
    for answer in ("4", "2", "1"):
        say(rt, answer)
    replies = say(rt, "2")  # trust; then "contact with police?"
    replies = say(rt, "no")
    assert "see neighbourhood police" in replies[0]
    replies = say(rt, "1")
    assert replies[0].startswith("What could the police do to earn your trust?")
    text = "Nothing. I want to kill myself, nobody listens"
    replies = say(rt, text)
    assert replies[0] == SIGNPOST and len(replies) == 2  # then the next question
    [alert] = all_alerts(rt)
    assert alert.category == "self_harm" and alert.question == "build_trust"
    with rt.sessions() as session:
        stored = session.scalar(select(Answer).where(Answer.question_id == "build_trust"))
    assert stored.raw_text == text


def test_a_retried_message_raises_no_second_alert_and_no_second_notice(rt, surveys):
    start_residents(rt)
    first = say(rt, DISCLOSURE, sid="SM-same")
    again = say(rt, DISCLOSURE, sid="SM-same")
    assert again == first and first[0] == SIGNPOST
    assert len(all_alerts(rt)) == 1 and len(queued_to(rt, LEAD)) == 1


def test_someone_who_opted_out_is_still_signposted_and_a_person_still_told(rt, surveys):
    start_residents(rt)
    say(rt, "STOP")
    assert say(rt, "what's the weather") == []  # silence, as promised
    assert say(rt, DISCLOSURE) == [SIGNPOST]
    assert len(all_alerts(rt)) == 1 and len(queued_to(rt, LEAD)) == 1


@pytest.mark.parametrize("text", [
    "knife crime near the station worries me",
    "police should stop and search less",
    "I was a victim of burglary last year",
    "there are drug dealers in the park at night",
    "domestic violence cases need more officers",
])
def test_talk_about_policing_as_a_topic_raises_nothing(rt, surveys, text):
    start_residents(rt)
    replies = say(rt, text)
    assert SIGNPOST not in replies
    assert all_alerts(rt) == [] and queued_to(rt, LEAD) == []


URDU_SIGNPOST_START = "ابھی خطرے میں ہیں؟ 999 پر کال کریں۔"


def test_the_signposting_is_in_the_persons_language(rt, surveys):
    say(rt, "السلام علیکم، میں سروے میں حصہ لینا چاہتا ہوں")
    say(rt, "ہاں")
    replies = say(rt, "میں خود کو مار دینا چاہتا ہوں")
    assert replies[0].startswith(URDU_SIGNPOST_START)
    [alert] = all_alerts(rt)
    assert alert.language == "ur" and alert.translation_status == "pending"


def test_the_councils_own_line_is_added_when_configured(config, clock, surveys, tmp_path):
    app = create_app({**config, "SAFEGUARDING_LINE": "0208 496 3000"}, clock=clock)
    rt = app.extensions["outreach"]
    from tests.helpers.surveys import load_surveys
    load_surveys(rt)
    try:
        start_residents(rt)
        assert say(rt, DISCLOSURE)[0] == f"{SIGNPOST} You can also call 0208 496 3000."
    finally:
        rt.engine.dispose()


def test_without_a_lead_the_alert_is_still_stored(config, clock):
    config = {k: v for k, v in config.items() if k != "SAFEGUARDING_LEAD"}
    app = create_app(config, clock=clock)
    rt = app.extensions["outreach"]
    from tests.helpers.surveys import load_surveys
    load_surveys(rt)
    try:
        start_residents(rt)
        assert say(rt, DISCLOSURE)[0] == SIGNPOST
        assert len(all_alerts(rt)) == 1
        with rt.sessions() as session:
            assert session.scalar(select(func.count()).select_from(Message).where(
                Message.body.like("New safeguarding alert%"))) == 0
    finally:
        rt.engine.dispose()


def test_delete_erases_the_person_but_the_safeguarding_record_stays(rt, surveys):
    start_residents(rt)
    say(rt, DISCLOSURE)
    say(rt, "DELETE")
    say(rt, "YES")
    [alert] = all_alerts(rt)
    assert alert.text == DISCLOSURE
    assert alert.contact_id is None and alert.conversation_id is None


class Translator:
    def __init__(self):
        self.asked: list[tuple[str, str]] = []

    def translate(self, text: str, source: str) -> str:
        self.asked.append((text, source))
        return f"[{source}->en] {text}"


def test_the_worker_translates_alerts_before_answers(rt, surveys):
    say(rt, "السلام علیکم، میں سروے میں حصہ لینا چاہتا ہوں")
    say(rt, "ہاں")
    say(rt, "میں خود کو مار دینا چاہتا ہوں")
    with transaction(rt.sessions) as session:
        session.add(Answer(response_id=_any_response(session), question_id="x", value="v",
                           raw_text="کچھ", text_language="ur", translation_status="pending"))
    translator = Translator()
    assert PendingTranslations(rt, translator).run(datetime(2026, 3, 2, 11, tzinfo=UTC)) == 2
    assert translator.asked[0] == ("میں خود کو مار دینا چاہتا ہوں", "ur")
    [alert] = all_alerts(rt)
    assert alert.text_en == "[ur->en] میں خود کو مار دینا چاہتا ہوں"
    assert alert.translation_status == "done"


def _any_response(session) -> int:
    from store.models import Response
    return session.scalar(select(Response.id).limit(1))


# outreach alerts -------------------------------------------------------------------------


def _alert(session, severity: int, minute: int, text: str = "words") -> None:
    session.add(Alert(kind="safeguarding", severity=severity, category="self_harm", text=text,
                      language="en", text_en=text, channel="sms",
                      created_at=datetime(2026, 3, 2, 10, minute, tzinfo=UTC)))


def run(app, *args: str):
    return app.test_cli_runner().invoke(args=list(args), catch_exceptions=False)


def test_alerts_list_puts_the_most_urgent_first_then_the_oldest(app, rt):
    with transaction(rt.sessions) as session:
        _alert(session, 1, 1, "oldest concern")
        _alert(session, 3, 5, "danger later")
        _alert(session, 3, 2, "danger first")
        _alert(session, 2, 0, "at risk")
    lines = run(app, "alerts", "list").output.splitlines()
    assert [line.split('"')[1] for line in lines] == [
        "danger first", "danger later", "at risk", "oldest concern"]
    assert lines[0].startswith("#3 IN DANGER NOW safeguarding self_harm 2026-03-02 10:02 sms")


def test_alerts_ack_takes_it_off_the_list_and_keeps_who_and_what(app, rt):
    with transaction(rt.sessions) as session:
        _alert(session, 2, 0, "first")
        _alert(session, 1, 1, "second")
    result = run(app, "alerts", "ack", "1", "--note", "called back, referred", "--by", "sam",
                 "--yes")
    assert result.output == "Alert #1 acknowledged.\n"
    assert [line.split('"')[1] for line in run(app, "alerts", "list").output.splitlines()] == [
        "second"]
    everything = run(app, "alerts", "list", "--all").output.splitlines()
    assert len(everything) == 2
    assert everything[1].endswith("[acknowledged 2026-03-02 10:00 by sam: called back, referred]")
    missing = app.test_cli_runner().invoke(args=["alerts", "ack", "99", "--note",
                                                  "called back, referred", "--yes"])
    assert missing.exit_code == 1 and "there is no alert #99" in missing.output


def test_alerts_list_says_when_nothing_waits(app, rt):
    assert run(app, "alerts", "list").output == "No alerts waiting.\n"


def test_an_alerts_words_cannot_drive_the_leads_terminal(app, rt):
    with transaction(rt.sessions) as session:
        _alert(session, 3, 0, "help\x1b[2J\x1b[31mme\u202eevil\nnext line")
    [line] = run(app, "alerts", "list").output.splitlines()
    assert "\x1b" not in line and "\u202e" not in line
    assert '"help [2J [31mmeevil next line"' in line


SILENT = ("If you can't speak on a 999 call from a mobile, stay on the line and press 55 when "
          "asked.")


def test_someone_who_may_be_hurt_now_is_also_told_of_the_silent_999_call(rt, surveys):
    start_residents(rt)
    replies = say(rt, "my dad is hitting my mum right now")
    assert replies[:2] == [SIGNPOST, SILENT]
    [alert] = all_alerts(rt)
    assert alert.severity == 3 and alert.category == "abuse_at_home"
    assert "(in danger now)" in queued_to(rt, LEAD)[0].body


def test_no_keyword_in_any_language_is_taken_for_a_disclosure(rt):
    """HELP is "who runs this?", in every language: never an alert to the lead."""
    from translations.texts import BOT
    words = {word for lang in ("en", *rt.catalogs.languages)
             for key in BOT if key.startswith(("keywords/", "words/"))
             for word in rt.catalogs.bot(lang, key).split()}
    assert {"HELP", "AJUTOR", "MADAD", "POMOSHT", "YARDIM"} <= {w.upper() for w in words}
    assert {word: rt.safeguarding.check(word) for word in words
            if rt.safeguarding.check(word)} == {}


FIRST = {"ro": "Bună ziua, vreau să răspund la sondaj",
         "ur": "السلام علیکم، میں سروے میں حصہ لینا چاہتا ہوں",
         "bg": "Здравейте, искам да попълня анкетата",
         "pl": "Dzień dobry, chcę wziąć udział w ankiecie",
         "tr": "Merhaba, ankete katılmak istiyorum"}
DISCLOSURES = yaml.safe_load((Path(__file__).parents[1] / "data/safeguarding/disclosures.yaml")
                             .read_text(encoding="utf-8"))


@pytest.mark.parametrize("lang", sorted(FIRST))
def test_a_disclosure_in_each_offered_language_is_signposted_in_it_and_alerted(
        rt, surveys, lang):
    assert say(rt, FIRST[lang])  # intro and consent, in their language
    yes = rt.catalogs.bot(lang, "words/yes").split()[0]
    assert len(say(rt, yes)) == 1  # the first question
    disclosure = DISCLOSURES[lang]["abuse_at_home"][0]
    replies = say(rt, disclosure)
    signpost = rt.catalogs.bot(lang, "signpost")
    assert replies[0] == signpost != rt.catalogs.bot("en", "signpost")
    assert len(replies) == 2 and "999" in signpost and "0800 1111" in signpost
    [alert] = all_alerts(rt)
    assert (alert.category, alert.text, alert.language) == ("abuse_at_home", disclosure, lang)
    assert len(queued_to(rt, LEAD)) == 1


def test_alerts_list_says_why_there_is_no_english_yet(app, rt):
    with transaction(rt.sessions) as session:
        session.add(Alert(kind="safeguarding", severity=2, category="abuse_at_home",
                          text="ma bate", language="ro", translation_status="pending",
                          channel="sms", created_at=datetime(2026, 3, 2, 10, tzinfo=UTC)))
    [line] = run(app, "alerts", "list").output.splitlines()
    assert line.endswith('ro: "ma bate" | en: No translation: ask your administrator to set '
                         'one up')


def test_an_alert_is_acknowledged_once_the_first_record_is_kept(app, rt):
    with transaction(rt.sessions) as session:
        _alert(session, 2, 0, "first")
    assert run(app, "alerts", "ack", "1", "--note", "called 999 with her", "--by", "sam",
               "--yes").exit_code == 0
    again = app.test_cli_runner().invoke(args=["alerts", "ack", "1", "--note", "oops, wrong one"])
    assert again.exit_code == 1 and "already acknowledged by sam" in again.output
    assert run(app, "alerts", "list", "--all").output.rstrip().endswith(
        "by sam: called 999 with her]")


def test_the_lead_reads_the_conversation_and_writes_back_without_seeing_the_number(
        app, rt, surveys, clock):
    start_residents(rt)
    say(rt, DISCLOSURE)
    shown = run(app, "alerts", "show", "1").output.splitlines()
    assert shown[0].startswith("#1 AT RISK safeguarding abuse_at_home")
    assert "(Your say on neighbourhood policing, question 1 of 18)" in shown[0]
    assert "safe_day" not in shown[0]
    # the first question asked is inside the anonymous survey; the disclosure and the
    # signposting sent in answer are not; the question asked again after it is
    assert shown[5] == shown[8] == "  (1 survey message not shown)"
    assert [s.split(": ", 1)[0][-4:].strip() for s in shown[1:5] + shown[6:8]] == [
        "them", "us", "us", "them", "them", "us"]
    assert shown[6].endswith(f"them: {DISCLOSURE}") and "Samaritans" in shown[7]
    assert FROM not in "\n".join(shown) and FROM[-6:] not in "\n".join(shown)
    written = run(app, "alerts", "reply", "1", "This is Sam from the council. Are you safe now?")
    assert written.output == "Queued to the person behind alert #1; the worker sends it now.\n"
    assert queued_to(rt, FROM)[-1].body == "This is Sam from the council. Are you safe now?"
    say(rt, "STOP")
    refused = app.test_cli_runner().invoke(args=["alerts", "reply", "1", "Hello?"])
    assert refused.exit_code == 1 and "they sent STOP" in refused.output


def test_a_reply_in_quiet_hours_waits_for_the_morning_unless_sent_now(app, rt, surveys, clock):
    """`alerts reply` late at night waits for the end of QUIET_HOURS, and says so and how to
    send it at once; with --now (a disclosure that cannot wait) the worker sends it first."""
    start_residents(rt)
    say(rt, DISCLOSURE)
    clock.set(datetime(2026, 3, 2, 23, 30, tzinfo=UTC))  # 23:30 in London: quiet hours
    now = run(app, "alerts", "reply", "1", "--now", "Are you safe now?")
    assert now.output == "Queued to the person behind alert #1; the worker sends it now.\n"
    later = run(app, "alerts", "reply", "1", "This is Sam from the council.")
    assert later.output == (
        "Queued to the person behind alert #1: quiet hours, so the worker sends it at "
        "2026-03-03 08:00. If it cannot wait (a disclosure), use --now.\n")
    tonight, morning = queued_to(rt, FROM)[-2:]
    assert morning.next_attempt_at.replace(tzinfo=UTC) == datetime(2026, 3, 3, 8, tzinfo=UTC)
    assert run(app, "worker", "--once").exit_code == 0  # the console sender: nothing leaves
    with rt.sessions() as session:
        sent = {m.body: m.status for m in session.scalars(select(Message).where(
            Message.id.in_([morning.id, tonight.id])))}
    assert sent == {"Are you safe now?": "sent", "This is Sam from the council.": "queued"}


def test_after_delete_the_alert_stays_but_there_is_no_one_to_write_to(app, rt, surveys):
    start_residents(rt)
    say(rt, DISCLOSURE)
    say(rt, "DELETE")
    say(rt, "YES")
    shown = app.test_cli_runner().invoke(args=["alerts", "show", "1"])
    assert shown.exit_code == 1 and "they sent DELETE" in shown.output
    written = app.test_cli_runner().invoke(args=["alerts", "reply", "1", "Hello?"])
    assert written.exit_code == 1
    assert "cannot be written to: the person's data was erased" in written.output


def test_a_disclosure_as_the_first_message_gets_the_signposting_alone(rt, surveys):
    assert say(rt, "my dad is hitting my mum right now") == [SIGNPOST, SILENT]
    assert len(all_alerts(rt)) == 1
    assert say(rt, "hello")[0].startswith("Hello from Waltham Forest Council")  # then the survey


def test_a_disclosure_at_the_consent_gets_the_consent_again_without_a_nag(rt, surveys):
    say(rt, "Hello")
    replies = say(rt, "i want to kill myself")
    assert replies[0] == SIGNPOST
    assert "Please reply YES" not in "\n".join(replies) and "YES" in replies[-1]


def test_the_leads_notice_goes_before_a_broadcast_queued_earlier(rt, surveys, clock):
    from bot import outbox, sending
    with transaction(rt.sessions) as session:
        for n in range(60):
            outbox.enqueue(session, "sms", f"+4477009005{n:02d}", outbox.Reply("Invitation"),
                           clock())
    start_residents(rt)
    say(rt, "he is outside my door with a knife")
    first = sending.claim(rt, clock(), limit=1)
    assert [m.address for m in first] == [LEAD]


def test_a_child_who_disclosed_before_their_age_can_still_be_reached(app, rt, surveys, clock):
    """Residents' survey: a disclosure, then 'I'm 11': the answers go, but the lead can
    still read and write to them, is told they said they are under 13, and what was kept
    goes when the alert is acknowledged."""
    from datetime import timedelta
    start_residents(rt)
    for text in [DISCLOSURE, "3", "3", "1", "3", "no", "1", "more police", "1", "2",
                 "I'm 11"]:
        clock.advance(timedelta(minutes=1))
        said = say(rt, text)
    assert said[0].startswith("Thank you for wanting to have your say!")
    assert run(app, "alerts", "list").output.rstrip().endswith("[said they are under 13]")
    shown = run(app, "alerts", "show", "1").output
    assert DISCLOSURE in shown and "DELETE" not in shown
    assert run(app, "alerts", "reply", "1", "Are you safe now?").exit_code == 0
    assert queued_to(rt, FROM)[-1].body == "Are you safe now?"
    with rt.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Answer)) == 0
    assert run(app, "alerts", "ack", "1", "--note", "called her back", "--yes").exit_code == 0
    gone = app.test_cli_runner().invoke(args=["alerts", "reply", "1", "Hello?"])
    assert gone.exit_code == 1 and "said they are under 13" in gone.output
    assert "DELETE" not in gone.output


def test_a_reply_sent_now_does_not_wait_behind_one_held_for_the_morning(
        app, rt, surveys, clock):
    """`alerts reply` at night waits for 08:00 (and `alerts show` says it is queued, and
    when it goes); a later `--now` goes with the worker's next round all the same."""
    start_residents(rt)
    say(rt, DISCLOSURE)
    clock.set(datetime(2026, 3, 2, 23, 30, tzinfo=UTC))
    run(app, "alerts", "reply", "1", "This is Sam from the council.")
    run(app, "alerts", "reply", "1", "--now", "Are you safe now?")
    shown = run(app, "alerts", "show", "1").output
    assert "us (queued, goes 2026-03-03 08:00): This is Sam from the council." in shown
    assert run(app, "worker", "--once", "--now", "2026-03-02T23:31:00+00:00").exit_code == 0
    with rt.sessions() as session:
        sent = {m.body: m.status for m in session.scalars(select(Message).where(
            Message.body.in_(["Are you safe now?", "This is Sam from the council."])))}
    assert sent == {"Are you safe now?": "sent", "This is Sam from the council.": "queued"}


def test_alerts_ack_needs_a_note_that_says_what_was_done(app, rt):
    with transaction(rt.sessions) as session:
        _alert(session, 2, 0, "first")
    cli = app.test_cli_runner()
    bare = cli.invoke(args=["alerts", "ack", "1"], input="y\n")
    assert bare.exit_code == 2 and "without a note of what was done: --note" in bare.output
    for note in (".", "ok", "ok done", "called"):
        refused = cli.invoke(args=["alerts", "ack", "1", "--note", note, "--yes"])
        assert refused.exit_code == 1 and "at least 2 words and 8 letters" in refused.output
    assert "[acknowledged" not in run(app, "alerts", "list", "--all").output


def test_alerts_ack_asks_to_confirm_unless_yes(app, rt):
    with transaction(rt.sessions) as session:
        _alert(session, 2, 0, "first")
    cli = app.test_cli_runner()
    kept = cli.invoke(args=["alerts", "ack", "1", "--note", "called her back"], input="n\n")
    assert kept.exit_code == 1 and "Acknowledge alert #1 (at risk safeguarding self_harm) " \
        'as dealt with: "called her back"? It comes off the queue [y/N]' in kept.output
    assert run(app, "alerts", "list").output.count("#1 ") == 1  # still waiting
    done = cli.invoke(args=["alerts", "ack", "1", "--note", "called her back"], input="y\n")
    assert done.exit_code == 0 and done.output.endswith("Alert #1 acknowledged.\n")
    assert run(app, "alerts", "list").output == "No alerts waiting.\n"
