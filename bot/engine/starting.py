"""Starting a survey on request: a channel's start link (Telegram's /start, a web form), a
survey's keyword (SAFETY, YOUTH CODE Y5VD) or, as a first message, an engager's bare code."""

from __future__ import annotations

import re

from bot.engine.asking import prompt
from bot.engine.engagers import active_code, is_engager_code
from bot.engine.languages import first_language
from bot.engine.survey import switch_to
from bot.engine.turn import Message, Turn
from bot.state import Start


def start_link(turn: Turn, message: Message) -> bool:
    """A channel's start of a survey (a survey, an engager's code, or neither)."""
    msg = message.incoming
    if msg.start is None or msg.start.letter is not None:
        return False  # a letter's code: registration.register reads it
    start: Start = msg.start
    if start.survey is None and start.engager is None and turn.run.in_progress:
        prompt(turn)  # a bare /start (Telegram's Restart button) mid-survey: carry on
        return True
    if start.survey:
        survey = turn.env.surveys.get(start.survey)
    elif start.engager:
        survey = turn.env.audience_survey("youth")
    else:
        survey = turn.env.start_survey()
    if survey is None:
        turn.say(turn.bot("nothing-to-do"))
        return True
    engager = active_code(turn, start.engager)
    if (turn.run.in_progress and turn.run.survey == survey.slug
            and engager in (None, turn.run.engager)):
        prompt(turn)
        return True
    first_language(turn, msg.text, survey, msg.lang_hint)
    switch_to(turn, survey, engager)
    return True


def survey_keyword(turn: Turn, message: Message) -> bool:
    """`SAFETY`, or `YOUTH CODE` with an engager's code, starts that survey — typed as
    people type it ("Youth: Y5VD Y5.", "youth code Y5VDY5"); a first message that is
    only an active engager's code starts the youth survey too."""
    text = message.text
    words = re.sub(r"[^\w]+", " ", text.upper()).split()
    if not words:
        return False
    question = turn.current_question()
    if question is not None and question.type == "text":
        return False  # "Safety" answering a free-text question is an answer
    survey = next((s for s in turn.env.surveys.values() if s.keyword == words[0]), None)
    if survey is None:
        return bare_code(turn, words)
    rest = words[2:] if words[1:2] == ["CODE"] and len(words) > 2 else words[1:]
    code = "".join(rest)
    if rest and (len(rest) > 3 or not is_engager_code(code)):
        return False
    engager = active_code(turn, code or None)
    if turn.run.in_progress and turn.run.survey == survey.slug and engager is None:
        prompt(turn)  # already on it: carry on where they were
        return True
    first_language(turn, text, survey)
    switch_to(turn, survey, engager)
    return True


def bare_code(turn: Turn, words: list[str]) -> bool:
    """A new person's first message that is only an active code (a friend sent just
    the code): the youth survey, attributed."""
    code = "".join(words)
    if turn.run.step != "idle" or len(words) > 3 or not is_engager_code(code):
        return False
    engager, survey = active_code(turn, code), turn.env.audience_survey("youth")
    if engager is None or survey is None:
        return False
    first_language(turn, "", survey)
    switch_to(turn, survey, engager)
    return True
