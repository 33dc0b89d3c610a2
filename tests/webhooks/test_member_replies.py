"""Members answering their reminders by SMS and Telegram, as they type, and what the worker
then sends them (`outreach worker --once --now`, through the fake Twilio and Telegram
APIs): a NO stops that session's reminders, a day can be named, the plan is what goes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from store.models import Alert, Message, Rsvp
from tests.helpers import telegram as tg
from tests.helpers import twilio as tw
from tests.helpers.members import LONDON, add_session, import_members

ANA, KASIA, MEHMET = "+447700900101", "+447700900102", "+447700900105"
CHAT = "5550001"
ROWS = ("Ana Popescu,07700 900101,,ro,sms,", "Kasia Nowak,07700900102,,pl,sms,",
        "Mehmet Yilmaz,07700900105,,tr,sms,", f"Ali Khan,,{CHAT},ur,telegram,")


@pytest.fixture
def config(members_config):
    return members_config


@pytest.fixture
def senders(quick_senders):
    return quick_senders


@pytest.fixture
def client(app, surveys):
    return app.test_client()


@pytest.fixture
def runner(app, surveys):
    return app.test_cli_runner()


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LONDON).astimezone(UTC)


class Coordinator:
    """Runs `outreach worker --once --now` as cron would, and reads what reached whom."""

    def __init__(self, runner, clock, twilio_api, telegram_api):
        self.runner, self.clock = runner, clock
        self.twilio, self.telegram = twilio_api, telegram_api

    def worker(self, when: str) -> None:
        self.clock.set(local(when))
        result = self.runner.invoke(args=["worker", "--once", "--now",
                                          self.clock.now.isoformat()])
        assert result.exit_code == 0, result.output

    def plan(self, when: str) -> list[str]:
        result = self.runner.invoke(args=["reminders", "plan", "--now",
                                          local(when).isoformat()])
        assert result.exit_code == 0, result.output
        return result.output.splitlines()[1:]

    def sms_to(self, number: str) -> list[str]:
        return [m["body"] for m in self.twilio.messages if m["to"] == number]

    def received(self) -> int:
        return len(self.twilio.messages) + len(self.telegram.sent)


@pytest.fixture
def coordinator(runner, clock, twilio_api, telegram_api):
    return Coordinator(runner, clock, twilio_api, telegram_api)


def text(client, clock, sender: str, body: str, when: str | None = None) -> list[str]:
    """An SMS through the signed Twilio webhook (at local `when`); the TwiML replies."""
    if when:
        clock.set(local(when))
    return tw.said(tw.post(client, tw.incoming(sender, body)))


def answers(rt) -> list[tuple[int, int, str]]:
    with rt.sessions() as session:
        return list(session.execute(select(Rsvp.member_id, Rsvp.session_id, Rsvp.answer)
                                    .order_by(Rsvp.member_id, Rsvp.session_id)).all())


# 3. A NO means nothing more about that session; a later YES brings the reminders back -----


def test_a_no_stops_that_sessions_reminders_and_a_later_yes_brings_them_back(
        client, rt, clock, coordinator):
    import_members(rt, *ROWS[:3])
    add_session(rt, "Day 1", "2027-03-06T10:00")
    coordinator.worker("2027-02-27T18:00")  # each member's confirm
    assert all(len(coordinator.sms_to(n)) == 1 for n in (ANA, KASIA, MEHMET))
    text(client, clock, KASIA, "nie, przepraszam, dziecko chore", "2027-02-27T18:20")
    text(client, clock, MEHMET, "hayir", "2027-02-27T18:25")
    text(client, clock, MEHMET, "evet, gelebilirim", "2027-03-02T09:00")  # he can after all
    coordinator.worker("2027-03-05T18:00")
    coordinator.worker("2027-03-06T08:30")
    kasia, ana, mehmet = (coordinator.sms_to(n) for n in (KASIA, ANA, MEHMET))
    assert len(kasia) == 1 and not any("Do zobaczenia dziś" in t for t in kasia)
    assert len(ana) == 3 and ana[-1].startswith("Ne vedem azi")
    assert len(mehmet) == 3  # his YES brought the day-before and morning reminders back
    assert [a for _, _, a in answers(rt)] == ["no", "yes"]


def test_a_reminder_waiting_for_its_retry_is_not_sent_after_a_no(client, rt, clock,
                                                                 coordinator):
    import_members(rt, ROWS[1])
    add_session(rt, "Day 1", "2027-03-06T10:00")
    coordinator.worker("2027-03-05T17:50")  # the confirm, late
    coordinator.twilio.fail_next(times=1, status=503)
    coordinator.worker("2027-03-05T18:00")  # the day-before reminder is refused
    text(client, clock, KASIA, "Nie", "2027-03-05T18:00:10")
    coordinator.worker("2027-03-05T18:01")
    assert len(coordinator.sms_to(KASIA)) == 1  # the confirm: nothing after the NO
    with rt.sessions() as session:
        statuses = session.scalars(select(Message.status).where(
            Message.idempotency_key.like("remind:%day-before%"))).all()
    assert statuses == ["cancelled"]


# 4. A YES or NO names the day it answers for; a member may name the day --------------------

WEEKEND = (("Day 1", "2027-03-06T10:00"), ("Day 2", "2027-03-07T10:00"))  # Sat, Sun
JOHN, ELENA = "+447700900106", "5550002"
MORE = (f"John Smith,{JOHN},,en,sms,", f"Elena Ivanova,,{ELENA},bg,telegram,")


def _told_of_the_weekend(rt, coordinator) -> None:
    import_members(rt, *ROWS, *MORE)
    for name, starts in WEEKEND:
        add_session(rt, name, starts)
    coordinator.worker("2027-02-27T18:00")  # Day 1's confirm
    coordinator.worker("2027-02-28T18:00")  # Day 2's confirm: both wait for an answer


@pytest.mark.parametrize("sender, words, reply, answer", [
    (ANA, "da", "Vă mulțumim, ne vedem duminică 7 martie. Pentru sâmbătă, scrieți DA "
                "sâmbătă sau NU sâmbătă.", (2, "yes")),
    (ANA, "nu duminică", "Vă mulțumim că ne-ați anunțat că nu puteți veni duminică 7 martie. "
                         "Cineva din echipă vă va contacta.", (2, "no")),
    (ANA, "Da, sambata", "Vă mulțumim, ne vedem sâmbătă 6 martie.", (1, "yes")),
    (KASIA, "tak sobota", "Dziękujemy, do zobaczenia — sobota 6 marca.", (1, "yes")),
    (KASIA, "Nie, w niedzielę nie mogę", "Dziękujemy za informację o nieobecności — niedziela "
                                        "7 marca. Ktoś z zespołu się odezwie.", (2, "no")),
    (MEHMET, "evet cumartesi", "Teşekkürler, Cumartesi 6 Mart günü görüşmek üzere.",
     (1, "yes")),
    (JOHN, "yes saturday", "Thank you, see you on Saturday 6 March.", (1, "yes")),
    (JOHN, "no", "Thank you for letting us know you can't come on Sunday 7 March. Someone "
                 "from the team will be in touch. For Saturday, reply YES Saturday or NO "
                 "Saturday.", (2, "no")),
])
def test_an_sms_answer_names_its_day_and_may_name_one(client, rt, clock, coordinator, sender,
                                                      words, reply, answer):
    _told_of_the_weekend(rt, coordinator)
    assert text(client, clock, sender, words, "2027-03-01T10:00") == [reply]
    assert [(s, a) for _, s, a in answers(rt)] == [answer]


@pytest.mark.parametrize("chat, lang, words, reply, answer", [
    (CHAT, "ur", "ہاں ہفتہ", "شکریہ، ہفتہ 6 مارچ کو ملاقات ہو گی۔", (1, "yes")),
    (ELENA, "bg", "да, в неделя", "Благодарим, очакваме Ви в неделя 7 март.", (2, "yes")),
    (ELENA, "bg", "ne, v sabota ne moga", "Благодарим, че ни уведомихте, че не можете да "
                                          "дойдете в събота 6 март. Човек от екипа ще се "
                                          "свърже с Вас.", (1, "no")),
])
def test_a_telegram_answer_may_name_its_day(client, rt, clock, coordinator, senders,
                                            telegram_api, chat, lang, words, reply, answer):
    _told_of_the_weekend(rt, coordinator)
    clock.set(local("2027-03-01T10:00"))
    person = tg.Person(client, rt, senders, clock, telegram_api, chat=chat, lang=lang)
    assert [m["text"] for m in person.send(words)] == [reply]
    assert [(s, a) for _, s, a in answers(rt)] == [answer]


def test_a_bulgarian_call_is_answered_with_the_formal_capital_vi(
        client, rt, clock, coordinator, senders, telegram_api):
    """CALL's reply speaks as every other adult text in Bulgarian: 'Ви', capitalised."""
    _told_of_the_weekend(rt, coordinator)
    clock.set(local("2027-03-01T10:00"))
    person = tg.Person(client, rt, senders, clock, telegram_api, chat=ELENA, lang="bg")
    assert [m["text"] for m in person.send("ОБАЖДАНЕ")] == [
        "Благодарим. Човек от екипа ще Ви се обади скоро."]


