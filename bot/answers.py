"""Read answers the way people type them: numbers, words, any case, any script's digits.

`fold` folds case, accents, spare spaces and punctuation and turns every script's
digits (Urdu ۳, Arabic ٣, Devanagari ३ …) into ASCII; `parse` turns a message into a stored
value for a question, or None when it is not an answer to it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping

from surveys.model import Question

_NUMBER = re.compile(r"-?\d+(?:[.,]\d+)?")
_SEPARATORS = re.compile(r"\s*(?:[,;/&+\n،؛]|\band\b|\s)\s*")  # ، ؛ Arabic-script comma, semicolon
_PARTS = re.compile(r"\s*[,;\n،؛]\s*")
_EDGE_PUNCT = " \t\r\n.,;:!?¡¿'\"()[]{}-–—…*#،۔؟"
MAX_TEXT = 5000


def _ascii_digits(text: str) -> str:
    return "".join(
        str(unicodedata.decimal(ch)) if ch.isdecimal() and not ch.isascii() else ch
        for ch in text
    )


def clean_text(text: str) -> str:
    """Text as the person wrote it, minus control characters (NUL etc.) and edge spaces."""
    kept = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc")
    return kept.strip()[:MAX_TEXT]


def fold(text: str) -> str:
    """Fold a message for matching: case, accents, digits, spaces, edge punctuation."""
    text = unicodedata.normalize("NFKD", _ascii_digits(text))
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Mn", "Cf", "Cc"))
    # Turkish dotless ı has no dotted capital of its own: fold it so HAYIR matches hayır.
    text = " ".join(text.casefold().replace("ı", "i").split())
    return text.strip(_EDGE_PUNCT)


def numbers(text: str) -> list[float | int]:
    """The numbers in a message, as numbers (a decimal comma is understood)."""
    found = []
    for raw in _NUMBER.findall(_ascii_digits(text)):
        value = float(raw.replace(",", "."))
        found.append(int(value) if value.is_integer() and "." not in raw and "," not in raw
                     else value)
    return found


def _is_wordlike(ch: str) -> bool:
    """A letter, a digit or a symbol such as an emoji: not punctuation, space or control."""
    category = unicodedata.category(ch)
    return category[0] in "LN" or category == "So"


def _single_number(text: str) -> float | int | None:
    found = numbers(text)
    return found[0] if len(found) == 1 else None


def _match_choice(part: str, question: Question, labels: Mapping[str, Iterable[str]]) -> str | None:
    norm = fold(part)
    if not norm:
        return None
    if norm.isdigit():
        index = int(norm)
        return question.choices[index - 1].id if 1 <= index <= len(question.choices) else None
    names = {c.id: {fold(c.id.replace("_", " "))}
             | {fold(x) for x in labels.get(c.id, ())} for c in question.choices}
    exact = [cid for cid, forms in names.items() if norm in forms]
    if len(exact) == 1:
        return exact[0]
    if len(norm) >= 3:
        prefixed = [cid for cid, forms in names.items() if any(f.startswith(norm) for f in forms)]
        if len(prefixed) == 1:
            return prefixed[0]
    return None


def _parse_multi(text: str, question: Question, labels: Mapping[str, Iterable[str]]):
    norm = fold(text)
    tokens = [t for t in _SEPARATORS.split(norm) if t]
    parts = tokens if tokens and all(t.isdigit() for t in tokens) else _PARTS.split(text)
    chosen: list[str] = []
    for part in parts:
        if not fold(part):
            continue
        cid = _match_choice(part, question, labels)
        if cid is None:
            return None
        if cid not in chosen:
            chosen.append(cid)
    order = [c.id for c in question.choices]
    return sorted(chosen, key=order.index) or None


def parse(
    question: Question,
    text: str,
    labels: Mapping[str, Iterable[str]] | None = None,
    yes_words: Iterable[str] = (),
    no_words: Iterable[str] = (),
):
    """The value to store for `text` as an answer to `question`, or None if it is not one.

    `labels` maps choice ids to the words shown for them (in the conversation's language
    and the survey's); yes/no words come from the catalogues.
    """
    labels = labels or {}
    if question.type == "text":
        cleaned = clean_text(text)
        return cleaned if any(_is_wordlike(ch) for ch in cleaned) else None
    if question.type == "scale":
        value = _single_number(text)
        if isinstance(value, int) and question.min <= value <= question.max:
            return value
        return None
    if question.type == "number":
        value = _single_number(text)
        if value is None:
            return None
        if question.min is not None and value < question.min:
            return None
        if question.max is not None and value > question.max:
            return None
        return value
    if question.type == "yesno":
        norm = fold(text)
        first = norm.split(" ", 1)[0].strip(_EDGE_PUNCT) if norm else ""
        yes = {fold(w) for w in yes_words} | {"1"}
        no = {fold(w) for w in no_words} | {"2"}
        if norm in yes or first in yes - {"1"}:
            return "yes"
        if norm in no or first in no - {"2"}:
            return "no"
        return None
    if question.type == "choice":
        return _match_choice(text, question, labels)
    if question.type == "multi":
        return _parse_multi(text, question, labels)
    return None
