"""Telegram's commands as the engine's words: "/stop" is STOP, "/start CODE" a Start,
"LINK CODE" and "/start link_CODE" a member's link code.

The webhook (webhooks/telegram.py) and `outreach chat --channel telegram` (bot/cli.py) read
a message the same way through `telegram`, so the simulator answers as the bot would.
"""

from __future__ import annotations

import logging
import re
from typing import NamedTuple

from bot import letter_codes
from bot.engine import is_engager_code
from bot.members.link_codes import looks_like_code
from bot.state import Start

log = logging.getLogger(__name__)

# "/start", "/start@SomeBot", "/start K7P2QX": a command, an optional bot name, its argument.
COMMAND = re.compile(r"/(?P<name>[A-Za-z0-9_]{1,32})(?:@\w+)?(?:\s+(?P<arg>.*))?", re.S)
# A member's link code: "LINK K7PQX2MD" typed, "/link K7PQX2MD", or the SMS's deep link
# ("/start link_K7PQX2MD"); LINK alone asks how. Engager codes never hold "_".
LINK = re.compile(r"/?link(?:@\w+)?(?:[\s:]+(?P<code>.{1,40}))?", re.I | re.S)
DEEP_LINK = re.compile(r"/start(?:@\w+)?\s+link[_-](?P<code>\w{1,40})", re.I)


class Read(NamedTuple):
    """A Telegram message as the engine takes it."""

    text: str  # the words ("/stop" becomes "stop")
    start: Start | None = None  # "/start CODE": a start with an engager's or a letter's code
    link: str | None = None  # a member's link code ("" for LINK alone)


def telegram(text: str) -> Read:
    """A Telegram message's words for the engine: the Start that "/start CODE" makes
    (carrying the engager's code; a payload that is not a code starts without one), or the
    code of a member's LINK message."""
    link = link_code(text)
    if link is not None:
        return Read(text, link=link)
    match = COMMAND.fullmatch(text.strip())
    if match is None:
        return Read(text)
    name, arg = match["name"].lower(), (match["arg"] or "").strip()
    words = f"{name} {arg}" if arg else name
    if name != "start":
        return Read(words)
    letter = letter_codes.read(arg) if arg else None
    if letter is not None:  # the civic lottery's letter: /start K7PM3QXAF (its QR code)
        return Read("start", Start(letter=letter))
    if arg and not is_engager_code(arg.upper()):
        log.info("a /start payload that is not an engager code was ignored")
        return Read("start", Start())
    return Read(words, Start(engager=arg.upper() or None))


def link_code(text: str) -> str | None:
    """The code in a member's LINK message ("" for LINK alone), or None for any other."""
    text = text.strip()
    match = DEEP_LINK.fullmatch(text) or LINK.fullmatch(text)
    if match is None:
        return None
    code = (match["code"] or "").strip()
    return code if not code or looks_like_code(code) else None
