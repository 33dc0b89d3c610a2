"""Plain-text rendering of a reply, for SMS, WhatsApp and the console simulator.

Options in "list" style become numbered lines ("1 A lot"), so people can answer with the
number; "words" options are lines without numbers after the reply's `how` ("Reply with your
age in years, or the words of an option"); "keys" options are left out because the text
already says what to type.
"""

from __future__ import annotations

from dataclasses import replace

from bot.state import Reply
from translations import segments

SMS_PARTS = 3  # the most parts one message may cost (docs/surveys.md)


def body(reply: Reply) -> str:
    """Hint, text and note of a reply, one per line (what every text channel shows)."""
    return "\n".join(part for part in (reply.hint, reply.text, reply.note) if part)


def render(reply: Reply) -> str:
    """The text of a reply: hint, text, note, then its options numbered."""
    lines = [text] if (text := body(reply)) else []
    if reply.style == "list":
        lines += [f"{n} {option.label}" for n, option in enumerate(reply.options, start=1)]
    elif reply.style == "words":
        lines += [line for line in (reply.how, *(o.label for o in reply.options)) if line]
    return "\n".join(lines)


def fit_sms(replies: list[Reply]) -> list[Reply]:
    """Replies as SMS sends them: a question asked again with a hint ("Please reply with a
    number…") that would cost more than SMS_PARTS parts goes as two messages, the hint
    first, so no message costs more than the question itself."""
    fitted = []
    for reply in replies:
        if reply.hint and segments.count(render(reply)) > SMS_PARTS:
            fitted += [Reply(reply.hint), replace(reply, hint=None)]
        else:
            fitted.append(reply)
    return fitted
