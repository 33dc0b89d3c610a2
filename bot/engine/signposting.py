"""Signposting: words of concern (found before the engine runs, bot/safeguarding) answered
with where to get help now, and an alert raised for a person to read."""

from __future__ import annotations

from bot import answers
from bot.engine.engagers import from_engager
from bot.engine.languages import first_words
from bot.engine.turn import Turn
from bot.state import AlertRaised, Incoming


def signpost(turn: Turn, msg: Incoming) -> None:
    """Where to get help now, in their language, and an alert for a person to read.
    Even after STOP: this answers what they just wrote, and a person must see it. Their
    first message: its language is worked out now, as the survey would, not after."""
    first_words(turn, msg.text, msg.lang_hint, msg.concern.language)
    text = turn.bot("signpost")
    if turn.env.safeguarding_line:
        line = turn.env.catalogs.text([turn.lang], "bot/safeguarding-line-value",
                                      turn.env.safeguarding_line)
        text = f"{text} {turn.bot('signpost-line', line=line)}"
    turn.say(text)
    if msg.concern.severity >= 3:  # someone may be hurt now: the Silent Solution too
        turn.say(turn.bot("signpost-silent"))
    turn.signposted = True
    # An assembly member's words go to the wellbeing lead, with the offer of a call.
    member = turn.env.member() is not None
    if member:
        turn.say(turn.bot("offer-call"))
    elif from_engager(turn):  # perhaps a friend's words, relayed: their lead must hear
        turn.say(turn.bot("signpost-engager"))
    survey = turn.survey
    # Their own language or English, as people write; anything if we know neither.
    known = ([turn.lang, "en"] if turn.lang else
             dict.fromkeys([*(survey.languages if survey else ()), *turn.env.languages]))
    question = turn.run.question if turn.run.step == "question" else (
        "consent" if turn.run.step == "consent" else None)
    turn.effects.append(AlertRaised(
        msg.concern.severity, msg.concern.category, answers.clean_text(msg.text),
        turn.env.detect(msg.text, known) or turn.lang,
        turn.run.survey if turn.run.in_progress else None, question,
        "wellbeing" if member else "safeguarding"))
