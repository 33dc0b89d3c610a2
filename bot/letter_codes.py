"""Registration codes on the civic lottery's letters: their alphabet, how a typed code is
read, how it is shown and how it is stored (a keyed hash, never the code). Pure.

A code is 9 characters from NEW_CODE_CHARS (29: no 0/O, 1/I, S/5, Z/2 or B/8 to mix up),
so 29⁹ ≈ 1.45 × 10¹³ codes, 43.7 bits: a guesser sending a million tries finds one of
20,000 live codes with odds of about 1 in 700. Printed in threes (K7P-M3Q-XAF); read back
whatever the case, spaces or dashes, with an S, Z or B typed for 5, 2 or 8.

Stored as HMAC-SHA-256 keyed with SECRET_KEY: a copy of the database alone cannot be
searched for codes, and a code is found by its hash (one indexed look-up). Changing
SECRET_KEY voids the codes of letters already sent (docs/lottery.md says so).
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
import secrets
from collections.abc import Callable

from bot.engine.engagers import NEW_CODE_CHARS

LENGTH = 9
GROUP = 3
BITS = LENGTH * math.log2(len(NEW_CODE_CHARS))  # 43.7
_CONFUSED = str.maketrans("SZB", "528")
_SEPARATORS = re.compile(r"[\s\-–—_.]+")
_WORD = re.compile(r"(?<!\S)[^\s\w]*(\S*?)[^\s\w]*(?=\s|$)")  # a word, its punctuation aside
_PRINTED = re.compile(r"\w{3}[\-–—_.]\w{3}[\-–—_.]\w{3}")  # a code as printed: K7P-M3Q-XAF


def generate(choose: Callable[[str], str] = secrets.choice) -> str:
    """A fresh code (unchecked against the blocklist or codes already drawn)."""
    return "".join(choose(NEW_CODE_CHARS) for _ in range(LENGTH))


def read(text: str) -> str | None:
    """The code in what someone typed ("k7p-m3q-xaf", "K7P M3Q XAF", an S for a 5), or
    None when it cannot be one."""
    word = _SEPARATORS.sub("", text.strip()).upper().translate(_CONFUSED)
    if len(word) == LENGTH and all(ch in NEW_CODE_CHARS for ch in word):
        return word
    return None


def find(text: str) -> str | None:
    """The one code in a sentence ("chcę się zarejestrować E9C-DH4-NYR", "my code is k7p m3q
    xaf"), or None. A word that is a whole code is taken as printed with its dashes
    (K7P-M3Q-XAF; not digits alone, as a phone number is); run together, or as three words
    of three, it must mix letters and digits, as no word and no phone number does. Two
    different codes: None (which one?)."""
    found = dict.fromkeys(code for code, _ in _candidates(text))
    return next(iter(found)) if len(found) == 1 else None


def without(text: str, code: str) -> str:
    """`text` with the code `find` read in it taken out (the words around it, whose
    language is theirs)."""
    for found, (start, end) in _candidates(text):
        if found == code:
            return f"{text[:start]} {text[end:]}".strip()
    return text


def _candidates(text: str) -> list[tuple[str, tuple[int, int]]]:
    """Codes in `text` with where each sits: whole words first, then three short words."""
    spans = [(m.group(1), m.span(1)) for m in _WORD.finditer(text)]
    whole = [(code, span) for word, span in spans if (code := _whole(word)) is not None]
    if whole:
        return whole
    triples = []
    for i in range(len(spans) - GROUP + 1):
        three = spans[i:i + GROUP]
        joined = "".join(word for word, _ in three)
        if all(len(word) == GROUP for word, _ in three) and _mixed(joined):
            code = read(joined)
            if code is not None:
                triples.append((code, (three[0][1][0], three[-1][1][1])))
    return triples


def _whole(word: str) -> str | None:
    """A word that is a code: printed with dashes in threes, or 9 letters and digits mixed."""
    code = read(word)
    if code is None:
        return None
    if (_PRINTED.fullmatch(word) and any(ch.isalpha() for ch in word)) or _mixed(word):
        return code
    return None


def _mixed(word: str) -> bool:
    return any(ch.isdigit() for ch in word) and any(ch.isalpha() for ch in word)


def shown(code: str) -> str:
    """A code as printed: K7P-M3Q-XAF."""
    return "-".join(code[i:i + GROUP] for i in range(0, len(code), GROUP))


def digest(secret: str | bytes, code: str) -> str:
    """What is stored for a code: HMAC-SHA-256 of the code, keyed with SECRET_KEY, in hex."""
    key = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(key, b"letter-code:" + code.encode("ascii"), hashlib.sha256).hexdigest()
