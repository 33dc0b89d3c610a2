"""A selected registrant's YES or NO to the lottery's invitation to join the assembly.

The worker asked them (bot/selection.py); until they answer, `env.selected()` says they
wait. YES or NO, in any offered language ("ہاں", "tak", "evet"), answers it: the effect
`LotteryAnswered` makes them a member or marks them declined, and they are thanked in their
language. Anything else from them, outside a survey, is met with the question again, short,
with the council's contact (HELP_CONTACT) for their questions. Someone the lottery has
finished with (not selected, said NO, never answered, dropped out) who writes, outside a
survey, is told so kindly, with the contact, instead of the registration's "already
answered". From anyone else, or in the middle of a survey, these words are left to the
other handlers.
"""

from __future__ import annotations

import functools
import re
from datetime import date, timedelta

from babel import Locale
from babel.dates import format_date, format_interval
from babel.lists import format_list

from bot import answers
from bot.engine.asking import prompt
from bot.engine.turn import Message, Turn
from bot.lottery_state import LotteryAnswered
from surveys.model import REGISTRANTS
from translations import weekdays
from translations.catalog import Catalogs

# The statuses of those the lottery has finished with (bot/selection.py FINISHED).
FINISHED = ("not_selected", "declined", "no_answer", "dropped")


def answer(turn: Turn, message: Message) -> bool:
    """YES or NO from a registrant the lottery selected and asked; anything else from
    them, outside a survey, has the question repeated. False for everyone else."""
    norm = message.norm
    if not norm:
        return False
    first = answers.first_word(norm)
    yes, no = turn.words("words/yes"), turn.words("words/no")
    said = (True if norm in yes or first in yes else
            False if norm in no or first in no else None)
    question = turn.current_question()
    if turn.run.in_progress and (said is None or turn.run.step == "consent" or (
            question is not None and question.type in ("yesno", "text"))):
        return False  # the survey they are in takes it
    waiting = turn.env.selected()
    if waiting is None:
        return False
    if waiting.status in FINISHED:
        return _finished(turn, message)
    if waiting.status != "selected":
        return False
    if said is None:
        if _starts_a_survey(turn, message.text):
            return False  # SAFETY, REGISTER …: the survey it names starts as for anyone
        turn.say(_again(turn, waiting), turn.yes_no(), style="keys")
        return True
    turn.effects.append(LotteryAnswered(waiting.registrant, said))
    turn.say(turn.bot("selection/yes" if said else "selection/no"))
    prompt(turn)
    return True


def _finished(turn: Turn, message: Message) -> bool:
    """A registrant the lottery has finished with writes: one short, kind word with the
    contact, unless they are in another survey, start one, or last answered one that is not
    the registration (that survey's "already answered" is theirs)."""
    survey = turn.survey
    if turn.run.in_progress or _starts_a_survey(turn, message.text) or (
            survey is not None and survey.audience != REGISTRANTS):
        return False
    turn.say(turn.bot("selection/finished", contact=contact(turn)))
    return True


def contact(turn: Turn) -> str:
    """Whom to ask: HELP_CONTACT (translated where a catalogue has it), else the council."""
    if not turn.env.help_contact:
        return turn.env.org
    return turn.env.catalogs.text([turn.lang], "bot/help-contact-value", turn.env.help_contact)


def _starts_a_survey(turn: Turn, text: str) -> bool:
    """Whether the message begins with a survey's keyword (starting.survey_keyword's)."""
    words = re.sub(r"[^\w]+", " ", text.upper()).split()
    return bool(words) and any(s.keyword == words[0] for s in turn.env.surveys.values())


def _again(turn: Turn, waiting) -> str:
    """The question, short: the days (those they said they can come to, if not all), YES
    or NO, the day to answer by, and whom to ask."""
    days = (weekends_text(turn.env.catalogs, waiting.weekends, turn.lang) if waiting.weekends
            else dates_text([date.fromisoformat(d) for d in waiting.dates], turn.lang))
    answer_by = deadline(date.fromisoformat(waiting.by), turn.lang) if waiting.by else ""
    return turn.bot("selection/again", days=days, by=answer_by, contact=contact(turn))


def deadline(day: date, lang: str | None) -> str:
    """The day to answer by in `lang`, as it reads after "by" / "do" / "până la" / "до" /
    "tarihine kadar": "Wednesday 16 December"; elsewhere the date first and the weekday in
    brackets, "16 grudnia (środa)", so that no language needs the weekday in another case
    (Polish "do środy")."""
    if (lang or "en") == "en":
        return weekdays.day_name(day, lang)
    try:
        return f"{format_date(day, 'd MMMM', locale=lang)} " \
               f"({weekdays.weekday_name(day.weekday(), lang)})"
    except (ValueError, LookupError):
        return weekdays.day_name(day, "en")


def weekends_text(catalogs: Catalogs, weekends: tuple[tuple[str, str], ...],
                  lang: str | None) -> str:
    """Weekends as the registration wrote them, in `lang`, listed with the language's own
    comma and no "and" (a choice holds one already): "Sat 20 and Sun 21 March 2027, Sat 15
    and Sun 16 May 2027"; in Urdu "…، …"."""
    try:
        between = Locale.parse(lang or "en").list_patterns["standard"]["middle"]
    except (ValueError, LookupError):
        between = "{0}, {1}"
    texts = [catalogs.text([lang], context, text) for context, text in weekends]
    return functools.reduce(between.format, texts) if texts else ""


def dates_text(days: list[date], lang: str | None) -> str:
    """The assembly's days in `lang`, days in a row as one span: "14-15 March, 28-29 March
    and 11-12 April" (a plain hyphen: an English SMS stays in GSM-7)."""
    runs: list[list[date]] = []
    for day in sorted(set(days)):
        if runs and day - runs[-1][-1] == timedelta(days=1):
            runs[-1].append(day)
        else:
            runs.append([day])
    locale = "en_GB" if (lang or "en") == "en" else lang
    try:
        spans = [format_date(r[0], "d MMMM", locale=locale) if len(r) == 1 else
                 re.sub(r"\s*[–—]\s*", "-", format_interval(r[0], r[-1], "MMMMd",
                                                            locale=locale))
                 for r in runs]
        return format_list(spans, style="standard", locale=locale)
    except (ValueError, LookupError):
        return dates_text(days, "en")


def full_date(day: date, lang: str | None) -> str:
    """A date with its year in `lang`, no weekday: "30 September 2027", "30 września 2027"."""
    try:
        return format_date(day, "d MMMM y", locale="en_GB" if (lang or "en") == "en" else lang)
    except (ValueError, LookupError):
        return format_date(day, "d MMMM y", locale="en_GB")