def test_a_day_no_reminder_asked_about_is_not_answered_for(client, rt, clock, coordinator):
    _told_of_the_weekend(rt, coordinator)
    assert text(client, clock, JOHN, "yes friday", "2027-03-01T10:00") == [
        "We have not asked you about Friday. Reply YES or NO with the day: Saturday 6 March "
        "or Sunday 7 March."]
    assert answers(rt) == []


# 3b. A reminder refused by the provider is retried outside quiet hours ------------------


def test_a_reminder_refused_before_quiet_hours_goes_the_next_morning(client, rt, clock,
                                                                      coordinator):
    import_members(rt, ROWS[1])
    add_session(rt, "Day 1", "2027-03-06T10:00")
    coordinator.twilio.fail_next(times=2, status=503)
    coordinator.worker("2027-02-27T18:05")  # the confirm, refused
    coordinator.worker("2027-02-27T18:05:30")  # refused again; the worker is then down
    coordinator.worker("2027-02-27T22:30")  # back at 22:30: quiet hours
    assert coordinator.sms_to(KASIA) == []
    assert coordinator.plan("2027-02-27T22:30")[0].startswith("Sun 2027-02-28 08:00\tconfirm")
    coordinator.worker("2027-02-28T08:00")
    assert len(coordinator.sms_to(KASIA)) == 1


