"""A selected registrant's YES or NO to the lottery's invitation to join the assembly."""

from __future__ import annotations

from bot.engine.turn import Message, Turn


def answer(turn: Turn, message: Message) -> bool:
    """YES or NO from a registrant the lottery selected: not yet built."""
    return False
