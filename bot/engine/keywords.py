"""Keywords in any offered language: STOP (and plain words asking to stop), START, HELP,
LANG, SKIP, RESTART and DELETE, with the confirmations RESTART and DELETE ask for."""

from __future__ import annotations

from bot import answers
from bot.engine.asking import ask, prompt
from bot.engine.languages import language_options, words_language
from bot.engine.survey import (
    advance,
    begin_questions,
    registered_text,
    screen_out_text,
    start,
)
from bot.engine.turn import Message, Turn
from bot.state import (
    EraseRequested,
    OptedIn,
    OptedOut,
    Person,
    ResponseDiscarded,
    Run,
    State,
)
from surveys.model import REGISTRANTS

KEYWORDS = ("stop", "start", "help", "lang", "skip", "restart", "delete")
# Opted out, only START / UNSTOP (keywords/start, in any language) opt back in, and YES
# exactly: Twilio's own rejoin set (START, UNSTOP, YES), which unblocks the number on its
# side whatever we do. Any other yes-word ("ok", "sure", "tak") answers nothing: silence.
REJOIN_WORD = "yes"


def keyword_in(turn: Turn, norm: str) -> str | None:
    """The keyword a folded message is, in their language or any offered one."""
    for key in KEYWORDS:
        if norm in turn.words(f"keywords/{key}"):
            return key
    return None


# Opting out and back in ------------------------------------------------------------------


def while_opted_out(turn: Turn, message: Message) -> bool:
    """Opted out: START or YES opts back in, HELP helps; anything else is silence, as
    promised when they opted out."""
    if not turn.state.contact.opted_out:
        return False
    if message.keyword == "start" or message.norm == REJOIN_WORD:
        turn.effects.append(OptedIn())
        turn.state.contact.opted_out = False
        turn.say(turn.bot(_started(turn)))
        prompt(turn)
    elif message.keyword == "help":
        _help(turn, message)
    return True


def opt_out(turn: Turn, message: Message) -> bool:
    """STOP, or plain words asking to stop: opted out, and told so."""
    if not _opts_out(turn, message.norm, message.keyword, message.text):
        return False
    turn.effects.append(OptedOut())
    turn.state.contact.opted_out = True
    turn.run.interrupt = None
    turn.say(turn.bot("stopped"))
    return True


def _opts_out(turn: Turn, norm: str, keyword: str | None, text: str) -> bool:
    """STOP in any language, or plain words from the phrase files (a slip of STOP only
    when the word answers nothing). The language it was said in becomes theirs, as a
    request for a language would, so the confirmation is in it — unless it is English,
    which anyone may use for STOP ("stop please", "remove me"): then theirs stays."""
    if keyword == "stop":
        lang = said_in(turn, keyword, norm)
    else:
        lang = turn.env.opt_out.language(text, [turn.lang, *turn.offered()])
        if lang is None or _answers_something(turn, norm):
            return False
    words_language(turn, lang)
    return True


def said_in(turn: Turn, key: str, norm: str) -> str | None:
    """The language whose `key` keyword this folded word is: theirs first, then the offered
    ones in order (so STOP and HELP, in every list, are theirs, or the survey's first)."""
    return next((lang for lang in [turn.lang, *turn.offered()] if lang and norm in
                 turn.env.catalogs.words(f"keywords/{key}", [lang], answers.fold)), None)


def _help(turn: Turn, message: Message) -> None:
    """HELP in the language it was asked in ("AJUTOR", "pomoc"), as STOP is confirmed in
    its own — unless it is English and theirs is known."""
    words_language(turn, said_in(turn, "help", message.norm))
    turn.say(turn.help())


def _answers_something(turn: Turn, norm: str) -> bool:
    """A yes or no in any offered language, or a choice of the question asked."""
    if norm in turn.words("words/yes") or norm in turn.words("words/no"):
        return True
    question = turn.current_question()
    return question is not None and any(
        norm == answers.fold(label) for labels in turn.labels(turn.survey, question).values()
        for label in labels)


