"""Guess which offered language a message is written in, or say we cannot tell.

langdetect is random unless seeded, and useless on short text ("yes" comes back as
Turkish). So: the script decides first (Arabic script, Cyrillic), and langdetect is asked
only about Latin-script text long enough to judge, and only trusted when its best guess is
confidently one of the languages on offer. Anything else returns None: keep the language.
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Iterable

from langdetect import DetectorFactory, detect_langs
from langdetect.lang_detect_exception import LangDetectException

MIN_LETTERS = 15
MIN_WORDS = 3
MIN_PROBABILITY = 0.9

# Languages we offer, by the script they are written in.
SCRIPTS = {"ARABIC": ("ur", "ar", "fa", "pa"), "CYRILLIC": ("bg", "ru", "uk", "mk", "sr")}

_ready = threading.Lock()
_warmed = False


def warm() -> None:
    """Seed langdetect and load its profiles once (concurrent first calls can fail)."""
    global _warmed
    with _ready:
        if not _warmed:
            DetectorFactory.seed = 0
            detect_langs("warming up the language profiles")
            _warmed = True


def _script(ch: str) -> str:
    name = unicodedata.name(ch, "")
    return name.split(" ", 1)[0]


def detect(text: str, offered: Iterable[str]) -> str | None:
    """The offered language `text` is confidently written in, else None."""
    offered = list(offered)
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return None
    scripts: dict[str, int] = {}
    for ch in letters:
        scripts[_script(ch)] = scripts.get(_script(ch), 0) + 1
    script, count = max(scripts.items(), key=lambda kv: kv[1])
    if script in SCRIPTS and count >= 2 and count / len(letters) >= 0.6:
        candidates = [lang for lang in SCRIPTS[script] if lang in offered]
        if len(candidates) == 1:
            return candidates[0]
    if script != "LATIN" or len(letters) < MIN_LETTERS or len(text.split()) < MIN_WORDS:
        return None
    warm()
    try:
        guesses = detect_langs(text)
    except LangDetectException:
        return None
    best = guesses[0]
    if best.lang in offered and best.prob >= MIN_PROBABILITY:
        return best.lang
    return None
