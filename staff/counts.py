"""Names as the (English) staff pages show them: languages by their English names, channels
as staff call them. Counts go through bot/suppress.py."""

from __future__ import annotations

from babel import Locale, UnknownLocaleError

from bot import channels


def language(code: str | None) -> str:
    """A language's English name ('Urdu'), or the code when Babel does not know it."""
    if not code:
        return "unknown"
    try:
        return Locale.parse(code).get_display_name("en") or code
    except (UnknownLocaleError, ValueError):
        return code


def channel(code: str) -> str:
    """A channel as staff call it ('WhatsApp', 'Web form')."""
    return channels.label(code)