def _started(turn: Turn) -> str:
    """What opting back in leads to: carrying on, nothing (done), or a new start."""
    if turn.run.in_progress:
        return "started"
    return "started-done" if turn.run.step == "done" else "started-new"


# The keywords ----------------------------------------------------------------------------


def keyword(turn: Turn, message: Message) -> bool:
    """HELP, LANG, SKIP, RESTART or DELETE (START means nothing more once opted in)."""
    if message.keyword is None or message.keyword == "start":
        return False
    asked_code = turn.run.interrupt == "letter"
    turn.run.interrupt = None
    key = message.keyword
    if key == "help":
        turn.run.interrupt = "letter" if asked_code else None  # the lottery's help; a code next
        _help(turn, message)
        if turn.env.engager() is not None:  # their own words too
            turn.say(turn.bot("help-engager"))
        prompt(turn)
    elif key == "lang":
        turn.run.interrupt = "language"
        turn.say(turn.bot("choose-language"), language_options(turn))
    elif key == "skip":
        _skip(turn)
    elif key == "restart" and turn.run.step == "question" and turn.run.answers:
        turn.run.interrupt = "restart"  # answers would be lost: ask first
        turn.say(turn.bot("restart-confirm"), turn.yes_no(), style="keys")
    elif key == "restart":
        _restart(turn)
    elif key == "delete":
        turn.run.interrupt = "delete"
        turn.say(turn.bot("delete-confirm"), turn.yes_no(), style="keys")
    return True


def confirm_delete(turn: Turn, message: Message) -> bool:
    """YES to DELETE's question erases them; anything but another keyword keeps it all."""
    if turn.run.interrupt != "delete":
        return False
    norm = message.norm
    first = answers.first_word(norm)
    if norm in turn.words("words/yes") or first in turn.words("words/yes"):
        turn.effects.append(EraseRequested())
        turn.say(turn.bot("deleted"))
        turn.state = State(contact=Person(language=turn.lang))
        return True
    if message.keyword is not None and message.keyword != "delete":
        return False
    turn.run.interrupt = None
    turn.say(turn.bot("delete-kept"))
    prompt(turn)
    return True


def confirm_restart(turn: Turn, message: Message) -> bool:
    """YES to RESTART's question starts again; anything but another keyword carries on."""
    if turn.run.interrupt != "restart":
        return False
    norm = message.norm
    first = answers.first_word(norm)
    if message.keyword is not None and message.keyword != "restart":
        return False
    turn.run.interrupt = None
    if norm in turn.words("words/yes") or first in turn.words("words/yes"):
        _restart(turn)
    else:  # NO, or anything else: nothing is lost
        turn.say(turn.bot("restart-kept"))
        prompt(turn)
    return True


def _skip(turn: Turn) -> None:
    question = turn.current_question()
    if question is None:
        turn.say(turn.bot("nothing-to-do"))
    elif not question.optional:
        turn.say(turn.bot("cannot-skip"))
        ask(turn, question)
    else:
        advance(turn, question)


def _restart(turn: Turn) -> None:
    survey = turn.survey or turn.env.start_survey()
    if survey is None:
        turn.say(turn.bot("nothing-to-do"))
        return
    if survey.audience == REGISTRANTS and turn.run.step == "done":
        # Each person registers once; one under 16 does not retry at once: nothing to redo.
        turn.say(registered_text(turn) or screen_out_text(turn, survey))
        return
    if turn.run.step == "question":
        turn.effects.append(ResponseDiscarded())
    consented, engager = turn.run.consented, turn.run.engager
    # A registration keeps its letter's code while under way, never once it is done.
    letter = turn.run.letter if turn.run.in_progress else None
    turn.say(turn.bot("restarting"))
    if consented and turn.run.survey == survey.slug and (
            letter is not None or survey.audience != REGISTRANTS):
        turn.state.run = Run(survey=survey.slug, version=survey.version, engager=engager,
                             consented=True, active_at=turn.run.active_at,
                             started_at=turn.run.started_at, letter=letter)
        begin_questions(turn, survey)
    else:
        start(turn, survey, engager, letter)
