"""SMS parts: GSM-7 160 / 153, UCS-2 70 / 67."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot import engine
from bot import plaintext as text_render
from bot.engine import confirming
from bot.members import reminders
from bot.prompt_packs import PromptPacks
from bot.state import Concern, Incoming, Invitation, Person, Run, Start, State
from store.models import AssemblySession
from surveys import sms
from tests.helpers.surveys import SHIPPED, make_env
from translations import segments
from translations.texts import BOT

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize("text, encoding, parts", [
    ("", "GSM-7", 1),
    ("a" * 160, "GSM-7", 1),
    ("a" * 161, "GSM-7", 2),
    ("a" * 306, "GSM-7", 2),
    ("a" * 307, "GSM-7", 3),
    ("€" * 80, "GSM-7", 1),        # extension characters count twice
    ("€" * 81, "GSM-7", 2),
    ("Reply 'YES'", "GSM-7", 1),
    ("Reply ‘YES’", "UCS-2", 1),   # curly quotes are outside GSM-7
    ("ș" * 70, "UCS-2", 1),
    ("ș" * 71, "UCS-2", 2),
    ("ș" * 134, "UCS-2", 2),
    ("ș" * 135, "UCS-2", 3),
    ("😀" * 35, "UCS-2", 1),       # outside the BMP: two units each
    ("😀" * 36, "UCS-2", 2),
    ("آپ کا شکریہ", "UCS-2", 1),
])
def test_encoding_and_parts(text, encoding, parts):
    assert segments.encoding(text) == encoding
    assert segments.count(text) == parts


def test_english_survey_texts_stay_gsm7():
    env = make_env()
    for survey in env.surveys.values():
        for context, source in survey.texts():
            assert segments.encoding(source) == "GSM-7", context


# wards, census groups, and age bands that tell an under-13 (screened out) from 13 to 15
LONG_LISTS = {"ward_chingford", "ward_walthamstow", "ethnic_group", "age_band"}


def test_each_english_question_fits_one_sms():
    env = make_env()
    for survey in env.surveys.values():
        for question in survey.questions:
            state = State(Person("en"), Run(survey=survey.slug, version=survey.version,
                                             step="question", question=question.id))
            [reply] = engine.prompt(state, env)
            parts = segments.count(text_render.render(reply))
            assert parts == 1 or question.id in LONG_LISTS, (survey.slug, question.id, parts)


# Every message as sent costs at most 3 SMS parts, in every language --------------------

LANGS = ["en", "ro", "ur", "bg", "pl", "tr"]
ORG = "Waltham Forest Council"  # OUTREACH_ORG_NAME's default, as HELP names it
CONTACT = "engage@walthamforest.gov.uk"  # docs/configuration.md: keep HELP_CONTACT about this
LINE = "020 8496 3000"  # SAFEGUARDING_LINE: a phone number
NOT_SENT = ("keywords/", "words/", "web/", "yes", "no", "calendar-")  # lists, labels, pages
# Members' reminders, filled in as docs/members.md advises: a short name, a venue of a few
# words, a few words of each note; the longest day name in the year (a Wednesday in
# September); a calendar link on the council's own domain.
REMINDERS = ("reminder/confirm", "reminder/day-before", "reminder/morning", "reminder/moved",
             "reminder/removed")
NOTE = "photo ID"
SESSION = AssemblySession(
    id=1, name="Day 3", starts_at=datetime(2026, 9, 30, 9, 0, tzinfo=UTC),
    ends_at=datetime(2026, 9, 30, 16, 0, tzinfo=UTC), venue="Walthamstow Assembly Hall",
    bring="photo ID", access="step-free", travel="Walthamstow Central")
CALENDAR = "https://outreach.walthamforest.gov.uk/m/DESW6lYX5_3XMgn9mCRqc0ms.ics"
# Two days a member was told of, their latest reminder's first: YES / NO names the day.
RSVP_DAYS = (Invitation(2, "2026-10-01T08:00:00+00:00", "2026-10-01"),
             Invitation(1, "2026-09-30T08:00:00+00:00", "2026-09-30"))
# The civic lottery's question (bot/selection.py): three weekends, the longest day named.
SELECTION = ("selection/ask", "selection/again", "selection/yes", "selection/no",
             "selection/not-selected", "selection/not-selected-no-date",
             "selection/finished")
WEEKENDS = [date(2026, 9, 12), date(2026, 9, 13), date(2026, 9, 26), date(2026, 9, 27),
            date(2026, 10, 10), date(2026, 10, 11)]
SESSION_DAY = date(2026, 9, 30)
# A member's Telegram link code, with the bot's link (a bot @username of 24 characters).
BOT_NAME = "WalthamForestAssemblyBot"
LINK_CODE = {"code": "K7PQ2XMD", "bot": f"@{BOT_NAME}",
             "url": f"https://t.me/{BOT_NAME}?start=link_K7PQ2XMD", "channel": "WhatsApp"}


def _sent(replies) -> list[str]:
    return [text_render.render(reply) for reply in replies]


def _every_message(lang: str) -> dict[str, str]:
    """What the bot sends in `lang`: its own texts, HELP with a contact, every survey message
    (intro and consent as a first message starts them, each question as asked)."""
    env = make_env(paths=SHIPPED, help_contact=CONTACT, org=ORG)
    few = env.catalogs.bot(lang, "fewer-than-5")  # the longest a count is said
    sent = {f"bot/{key}": env.catalogs.bot(lang, key, org=ORG, min=1, max=100,
                                           contact=CONTACT, started=few, finished=few,
                                           conversations=few, people=few, line=LINE,
                                           link=CALENDAR, text=NOTE, **LINK_CODE, age=15,
                                           date=confirming.full_date(SESSION_DAY, lang))
            for key in BOT if not key.startswith(NOT_SENT)
            and key not in ("prompts-pack", *REMINDERS) and not key.startswith("rsvp-")
            and not key.startswith("selection/")}
    for key in SELECTION:  # the lottery's question and replies as sent: three weekends
        sent[f"bot/{key} as sent"] = env.catalogs.bot(
            lang, key, org=ORG, dates=confirming.dates_text(WEEKENDS, lang),
            days=confirming.dates_text(WEEKENDS, lang), by=confirming.deadline(SESSION_DAY, lang),
            date=confirming.full_date(SESSION_DAY, lang), contact=CONTACT)
    # Asked of someone who can come to two of the registration's three weekends: those two,
    # as the shipped registration writes them in the language.
    registration = next(s for s in env.surveys.values() if s.with_role("availability"))
    [question] = registration.with_role("availability")
    two = tuple((f"{registration.slug}/{question.id}/{c.id}", c.text)
                for c in question.choices[-2:])
    sent["bot/selection/ask-some as sent"] = env.catalogs.bot(
        lang, "selection/ask-some", org=ORG, by=confirming.deadline(SESSION_DAY, lang),
        dates=confirming.weekends_text(env.catalogs, two, lang))
    for key in REMINDERS:  # as sent: a session's day in the language, its notes, a venue
        sent[f"bot/{key} as sent"] = reminders.reminder(
            env.catalogs, lang, key, SESSION, ZoneInfo("Europe/London"), with_notes=True).text
    member = make_env(paths=SHIPPED, invitations=lambda: RSVP_DAYS)
    for words in ("yes", "no", "no saturday"):  # for the one day, with the other's hint
        [reply] = engine.resume(State(Person(lang)), Incoming(words), NOW, member).replies
        sent[f"bot/rsvp as sent for '{words}'"] = _sent([reply])[0]
    packs = PromptPacks.load()
    for week in range(1, packs.weeks + 1):  # each peer engagers' weekly pack, as sent
        sent[f"bot/prompts-pack week {week}"] = packs.message(env.catalogs, lang, week)
    lined = make_env(paths=SHIPPED, safeguarding_line=LINE)
    signposted = engine.resume(State(Person(lang)),
                               Incoming("…", concern=Concern(3, "self_harm")), NOW, lined)
    sent["bot/signpost as sent, with the council's line"] = _sent(signposted.replies)[0]
    helped = engine.resume(State(Person(lang)), Incoming("HELP"), NOW, env)
    sent["bot/help as sent"] = _sent(helped.replies)[0]
    registering = State(Person(lang), Run(survey="lottery-registration", step="consent"))
    helped = engine.resume(registering, Incoming("HELP"), NOW, env)  # the lottery's HELP
    sent["bot/register-help as sent"] = _sent(helped.replies)[0]
    unset = make_env(paths=SHIPPED, org=ORG)  # a fresh install: HELP_CONTACT not set yet
    helped = engine.resume(State(Person(lang)), Incoming("HELP"), NOW, unset)
    sent["bot/help as sent, no contact set"] = _sent(helped.replies)[0]
    for survey in env.surveys.values():
        started = engine.resume(State(Person(lang)), Incoming("", start=Start(survey.slug)),
                                NOW, env)
        for n, text in enumerate(_sent(started.replies)):
            sent[f"{survey.slug}/start {n}"] = text
        for question in survey.questions:
            state = State(Person(lang), Run(survey=survey.slug, version=survey.version,
                                            step="question", question=question.id))
            [sent[f"{survey.slug}/{question.id}"]] = _sent(engine.prompt(state, env))
        for context in ("outro", "screen_out"):
            if source := getattr(survey, context):
                sent[f"{survey.slug}/{context}"] = env.catalogs.text(
                    [lang, survey.language], f"{survey.slug}/{context}", source)
    return sent


@pytest.mark.parametrize("lang", LANGS)
def test_every_message_fits_three_sms_parts(lang):
    sent = _every_message(lang)
    assert len(sent) > 60
    too_long = {key: (segments.count(text), len(text)) for key, text in sent.items()
                if segments.count(text) > 3}
    assert too_long == {}


@pytest.mark.parametrize("lang", LANGS)
def test_the_validator_renders_survey_messages_as_the_engine_does(lang):
    env = make_env(paths=SHIPPED)
    for survey in env.surveys.values():
        validated = dict(sms.messages(survey, lang, env.catalogs))
        for question in survey.questions:
            state = State(Person(lang), Run(survey=survey.slug, version=survey.version,
                                            step="question", question=question.id))
            [asked] = _sent(engine.prompt(state, env))
            assert validated[f"{survey.slug}/{question.id}"] == asked


def _asked_again(lang: str) -> dict[str, list[str]]:
    """Every question (and the consent) asked again after an answer the bot could not
    read, as SMS sends it."""
    env = make_env(paths=SHIPPED, help_contact=CONTACT)
    sent = {}
    for survey in env.surveys.values():
        steps = [("consent", None)] * bool(survey.consent)
        steps += [("question", q.id) for q in survey.questions if q.type != "text"]
        for step, question in steps:
            state = State(Person(lang), Run(survey=survey.slug, version=survey.version,
                                            step=step, question=question))
            sprint = engine.resume(state, Incoming("qqq zzz"), NOW, env)
            assert sprint.replies[0].hint, (survey.slug, question)  # it was asked again
            sent[f"{survey.slug}/{question or step}"] = _sent(text_render.fit_sms(
                sprint.replies))
    return sent


@pytest.mark.parametrize("lang", LANGS)
def test_a_question_asked_again_fits_three_sms_parts_a_message(lang):
    sent = _asked_again(lang)
    too_long = {key: [segments.count(text) for text in texts] for key, texts in sent.items()
                if any(segments.count(text) > 3 for text in texts)}
    assert too_long == {}
    assert any(len(texts) == 2 for texts in sent.values()) == (lang != "en")