# 7. The plan is what the worker sends ---------------------------------------------------


def due(plan: list[str]) -> list[tuple[str, str]]:
    """(what, member) of the plan's lines due now."""
    return [(line.split("\t")[1], line.split("\t")[3]) for line in plan
            if line.endswith("\tdue")]


def test_the_plan_lists_queued_welcomes_and_is_what_the_worker_sends(
        runner, rt, clock, coordinator, tmp_path):
    clock.set(local("2027-02-27T12:00"))
    roster = tmp_path / "members.csv"
    roster.write_text("name,phone,telegram_chat_id,language,channel,notes\n"
                      + "\n".join(ROWS) + "\n", encoding="utf-8")
    assert runner.invoke(args=["members", "import", str(roster)]).exit_code == 0
    add_session(rt, "Day 1", "2027-03-06T10:00")
    plan = coordinator.plan("2027-02-27T18:00")
    assert sorted(due(plan)) == sorted([("welcome", m) for m in ("M001", "M002", "M003",
                                                                  "M004")]
                                       + [("confirm", m) for m in ("M001", "M002", "M003",
                                                                   "M004")])
    coordinator.worker("2027-02-27T18:00")
    assert coordinator.received() == len(due(plan))
    assert due(coordinator.plan("2027-02-27T18:00")) == []


def test_the_plan_shows_nothing_that_would_go_once_a_session_has_begun(
        client, rt, clock, coordinator):
    import_members(rt, ROWS[1])
    add_session(rt, "Breakfast session", "2027-03-06T08:00")  # before the 08:30 reminder
    coordinator.worker("2027-02-27T18:00")
    assert [line.split("\t")[1] for line in coordinator.plan("2027-03-05T12:00")] == [
        "day-before", "check-in"]
    coordinator.worker("2027-03-05T18:00")
    coordinator.worker("2027-03-06T08:30")
    assert len(coordinator.sms_to(KASIA)) == 2  # confirm, day-before; no "see you today"
    assert [line.split("\t")[1] for line in coordinator.plan("2027-03-06T08:30")] == [
        "check-in"]


