"""Names as the (English) staff pages show them: languages by their English names, channels
as staff call them. Counts go through bot/suppress.py."""

from __future__ import annotations

from bot import channels
from translations.data import english_name


def language(code: str | None) -> str:
    """A language's English name ('Urdu'), or the code when Babel does not know it."""
    if not code:
        return "unknown"
    return english_name(code) or code


def channel(code: str) -> str:
    """A channel as staff call it ('WhatsApp', 'Web form')."""
    return channels.label(code)
