"""Peer engagers (bot/youth.py): codes, the engagers commands, reach, the weekly prompt
packs, the engine's lazy look-ups, and what a screen-out keeps (a count, nothing else)."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot import engine, youth
from bot.conversations import Inbound, handle
from bot.engine import ENGAGER_CODE_CHARS, is_engager_code
from bot.prompt_packs import PromptPacks
from bot.state import Concern, Engaged, Incoming, PackSent, Person, Reach, State
from store.models import (
    Address,
    ConsentRecord,
    Contact,
    Engager,
    Message,
    Response,
    ScreenOut,
)
from tests.helpers.engagers import add_engager
from tests.helpers.surveys import make_env
from translations import data as language_files
from translations.catalog import Catalogs

BLOCKLIST = youth.Blocklist.load()
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
FRIEND, ENGAGER = "+447700900301", "+447700900302"


def count(rt, model, *where) -> int:
    with rt.sessions() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def say(rt, clock, address, *texts):
    replies = []
    for text in texts:
        clock.advance(timedelta(minutes=1))
        replies = handle(rt, Inbound("sms", address, text)).replies
    return [r.text for r in replies]


# Codes ------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", BLOCKLIST.must_block)
def test_the_blocklist_refuses_its_examples(code):
    assert BLOCKLIST.blocks(code)


@pytest.mark.parametrize("code", BLOCKLIST.must_allow)
def test_the_blocklist_allows_its_examples(code):
    assert not BLOCKLIST.blocks(code)


def test_every_offered_language_has_words_in_the_blocklist():
    words = {lang: data["words"] for lang, data in language_files.sections(youth.WORDS).items()}
    assert set(words) == {"en", "ro", "ur", "bg", "pl", "tr"}
    assert all(len(youth._letters(w)) >= 3 for listed in words.values() for w in listed)


def test_new_codes_are_short_unambiguous_with_a_digit_and_never_rude():
    codes = [youth.new_code(lambda c: False, BLOCKLIST) for _ in range(300)]
    for code in codes:
        assert len(code) == youth.CODE_LENGTH and set(code) <= set(ENGAGER_CODE_CHARS)
        assert not set(code) & set("0O1ISZB") and is_engager_code(code)
        assert not BLOCKLIST.blocks(code)


def test_a_rude_or_taken_code_is_never_given():
    letters = itertools.chain("SHAG22", "K7P2QX", "R8PJ4Y")  # rude, then taken, then free
    code = youth.new_code(lambda c: c == "K7P2QX", BLOCKLIST, choose=lambda _: next(letters))
    assert code == "R8PJ4Y"


# The engagers commands ----------------------------------------------------------------------


@pytest.fixture
def runner(app, surveys):
    return app.test_cli_runner()


def _fields(output: str) -> dict[str, str]:
    return dict(line.split("\t", 1) for line in output.splitlines())


def test_add_prints_the_code_what_to_share_and_writes_the_qr_codes(config, clock, tmp_path):
    from app import create_app
    from tests.helpers.surveys import load_surveys
    app = create_app({**config, "TWILIO_SMS_FROM": "+447700900999",
                      "TELEGRAM_BOT_USERNAME": "@wf_outreach_bot"}, clock=clock)
    load_surveys(app.extensions["outreach"])
    result = app.test_cli_runner().invoke(args=[
        "engagers", "add", "--name", "Amina", "--phone", "07700 900302",
        "--qr-dir", str(tmp_path / "qr")])
    assert result.exit_code == 0, result.output
    out = _fields(result.output)
    code = out["code"]
    assert is_engager_code(code) and out["name"] == "Amina"
    assert out["sms"] == f"Text YOUTH {code} to +447700900999"
    assert out["telegram"] == f"https://t.me/wf_outreach_bot?start={code}"
    assert out["web"] == f"https://outreach.example.org/s/youth-voice?ref={code}"
    png, svg = tmp_path / "qr" / f"{code}.png", tmp_path / "qr" / f"{code}.svg"
    assert out["qr"] == f"{png}, {svg}"
    assert png.read_bytes().startswith(b"\x89PNG") and b"<svg" in svg.read_bytes()
    rt = app.extensions["outreach"]
    with rt.sessions() as session:
        engager = session.scalar(select(Engager))
        address = session.scalar(select(Address).where(Address.contact_id == engager.contact_id))
    assert (engager.code, address.scheme, address.value) == (code, "tel", ENGAGER)
    rt.engine.dispose()


def test_add_without_a_number_or_bot_username_says_how_to_set_them(runner, config):
    result = runner.invoke(args=["engagers", "add", "--name", "Jay"])
    out = _fields(result.output)
    assert "set TWILIO_SMS_FROM" in out["sms"] and out["sms"].startswith(
        f"Text YOUTH {out['code']} to our number")
    assert "set TELEGRAM_BOT_USERNAME" in out["telegram"]
    assert "will not know them" in out["note"]
    qr = f"{config['INSTANCE_PATH']}/engagers/{out['code']}.png"
    assert out["qr"].startswith(qr)


def test_one_phone_is_one_engager(runner):
    assert runner.invoke(args=["engagers", "add", "--name", "A", "--phone", ENGAGER]).exit_code == 0
    again = runner.invoke(args=["engagers", "add", "--name", "B", "--phone", ENGAGER])
    assert again.exit_code == 1 and "already belongs to an engager" in again.output
    assert ENGAGER not in again.output and ENGAGER[-4:] in again.output  # masked
    both = runner.invoke(args=["engagers", "add", "--name", "C", "--phone", "+447700900303",
                               "--telegram-chat", "55"])
    assert both.exit_code == 2


@pytest.mark.parametrize("given, stored", [
    ("Polish", "pl"), ("polski", "pl"), ("PL", "pl"), ("Türkçe", "tr"), ("Turkish", "tr"),
    ("Română", "ro"), ("urdu", "ur"), ("Български", "bg"), ("English", "en")])
def test_add_takes_an_offered_language_by_code_or_name(runner, rt, given, stored):
    """As `members import` does: the prompt packs then go in that language."""
    result = runner.invoke(args=["engagers", "add", "--name", "Ola", "--phone", ENGAGER,
                                 "--language", given])
    assert result.exit_code == 0, result.output
    with rt.sessions() as session:
        assert session.scalar(select(Contact.language).join(
            Engager, Engager.contact_id == Contact.id)) == stored


@pytest.mark.parametrize("given", ["xx", "Klingon", "es", "pl-PL"])
def test_add_refuses_a_language_that_is_not_offered(runner, rt, given):
    result = runner.invoke(args=["engagers", "add", "--name", "Ola", "--phone", ENGAGER,
                                 "--language", given])
    assert result.exit_code == 2
    assert (f"Invalid value for --language: '{given}' is not an offered language (one of "
            "en, bg, pl, ro, tr, ur, or its name)") in result.output
    assert count(rt, Engager) == 0


def test_list_pause_and_resume(runner, rt, clock):
    code = add_engager(rt, "K7P2QX", name="Sam")
    say(rt, clock, FRIEND, "YOUTH K7P2QX", "YES", "16")
    listed = runner.invoke(args=["engagers", "list"]).output.splitlines()
    assert listed == ["code\tname\tstarted\tfinished\tconversations\tpeople\tpaused",
                      "K7P2QX\tSam\t1\t0\t0\t0\t-"]
    assert runner.invoke(args=["engagers", "pause", "k7p2qx"]).output == "K7P2QX\tpaused\n"
    assert runner.invoke(args=["engagers", "list"]).output.splitlines()[1].endswith(
        f"\t{clock().date().isoformat()}")
    say(rt, clock, "+447700900304", "YOUTH K7P2QX", "YES", "16")  # paused: unattributed
    assert count(rt, Response, Response.engager_code == code) == 1
    assert runner.invoke(args=["engagers", "resume", code]).output == "K7P2QX\tresumed\n"
    unknown = runner.invoke(args=["engagers", "pause", "ZZZZ22"])
    assert unknown.exit_code == 1 and "no engager has the code" in unknown.output


# Reach ---------------------------------------------------------------------------------------


def test_reach_counts_only_this_engagers_friends_and_logs(rt, surveys, clock):
    add_engager(rt, "K7P2QX", phone=ENGAGER)
    add_engager(rt, "R8PJ4Y", name="Other")
    for n in range(6):
        friend = f"+44770090040{n}"
        say(rt, clock, friend, "YOUTH K7P2QX", "YES", "16", "4", "2", "no", "1", "SKIP")
    say(rt, clock, "+447700900410", "YOUTH K7P2QX", "YES", "16")  # started, not finished
    say(rt, clock, "+447700900411", "YOUTH R8PJ4Y", "YES", "16")  # someone else's friend
    say(rt, clock, ENGAGER, "LOG", "7", "4", "1", "no")
    with rt.sessions() as session:
        assert youth.reach(session, "K7P2QX") == Reach(started=7, finished=6,
                                                      conversations=1, people=7)
    stats = say(rt, clock, ENGAGER, "STATS")
    assert stats == ["Your reach so far, as counts only:\nFriends who started: 7\n"
                     "Friends who finished: 6\nChats you logged: fewer than 5\n"
                     "People in them: 7"]


def test_a_paused_engager_is_told_so_and_nothing_is_sent(rt, surveys, clock):
    add_engager(rt, "K7P2QX", phone=ENGAGER, paused=True)
    for word in ("PROMPTS", "LOG", "STATS"):
        assert say(rt, clock, ENGAGER, word)[0].startswith("Your engager code is paused")
    assert count(rt, Response) == 0


def test_engager_keywords_work_in_the_engagers_language(rt, surveys, clock):
    add_engager(rt, "K7P2QX", phone=ENGAGER, language="pl")
    [pack] = say(rt, clock, ENGAGER, "TEMATY")
    assert pack.startswith("Tydzień 1, tematy:\n- Gdzie tu czujesz się bezpiecznie?")
    [stats] = say(rt, clock, ENGAGER, "statystyki")
    assert stats.splitlines()[1] == "Znajomi, którzy zaczęli: mniej niż 5"


# The engine asks only when it must -----------------------------------------------------------


def _boom(*_args):
    raise AssertionError("looked up although the message did not need it")


def test_ordinary_messages_never_look_up_engagers():
    env = make_env(engager=_boom, engager_code=_boom, reach=_boom)
    state = State()
    for text in ["DEMO", "yes", "2", "It is dark", "2", "1,2", "no", "7", "YOUTH", "yes", "16"]:
        state = engine.resume(state, Incoming(text), NOW, env).state
    assert state.run.survey == "youth-voice" and state.run.engager is None


def test_a_code_is_looked_up_only_when_given_and_an_engager_only_for_their_words():
    asked = []
    env = make_env(engager_code=lambda code: asked.append(code) or True,
                   engager=lambda: asked.append("me") or Engaged("K7P2QX"))
    engine.resume(State(), Incoming("hello"), NOW, env)
    assert asked == []
    sprint = engine.resume(State(), Incoming("YOUTH R8PJ4Y"), NOW, env)
    assert asked == ["R8PJ4Y"] and sprint.state.run.engager == "R8PJ4Y"
    sprint = engine.resume(State(), Incoming("prompts"), NOW, env)
    assert asked == ["R8PJ4Y", "me"]
    assert sprint.effects == [PackSent("K7P2QX", 1)]


def _engager_talk(env, texts, state=None):
    state = state or State()
    sprints = []
    for text in texts:
        sprints.append(engine.resume(state, Incoming(text), NOW, env))
        state = sprints[-1].state
    return state, sprints


@pytest.mark.parametrize("text", ["stats please", "my stats", "Stats, thanks!", "send my stats",
                                  "STATYSTYKI proszę", "İSTATİSTİK lütfen"])
def test_an_engagers_keyword_with_polite_words_is_still_the_keyword(text):
    env = make_env(engager=lambda: Engaged("K7P2QX"), reach=lambda code: Reach(started=7))
    _, [sprint] = _engager_talk(env, [text])
    assert sprint.replies[0].text.splitlines()[1] in (
        "Friends who started: 7", "Znajomi, którzy zaczęli: 7", "Başlayan arkadaşlar: 7"), text


def test_polite_words_make_no_keyword_of_an_ordinary_answer():
    env = make_env(engager=lambda: None)
    state, _ = _engager_talk(env, ["DEMO", "yes", "2"])
    _, [sprint] = _engager_talk(env, ["my stats are bad"], state)
    assert sprint.effects[0].value == "my stats are bad"


def test_a_paused_engager_may_finish_a_log_begun_before_the_pause():
    paused = {"now": False}
    env = make_env(engager=lambda: Engaged("K7P2QX", paused["now"]))
    state, _ = _engager_talk(env, ["LOG", "4"])
    paused["now"] = True
    state, [sprint] = _engager_talk(env, ["LOG"], state)
    [asked] = sprint.replies
    assert asked.hint == "Your engager code is paused, but you can still finish this log."
    assert asked.question == "age_band" and state.run.question == "age_band"
    state, sprints = _engager_talk(env, ["2", "1", "no"], state)
    assert sprints[-1].replies[0].text.startswith("Logged, thank you.")
    _, [sprint] = _engager_talk(env, ["LOG"], state)  # a new log: refused
    assert sprint.replies[0].text.startswith("Your engager code is paused at the moment.")
    assert sprint.state.run.step == "done"


def test_help_from_an_engager_names_their_keywords_and_from_others_does_not():
    engaged = make_env(engager=lambda: Engaged("K7P2QX"))
    _, [sprint] = _engager_talk(engaged, ["HELP"])
    assert sprint.replies[-1].text.startswith("As an engager, reply PROMPTS")
    _, [sprint] = _engager_talk(make_env(), ["HELP"])
    assert len(sprint.replies) == 1


# Weekly prompt packs --------------------------------------------------------------------------


def test_weeks_follow_the_local_calendar():
    packs = PromptPacks.load(starts=date(2026, 3, 30), timezone=ZoneInfo("Europe/London"))
    # Sunday 29 March 2026, 23:30 UTC: already Monday 00:30 in London (BST).
    assert packs.week_of(datetime(2026, 3, 29, 23, 30, tzinfo=UTC)) == 1
    assert packs.week_of(datetime(2026, 3, 29, 22, 30, tzinfo=UTC)) == 0
    assert packs.week_of(datetime(2026, 4, 6, 0, 0, tzinfo=UTC)) == 2
    assert packs.current_week(datetime(2026, 1, 1, tzinfo=UTC)) == 1
    assert packs.current_week(datetime(2027, 1, 1, tzinfo=UTC)) == packs.weeks


@pytest.mark.parametrize("lang", ["ro", "ur", "bg", "pl", "tr"])
def test_every_pack_is_translated_starter_for_starter(lang):
    packs = PromptPacks.load()
    assert packs.weeks >= 4
    for week in range(1, packs.weeks + 1):
        assert len(packs.pack(week, lang)) == len(packs.pack(week, "en"))
        assert packs.pack(week, lang) != packs.pack(week, "en")


def test_a_translation_that_drops_a_starter_is_refused(tmp_path):
    source = language_files.path("en", "prompts").read_text(encoding="utf-8")
    for lang in ("en", "pl"):
        (tmp_path / lang).mkdir()
    (tmp_path / "en" / "prompts.yaml").write_text(source, encoding="utf-8")
    (tmp_path / "pl" / "prompts.yaml").write_text("language: pl\nweeks:\n  - [Jedno]\n",
                                                  encoding="utf-8")
    with pytest.raises(ValueError, match="one for one"):
        PromptPacks.load(tmp_path)


def _queued(rt, address):
    with rt.sessions() as session:
        return session.scalars(select(Message).where(
            Message.direction == "out", Message.address == address).order_by(Message.id)).all()


def test_packs_go_to_active_engagers_once_a_week_outside_quiet_hours(rt, surveys, clock):
    add_engager(rt, "K7P2QX", phone=ENGAGER, language="tr")
    add_engager(rt, "R8PJ4Y", name="Paused", phone="+447700900303", paused=True)
    add_engager(rt, "X3HTR9", name="No phone")
    add_engager(rt, "Q9W8E7", name="Opted out", telegram="4242")
    with rt.sessions.begin() as session:
        contact = session.scalar(select(Contact).join(Address).where(Address.value == "4242"))
        contact.opted_out_at = NOW
    monday = datetime(2026, 3, 2, 0, 5, tzinfo=UTC)  # week 1 begins, inside quiet hours
    assert youth.send_due_packs(rt, monday) == 1
    [pack] = _queued(rt, ENGAGER)
    assert pack.body.startswith("1. hafta sohbet konuları:\n- ")
    assert pack.next_attempt_at == datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    assert youth.send_due_packs(rt, monday + timedelta(days=3)) == 0  # nothing twice
    assert youth.send_due_packs(rt, monday + timedelta(days=7)) == 1
    assert _queued(rt, ENGAGER)[-1].body.startswith("2. hafta")
    assert _queued(rt, "+447700900303") == [] and _queued(rt, "4242") == []


def test_prompts_asked_for_count_as_sent(rt, surveys, clock):
    add_engager(rt, "K7P2QX", phone=ENGAGER)
    say(rt, clock, ENGAGER, "PROMPTS")  # week 1 (the clock starts on 2 March 2026)
    assert youth.send_due_packs(rt, clock()) == 0
    with rt.sessions() as session:
        assert session.scalar(select(Engager.pack_week)) == 1


def test_the_worker_round_sends_the_packs(rt, surveys, clock):
    from bot import worker
    from tests.helpers.senders import RecordingSender
    add_engager(rt, "K7P2QX", phone=ENGAGER)
    sender = RecordingSender()
    worker.run_once(rt, {"sms": sender, "telegram": sender, "whatsapp": sender}, clock())
    assert [m.reply.text.splitlines()[0] for m in sender.sent] == ["Week 1 conversation starters:"]


# Young people's data: a screen-out keeps a count, nothing else ----------------------------------


def test_an_under_13_leaves_only_a_count(rt, surveys, clock):
    add_engager(rt, "K7P2QX")
    said = say(rt, clock, FRIEND, "YOUTH K7P2QX", "YES", "Under 13")
    assert said[0].startswith("Thanks for wanting to have your say!")
    assert count(rt, Address, Address.value == FRIEND) == 0
    for model in (Response, ConsentRecord, Contact):
        assert count(rt, model) == 0, model
    with rt.sessions() as session:
        kept = session.scalars(select(Message.body).where(Message.direction == "in")).all()
        [screened] = session.scalars(select(ScreenOut)).all()
    assert kept == ["", "", ""]
    assert (screened.survey, screened.reason, screened.day) == (
        "youth-voice", "age_band=under_13", clock().date())


def test_a_screen_out_keeps_what_the_person_gave_to_other_surveys(rt, surveys, clock):
    say(rt, clock, FRIEND, "SAFETY", "YES", "4")  # the residents' survey, part answered
    say(rt, clock, FRIEND, "YOUTH", "YES", "25 or over")
    with rt.sessions() as session:
        [response] = session.scalars(select(Response)).all()
        slug = response.survey_version.survey.slug
        bodies = session.scalars(select(Message.body).where(Message.direction == "in")
                                 .order_by(Message.id)).all()
        consents = session.scalars(select(ConsentRecord)).all()
    assert slug == "neighbourhood-policing"
    assert len(consents) == 1
    assert bodies == ["SAFETY", "YES", "4", "", "", ""]
    assert count(rt, ScreenOut) == 1 and count(rt, Address) == 1


def test_the_catalogue_has_the_engagers_words_apart_from_every_other_keyword():
    catalogs = Catalogs.load(youth.BLOCKLIST.parent.parent / "translations")
    langs = ["en", "ro", "ur", "bg", "pl", "tr"]
    others = set()
    for key in ("stop", "start", "help", "lang", "skip", "restart", "delete"):
        others |= catalogs.words(f"keywords/{key}", langs)
    mine = [catalogs.words(f"keywords/{k}", langs) for k in engine.ENGAGER_KEYWORDS]
    assert all(not words & others for words in mine)
    assert not (mine[0] & mine[1] or mine[1] & mine[2] or mine[0] & mine[2])


# A code as people type it ------------------------------------------------------------------


@pytest.mark.parametrize("first", [
    "YOUTH K7P2QX", "YOUTH K7P2QX.", "Youth: K7P2QX", "youth code K7P2QX", "youth k7 p2qx",
    "youth K7P 2QX!", "K7P2QX", "k7p2qx", "YOUTH K7PZQX",  # a Z typed for the 2
])
def test_a_code_as_people_type_it_starts_the_youth_survey_attributed(rt, surveys, clock,
                                                                      first):
    add_engager(rt, "K7P2QX")
    replies = say(rt, clock, FRIEND, first, "YES", "16")
    assert replies == ["How safe do you feel where you hang out with friends? 1 = not safe at "
                       "all, 5 = really safe"]
    with rt.sessions() as session:
        [response] = session.scalars(select(Response)).all()
    assert response.engager_code == "K7P2QX"


@pytest.mark.parametrize("first", ["K7P2QX", "hello K7P2QX", "YOUTH voice matters a lot"])
def test_what_is_not_an_active_code_is_not_taken_for_one(rt, surveys, clock, first):
    add_engager(rt, "K7P2QX", paused=True)
    replies = say(rt, clock, FRIEND, first)
    assert replies[0].startswith("Hello from Waltham Forest Council and local police.")


def test_a_number_too_short_to_text_from_is_refused(runner):
    result = runner.invoke(args=["engagers", "add", "--name", "Sam", "--phone", "12345"])
    assert result.exit_code != 0 and "too short or too long for a mobile number" in result.output
    assert "12345" not in result.output  # masked, as the logs show numbers


def test_a_disclosure_from_an_engager_also_says_to_pass_it_to_their_youth_lead():
    concern = Concern(2, "abuse_at_home")
    for engager, told in ((lambda: Engaged("K7P2QX"), True), (lambda: None, False)):
        sprint = engine.resume(State(Person("pl")), Incoming(
            "moja kolezanka mowi ze tata ja bije", concern=concern), NOW,
            make_env(engager=engager))
        line = make_env().catalogs.bot("pl", "signpost-engager")
        assert (line in [r.text for r in sprint.replies]) == told