def test_a_reminder_held_until_its_session_has_begun_is_not_sent(client, rt, clock,
                                                                  coordinator):
    import_members(rt, ROWS[1])
    add_session(rt, "Day 1", "2027-03-06T10:00")
    coordinator.twilio.fail_next(times=1, status=503)
    coordinator.worker("2027-03-06T08:30")  # the morning reminder is refused
    assert any("\tmorning\t" in line for line in coordinator.plan("2027-03-06T08:31"))
    assert not any("\tmorning\t" in line for line in coordinator.plan("2027-03-06T10:05"))
    coordinator.worker("2027-03-06T10:05")  # the worker was down until the session began
    assert coordinator.sms_to(KASIA) == []


def test_a_day_before_reminder_refused_until_quiet_hours_never_says_tomorrow_on_the_day(
        client, rt, clock, coordinator):
    import_members(rt, ROWS[1])
    add_session(rt, "Day 1", "2027-03-06T10:00")
    coordinator.worker("2027-02-27T18:00")  # the confirm
    coordinator.twilio.fail_next(times=1, status=503)
    coordinator.worker("2027-03-05T20:59:40")  # the day-before, late and refused
    coordinator.worker("2027-03-05T21:30")  # quiet hours: it waits for the morning
    assert [line.split("\t")[1] for line in coordinator.plan("2027-03-06T07:00")] == [
        "morning", "check-in"]  # the day-before would go on the day: it is not listed
    coordinator.worker("2027-03-06T08:00")
    coordinator.worker("2027-03-06T08:30")
    kasia = coordinator.sms_to(KASIA)
    assert len(kasia) == 2 and kasia[-1].startswith("Do zobaczenia dziś")


# Review 1, 2: a missed evening never makes a day-before reminder on the day itself --------


@pytest.mark.parametrize("confirm, morning, starts", [
    ("2027-02-28T18:00", "2027-03-07T08:10", "2027-03-07T10:00"),
    ("2027-03-21T18:00", "2027-03-28T08:29", "2027-03-28T10:00"),  # the clocks go forward
])
def test_a_missed_evening_never_sends_the_day_before_reminder_on_the_day(
        client, rt, clock, coordinator, confirm, morning, starts):
    import_members(rt, *ROWS[:3], MORE[0])
    add_session(rt, "Day 2", starts)
    coordinator.worker(confirm)  # the worker is then down until the session's morning
    plan = coordinator.plan(morning)
    assert [line.split("\t")[1::6] for line in plan if "\tday-before\t" in line] == [
        ["day-before", "skipped: its day has passed"]] * 4
    coordinator.worker(morning)
    assert coordinator.received() == 4  # the confirms only
    coordinator.worker(morning[:11] + "08:30")
    sent = [m["body"] for m in coordinator.twilio.messages]
    assert len(sent) == 8 and not any(w in t for t in sent for w in (
        "tomorrow", "mâine", "jutro", "yarın"))


def test_the_plan_after_a_missed_evening_is_what_the_worker_does(client, rt, clock,
                                                                  coordinator):
    import_members(rt, ROWS[1])
    add_session(rt, "Day 1", "2027-04-11T10:00")
    add_session(rt, "Day 2", "2027-04-17T10:00")
    coordinator.worker("2027-04-04T18:00")  # Day 1's confirm; then down until 21:30
    plan = {tuple(line.split("\t")[1:3]): line.split("\t")[-1]
            for line in coordinator.plan("2027-04-10T21:30")}
    assert plan["day-before", "#1"] == "skipped: its day has passed"
    assert plan["confirm", "#2"] == "waiting until 08:00"  # after quiet hours
    coordinator.worker("2027-04-10T21:30")
    coordinator.worker("2027-04-11T08:00")
    kasia = coordinator.sms_to(KASIA)
    assert len(kasia) == 2 and not any("jutro" in t for t in kasia)


