"""Telegram's commands as the engine's words: "/stop" is STOP, "/start CODE" a Start.

The webhook (webhooks/telegram.py) and `outreach chat --channel telegram` (bot/cli.py) read
a message the same way through `telegram`, so the simulator answers as the bot would.
"""

from __future__ import annotations

import logging
import re

from bot.engine import is_engager_code
from bot.state import Start

log = logging.getLogger(__name__)

# "/start", "/start@SomeBot", "/start K7P2QX": a command, an optional bot name, its argument.
COMMAND = re.compile(r"/(?P<name>[A-Za-z0-9_]{1,32})(?:@\w+)?(?:\s+(?P<arg>.*))?", re.S)


def telegram(text: str) -> tuple[str, Start | None]:
    """A Telegram message's words for the engine, and the Start that "/start CODE" makes
    (carrying the engager's code; a payload that is not a code starts without one)."""
    match = COMMAND.fullmatch(text.strip())
    if match is None:
        return text, None
    name, arg = match["name"].lower(), (match["arg"] or "").strip()
    words = f"{name} {arg}" if arg else name
    if name != "start":
        return words, None
    if arg and not is_engager_code(arg.upper()):
        log.info("a /start payload that is not an engager code was ignored")
        return "start", Start()
    return words, Start(engager=arg.upper() or None)
