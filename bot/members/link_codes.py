"""A member's link code as people type it: its stored form, and whether words after LINK
are one. Pure: the Telegram commands (bot/commands.py) read it, and bot/members/linking.py
stores and redeems the codes."""

from __future__ import annotations

import re

_TYPED = str.maketrans("SZB", "528")  # letters a code never holds, read as the digit
_NOT_CODE = re.compile(r"[\s\-_.]+")


def normalise(typed: str) -> str:
    """A code as people type it ("k7pq x2md", "K7PQ-X2MD") in the form it is stored."""
    return _NOT_CODE.sub("", typed).upper().translate(_TYPED)


def looks_like_code(typed: str) -> bool:
    """Whether words after LINK are a code as typed (not "link to my house")."""
    code = normalise(typed)
    return (len(typed.split()) <= 3 and 6 <= len(code) <= 10 and code.isalnum()
            and any(ch.isdigit() for ch in typed))