# Review 7: a reminder held until too late is listed, with why --------------------------


def test_a_reminder_held_until_too_late_is_listed_for_the_coordinator(client, rt, clock,
                                                                       coordinator, runner):
    import_members(rt, ROWS[1])
    add_session(rt, "Day 1", "2027-03-06T10:00")
    coordinator.worker("2027-02-27T18:00")  # the confirm
    coordinator.twilio.fail_next(times=1, status=503)
    coordinator.worker("2027-03-05T20:59:40")  # the day-before, late and refused
    coordinator.worker("2027-03-06T08:00")  # after quiet hours: too late to say tomorrow
    with rt.sessions() as session:
        assert session.scalars(select(Message.error_code).where(
            Message.idempotency_key.like("remind:%day-before%"))).all() == ["too-late"]
    failed = runner.invoke(args=["reminders", "failed"]).output.splitlines()
    assert [line.split("\t")[1:] for line in failed[1:]] == [
        ["M001", "Kasia Nowak", "sms", "day-before", "cancelled", "too-late"]]


# Review 8: a member asking in plain words to be called raises an alert -------------------

IVAN = "+447700900107"


@pytest.mark.parametrize("sender, lang, words", [
    (JOHN, "en", "Please call me"), (ANA, "ro", "Sunati-ma va rog"),
    (KASIA, "pl", "prosze zadzwonic"), (KASIA, "pl", "Zadzwońcie do mnie"),
    (MEHMET, "tr", "bana telefon edin"), (IVAN, "bg", "обадете ми се"),
    (IVAN, "bg", "obadete mi se"), (IVAN, "bg", "Моля, обадете ми се!"),
])
def test_a_member_asking_to_be_called_in_plain_words_raises_an_alert(
        client, rt, clock, coordinator, sender, lang, words):
    import_members(rt, *ROWS[:3], MORE[0], f"Ivan Petrov,{IVAN},,bg,sms,")
    assert text(client, clock, sender, words, "2027-03-01T10:00") == [
        rt.catalogs.bot(lang, "call-booked")]
    with rt.sessions() as session:
        assert session.scalars(select(Alert.category)).all() == ["call_requested"]


def test_an_urdu_member_on_telegram_may_ask_to_be_called(client, rt, clock, senders,
                                                        telegram_api):
    import_members(rt, ROWS[3])
    clock.set(local("2027-03-01T10:00"))
    for words in ("mujhe call karein", "مجھے فون کریں"):
        person = tg.Person(client, rt, senders, clock, telegram_api, chat=CHAT, lang="ur")
        assert [m["text"] for m in person.send(words)][0] == rt.catalogs.bot("ur",
                                                                             "call-booked")
    with rt.sessions() as session:
        assert session.scalars(select(Alert.category)).all() == ["call_requested"] * 2


# Review 3: a session moved asks YES / NO once ------------------------------------------


def test_a_moved_session_asks_once(client, rt, clock, coordinator, runner):
    import_members(rt, ROWS[1], MORE[0])
    add_session(rt, "Day 3", "2027-03-13T10:00")  # Saturday
    coordinator.worker("2027-03-06T18:00")  # Day 3's confirm went
    clock.set(local("2027-03-06T19:00"))
    result = runner.invoke(args=["sessions", "edit", "1", "--starts", "2027-03-14T11:00"])
    assert result.output.splitlines()[-1] == "2 member(s) told of the new time"
    coordinator.worker("2027-03-06T19:00")
    coordinator.worker("2027-03-07T18:00")  # the new time's confirm would be now
    john = coordinator.sms_to(JOHN)
    assert len(john) == 2 and john[1].startswith("Change: Day 3 is now")
    assert [line.split("\t")[1] for line in coordinator.plan("2027-03-07T18:00")] == [
        "day-before", "day-before", "morning", "morning", "check-in", "check-in"]


