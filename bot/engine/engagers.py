"""Peer engagers in a conversation: their codes, and their own keywords PROMPTS (this week's
pack), LOG (log a chat) and STATS (their reach, small counts hidden).

From anyone who is not an engager these words are ordinary words; the engager is looked up
only when such a word comes (bot/youth.py keeps the engagers themselves).
"""

from __future__ import annotations

import re

from bot import suppress
from bot.engine.asking import prompt
from bot.engine.survey import switch_to
from bot.engine.turn import Message, Turn
from bot.state import Engaged, PackSent

ENGAGER_KEYWORDS = ("prompts", "log", "stats")  # peer engagers' own; others' ordinary words
ENGAGER_CODE_CHARS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
# New codes leave out the letters that read as digits (S/5, Z/2, B/8) as well as 0/O, 1/I;
# a code typed with one of them is read with the digit.
NEW_CODE_CHARS = "ACDEFGHJKLMNPQRTUVWXY23456789"
_CONFUSED = str.maketrans("SZB", "528")


def is_engager_code(word: str) -> bool:
    """Engager codes are 4-10 characters from an unambiguous alphabet, with a digit."""
    return (4 <= len(word) <= 10 and all(ch in ENGAGER_CODE_CHARS for ch in word)
            and any(ch.isdigit() for ch in word))


def active_code(turn: Turn, code: str | None) -> str | None:
    """An engager's code if it is an active one (an S typed for a 5, a Z for a 2 or a B
    for an 8 forgiven); else None: the person still takes part, unattributed, and is
    told nothing about the code."""
    if not code:
        return None
    for candidate in dict.fromkeys([code, code.translate(_CONFUSED)]):
        if turn.env.engager_code(candidate):
            return candidate
    return None


def engager_keyword(turn: Turn, message: Message) -> bool:
    """PROMPTS, LOG or STATS from a peer engager. The engager is looked up only for
    these words; from anyone else they are ordinary words (False: carry on)."""
    key = engager_key(turn, message.norm)
    me = turn.env.engager() if key is not None else None
    if me is None:
        return False
    turn.run.interrupt = None
    if me.paused and logging(turn):  # a log begun before the pause may be finished
        prompt(turn, lead=turn.bot("engager-paused-log"))
    elif me.paused:
        turn.say(turn.bot("engager-paused"))
        prompt(turn)
    elif key == "prompts":
        week = turn.env.prompts.current_week(turn.now)
        turn.say(turn.env.prompts.message(turn.env.catalogs, turn.lang, week))
        turn.effects.append(PackSent(me.code, week))
        prompt(turn)
    elif key == "stats":
        reach = turn.env.reach(me.code)
        turn.say(turn.bot("stats", started=count(turn, reach.started),
                          finished=count(turn, reach.finished),
                          conversations=count(turn, reach.conversations),
                          people=count(turn, reach.people)))
        prompt(turn)
    else:
        log_conversation(turn, me)
    return True


def engager_key(turn: Turn, norm: str) -> str | None:
    """PROMPTS, LOG or STATS, alone or with polite words ("stats please", "my stats")."""
    if not norm:
        return None
    polite = turn.words("words/please")
    bare = " ".join(word for word in re.findall(r"\w+", norm) if word not in polite)
    return next((k for k in ENGAGER_KEYWORDS
                 if {norm, bare} & turn.words(f"keywords/{k}")), None)


def logging(turn: Turn) -> bool:
    """Whether this conversation is an engager's log of a chat, under way."""
    survey = turn.survey
    return turn.run.in_progress and survey is not None and survey.audience == "engagers"


def from_engager(turn: Turn) -> bool:
    """Whether a peer engager is writing (in a log of a chat, or known by their phone)."""
    survey = turn.survey
    return (survey is not None and survey.audience == "engagers"
            or turn.env.engager() is not None)


def count(turn: Turn, n: int) -> str:
    """A reach count as told to an engager: under 5 it is only "fewer than 5"."""
    return turn.bot("fewer-than-5") if suppress.below(n) else str(n)


def log_conversation(turn: Turn, me: Engaged) -> None:
    """A new log of a chat (the engagers' survey), attributed to the engager."""
    survey = turn.env.audience_survey("engagers")
    if survey is None:
        turn.say(turn.bot("nothing-to-do"))
        return
    switch_to(turn, survey, me.code)  # repeatable: each LOG is a new record
