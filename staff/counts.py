"""Counts and names as the (English) staff pages show them: small counts hidden, so
nobody is picked out; languages by their English names."""

from __future__ import annotations

from babel import Locale, UnknownLocaleError

SMALL = 5  # counts from 1 to 4 are shown as "fewer than 5" (and their shares not at all)


def is_small(n: int) -> bool:
    return 0 < n < SMALL


def people(n: int) -> str:
    """'none', 'fewer than 5' or the count with thousands separators."""
    if n == 0:
        return "none"
    return "fewer than 5" if is_small(n) else f"{n:,}"


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
    return {"sms": "SMS", "whatsapp": "WhatsApp", "telegram": "Telegram",
            "web": "Web form"}.get(code, code)