def test_a_session_moved_before_its_confirm_went_asks_once(client, rt, clock, coordinator,
                                                           runner):
    import_members(rt, MORE[0])
    add_session(rt, "Day 3", "2027-03-13T10:00")
    coordinator.twilio.fail_next(times=1, status=503)
    coordinator.worker("2027-03-06T18:00")  # the confirm, refused: waiting for its retry
    clock.set(local("2027-03-06T18:00:10"))
    runner.invoke(args=["sessions", "edit", "1", "--starts", "2027-03-14T11:00"])
    coordinator.worker("2027-03-06T18:01")  # John never heard of the old time
    coordinator.worker("2027-03-07T18:00")  # the new time's confirm
    john = coordinator.sms_to(JOHN)
    assert len(john) == 1 and not john[0].startswith("Change")


# Review 4, 5, 6: two days named, the hint only for days unanswered, a moved day ----------


@pytest.mark.parametrize("sender, words, reply", [
    (JOHN, "YES SATURDAY AND SUNDAY", "Thank you, see you on Saturday 6 March and Sunday 7 "
                                      "March."),
    (ANA, "da, sambata si duminica", "Vă mulțumim, ne vedem sâmbătă 6 martie și duminică 7 "
                                     "martie."),
    (KASIA, "tak, w sobotę i w niedzielę", "Dziękujemy, do zobaczenia — sobota 6 marca i "
                                          "niedziela 7 marca."),
    (MEHMET, "evet cumartesi ve pazar", "Teşekkürler, Cumartesi 6 Mart ve Pazar 7 Mart günü "
                                        "görüşmek üzere."),
])
def test_two_days_named_are_both_answered(client, rt, clock, coordinator, sender, words,
                                          reply):
    _told_of_the_weekend(rt, coordinator)
    assert text(client, clock, sender, words, "2027-03-01T10:00") == [reply]
    assert [(s, a) for _, s, a in answers(rt)] == [(1, "yes"), (2, "yes")]


def test_the_other_day_hint_names_only_a_day_not_answered(client, rt, clock, coordinator):
    _told_of_the_weekend(rt, coordinator)
    text(client, clock, JOHN, "no saturday", "2027-03-01T10:00")
    assert text(client, clock, JOHN, "yes", "2027-03-01T10:05") == [
        "Thank you, see you on Sunday 7 March."]  # Saturday is answered: no hint


@pytest.mark.parametrize("sender, words, reply", [
    (KASIA, "tak, w sobotę", "Termin się zmienił (było: sobota, jest: niedziela 14 marca). "
                            "Czy uda się przyjść? Prosimy odpisać TAK niedziela lub NIE "
                            "niedziela."),
    (JOHN, "yes saturday", "That session has moved from Saturday to Sunday 14 March. Can you "
                           "come then? Reply YES Sunday or NO Sunday."),
])
def test_an_answer_for_the_day_a_session_moved_from_says_where_it_went(
        client, rt, clock, coordinator, runner, sender, words, reply):
    import_members(rt, ROWS[1], MORE[0])
    add_session(rt, "Day 3", "2027-03-13T10:00")  # Saturday
    coordinator.worker("2027-03-06T18:00")
    clock.set(local("2027-03-06T19:00"))
    runner.invoke(args=["sessions", "edit", "1", "--starts", "2027-03-14T11:00"])
    assert text(client, clock, sender, words, "2027-03-06T19:30") == [reply]
    assert answers(rt) == []


# Review 9: the check-in names the council from OUTREACH_ORG_NAME, in every language -------


class TestAnyCouncil:
    @pytest.fixture
    def config(self, config):
        return {**config, "OUTREACH_ORG_NAME": "Hackney Council"}

    def test_the_check_in_names_the_council_it_is_configured_for(self, client, rt, clock,
                                                                 coordinator, surveys):
        import_members(rt, *ROWS[:3], MORE[0], f"Ivan Petrov,{IVAN},,bg,sms,")
        add_session(rt, "Day 1", "2027-03-06T10:00")
        coordinator.worker("2027-03-08T18:00")  # the check-in after the weekend
        first = {n: coordinator.sms_to(n)[0] for n in (ANA, KASIA, MEHMET, JOHN, IVAN)}
        assert all("Hackney Council" in t and "Waltham" not in t for t in first.values())
        assert first[KASIA].startswith("Dzień dobry, tu zespół Zgromadzenia Obywatelskiego "
                                       "(Hackney Council).")
