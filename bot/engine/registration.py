"""Registering for the civic lottery with a letter's code: REGISTER CODE (SMS, WhatsApp,
Telegram), a first message that is only a code, Telegram's /start CODE and the web form's
?code=. Only a letter's code opens the registration survey (audience `registrants`)."""

from __future__ import annotations

from bot.engine.turn import Message, Turn


def register(turn: Turn, message: Message) -> bool:
    """A registration code, or the registration survey's keyword: not yet built."""
    return False
