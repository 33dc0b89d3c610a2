"""Asking: the consent or the question a conversation waits for, as replies with their
options as data (the channel renders them), and asked again after HELP, a nudge, a language
change or a message we cannot read."""

from __future__ import annotations

from bot.engine.turn import Message, Turn
from bot.state import Option
from surveys.model import Question


def prompt(turn: Turn, lead: str | None = None) -> None:
    """Ask again whatever we are waiting for (after HELP, a language change, a nudge)."""
    survey = turn.survey
    if turn.run.step == "consent" and survey is not None:
        turn.say(turn.text(survey, "consent", survey.consent), turn.yes_no(), style="keys",
                 hint=lead, question="consent")
    elif (question := turn.current_question()) is not None:
        ask(turn, question, hint=lead)


def ask(turn: Turn, question: Question, hint: str | None = None) -> None:
    """A question in their language, with its choices, scale or yes / no as options."""
    survey = turn.survey
    text = turn.text(survey, question.id, question.text)
    more = {"hint": hint, "question": question.id,
            "note": turn.bot("optional") if question.optional else None}
    if question.type in ("choice", "multi"):
        options = tuple(Option(c.id, turn.text(survey, f"{question.id}/{c.id}", c.text))
                        for c in question.choices)
        if question.role == "age":  # a typed number is an age: no numbered options
            more.update(style="words", how=turn.bot("hint/age-how"))
        turn.say(text, options, multi=question.type == "multi", **more)
    elif question.type == "yesno":
        turn.say(text, turn.yes_no(), **more)
    elif question.type == "scale":
        options = tuple(Option(str(i), str(i))
                        for i in range(int(question.min), int(question.max) + 1))
        turn.say(text, options, style="keys", **more)
    else:
        turn.say(text, **more)


def hint(turn: Turn, question: Question) -> str:
    """How to answer this question, after an answer we could not read."""
    if question.role == "age" and question.type == "choice":
        return turn.bot("hint/age")
    if question.type == "scale":
        return turn.bot("hint/scale", min=question.min, max=question.max)
    if question.type == "number":
        if question.min is not None and question.max is not None:
            return turn.bot("hint/number-range", min=_num(question.min),
                            max=_num(question.max))
        return turn.bot("hint/number")
    return turn.bot(f"hint/{question.type}")


def media(turn: Turn, message: Message) -> bool:
    """A picture or voice note: we read only words; what we wait for, asked again."""
    if not message.incoming.media:
        return False
    turn.say(turn.bot("media"))
    prompt(turn)
    return True


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
