"""Plain-text rendering of a reply, for SMS, WhatsApp and the console simulator.

Options in "list" style become numbered lines ("1 A lot"), so people can answer with the
number; "keys" options are left out because the text already says what to type.
"""

from __future__ import annotations

from bot.state import Reply


def body(reply: Reply) -> str:
    """Hint, text and note of a reply, one per line (what every text channel shows)."""
    return "\n".join(part for part in (reply.hint, reply.text, reply.note) if part)


def render(reply: Reply) -> str:
    """The text of a reply: hint, text, note, then its options numbered."""
    lines = [text] if (text := body(reply)) else []
    if reply.style == "list":
        lines += [f"{n} {option.label}" for n, option in enumerate(reply.options, start=1)]
    return "\n".join(lines)
