"""Read answers the way people type them: numbers, words, any case, any script's digits.

`fold` folds case, accents, spare spaces and punctuation and turns every script's
digits (Urdu ۳, Arabic ٣, Devanagari ३ …) into ASCII; `parse` turns a message into a stored
value for a question, or None when it is not an answer to it.

The rules, as a resident meets them:
- Several choices may be joined by commas, spaces or "and" in any offered language ("1 i 3",
  "1 ve 3", "lighting and cctv"); the joining words live in `translations/<lang>/joining.yaml`.
- A number is read as an answer only from a short message (`MAX_NUMBER_WORDS` words,
  `MAX_NUMBER_CHARS` characters): a long text with a digit buried in it is asked again.
- In a number question, digits grouped in threes by one separator ("1,000", "1.000",
  "1 000") are one number; any other single comma or dot is a decimal point ("12,5"). In
  a multi-choice question "1,3" stays two choices.
- Where the options are ranges ("16 to 24", "Under 13", "75 or over", or the `ages` a
  survey gives them), a number that is not an option's own number picks the range it falls
  in ("15", "I'm 42"), and so does any number with words around it ("I'm 10").
- At an age question (`role: age`) a bare number is always an age, and words saying
  "younger than", birth years, someone else's age and durations are read as bot/ages.py says.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import Path

from bot import ages
from surveys.model import Choice, Question
from translations import data as language_files

_NUMBER = re.compile(r"-?\d+(?:[.,]\d+)?")
# Digits grouped in threes by one separator (comma, dot, space, no-break or thin space),
# then perhaps a decimal part after the other mark: 1,000 / 1.000 / 1 000 / 1,000.5 / 1.000,5
_GROUPED = re.compile(r"(?<![\d.,])(-?\d{1,3})([,. \u00a0\u202f])(\d{3}(?:\2\d{3})*)"
                      r"(?:(?!\2)[.,](\d+))?(?![\d]|[.,]\d)")
_SEPARATOR_MARKS = r"[,;/&+\n،؛]"  # ، ؛ Arabic-script comma, semicolon
_PARTS = re.compile(r"\s*[,;\n،؛]\s*")
_EDGE_PUNCT = " \t\r\n.,;:!?¡¿'\"()[]{}-–—…*#،۔؟"
MAX_TEXT = 5000
MAX_NUMBER_WORDS = 10
MAX_NUMBER_CHARS = 80
JOINING_WORDS = "joining"  # translations/<lang>/joining.yaml


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


def first_word(norm: str) -> str:
    """A folded message's first word without its punctuation ("no, sorry" -> "no")."""
    return norm.split(" ", 1)[0].strip(_EDGE_PUNCT) if norm else ""


def numbers(text: str) -> list[float | int]:
    """The numbers in a message, as numbers (a decimal comma is understood)."""
    found = []
    for raw in _NUMBER.findall(_ascii_digits(text)):
        value = float(raw.replace(",", "."))
        found.append(int(value) if value.is_integer() and "." not in raw and "," not in raw
                     else value)
    return found


def ungroup(text: str) -> str:
    """Digits grouped in threes written as one plain number: '1,000' and '1.000' -> '1000'."""
    def plain(match: re.Match) -> str:
        whole = match[1] + match[3].replace(match[2], "")
        return f"{whole}.{match[4]}" if match[4] else whole
    return _GROUPED.sub(plain, _ascii_digits(text))


def is_short(text: str) -> bool:
    """Short enough for a number in it to be the answer, not a digit buried in a story."""
    return len(text) <= MAX_NUMBER_CHARS and len(text.split()) <= MAX_NUMBER_WORDS


def _validate_joining_words(data: object) -> dict[str, tuple[str, ...]]:
    if not isinstance(data, dict) or not data:
        raise ValueError(f"{JOINING_WORDS}.yaml: one section per language expected")
    found = {}
    for lang, section in data.items():
        words = section.get("words") if isinstance(section, dict) else None
        if not words or not all(isinstance(w, str) and w.strip() and " " not in w.strip()
                                for w in words):
            raise ValueError(f"{JOINING_WORDS}.yaml: {lang}: 'words' must list single words")
        found[lang] = tuple(fold(w) for w in words)
        pattern = _joiner(found[lang])
        for key, want in (("joins", True), ("does_not_join", False)):
            examples = section.get(key) or []
            if not examples:
                raise ValueError(f"{JOINING_WORDS}.yaml: {lang}: '{key}' needs examples")
            for example in examples:
                if (len([p for p in pattern.split(fold(str(example))) if p]) > 1) != want:
                    raise ValueError(f"{JOINING_WORDS}.yaml: {lang}: {example!r} "
                                     f"{'does not join' if want else 'joins'}")
    return found


@functools.cache
def joining_words(root: Path = language_files.ROOT) -> dict[str, tuple[str, ...]]:
    """The words joining two answers in each language (folded), checked against examples."""
    return _validate_joining_words(language_files.sections(JOINING_WORDS, root))


def _joiner(words: Iterable[str], marks: str = "") -> re.Pattern:
    """Split on a joining word standing between two others (and on `marks` or spaces)."""
    alternatives = [re.escape(w) for w in sorted(set(words), key=len, reverse=True)]
    joined = rf"\s+(?:{'|'.join(alternatives)})\s+"
    return re.compile(rf"\s*{marks}\s*|{joined}|\s+" if marks else joined)


@functools.cache
def _separators() -> tuple[re.Pattern, re.Pattern]:
    """(numbers' separators: marks, spaces, joining words; choice names' joining words)."""
    words = [w for section in joining_words().values() for w in section]
    return _joiner(words, _SEPARATOR_MARKS), _joiner(words)


def _is_wordlike(ch: str) -> bool:
    """A letter, a digit or a symbol such as an emoji: not punctuation, space or control."""
    category = unicodedata.category(ch)
    return category[0] in "LN" or category == "So"


def _single_number(text: str, grouped: bool = False) -> float | int | None:
    if not is_short(text):
        return None
    found = numbers(ungroup(text) if grouped else text)
    return found[0] if len(found) == 1 else None


_BAND_FORMS = (  # a choice's id ("16_24", "under_16", "75_plus") or English text, folded
    (re.compile(r"(\d+)(?: ?(?:-|–|to|or) ?| )(\d+)(?: \w+)?"), lambda a, b: (a, b)),
    (re.compile(r"(?:under|below|less than) (\d+)(?: \w+)?"), lambda a: (-math.inf, a - 1)),
    (re.compile(r"(?:over|above|more than) (\d+)(?: \w+)?"), lambda a: (a + 1, math.inf)),
    (re.compile(r"(\d+) ?(?:\+|plus|or (?:over|more|older)|and (?:over|above))(?: \w+)?"),
     lambda a: (a, math.inf)),
)


def band(text: str) -> tuple[float, float] | None:
    """The range a label like '16 to 24', 'Under 16' or '75 or over' stands for, if any."""
    norm = fold(text.replace("_", " "))
    for pattern, make in _BAND_FORMS:
        match = pattern.fullmatch(norm)
        if match:
            low, high = make(*map(int, match.groups()))
            return (low, high) if low <= high else None
    return None


def _choice_band(choice: Choice) -> tuple[float, float] | None:
    """The ages a choice stands for: as the survey declares them (`ages`), else as its id
    or English text reads."""
    return choice.ages or band(choice.id) or band(choice.text)


def _match_band(text: str, question: Question) -> str | None:
    """The range option a typed age or range falls in ('15' -> 13 to 15), where options are
    ranges; a number that is an option's own number is left to pick that option."""
    bands = {c.id: b for c in question.choices if (b := _choice_band(c)) is not None}
    if len(bands) < 2 or not is_short(text):
        return None
    typed = band(text)
    if typed is not None:
        same = [cid for cid, b in bands.items() if b == typed]
        return same[0] if len(same) == 1 else None
    value = _single_number(text)
    # A bare number that is an option's own number picks that option; with words around
    # it ("I'm 10", "mam 10 lat") it is an age.
    if not isinstance(value, int) or (value <= len(question.choices) and fold(text).isdigit()):
        return None
    return _band_of(question, value)


def _band_of(question: Question, age: int) -> str | None:
    inside = [c.id for c in question.choices
              if (b := _choice_band(c)) is not None and b[0] <= age <= b[1]]
    return inside[0] if len(inside) == 1 else None


def _match_age(text: str, question: Question, labels: Mapping[str, Iterable[str]],
               this_year: int | None) -> str | None:
    """The band an answer to an age question picks (bot/ages.py says how ages are read),
    or None to ask again."""
    norm = fold(text)
    if not norm or not is_short(text):
        return None
    if any(c.id == text.strip() for c in question.choices):  # the web form posts its id
        return text.strip()
    words = ages.age_words()
    if not norm.isdigit() and (found := _match_choice(text, question, labels)):
        return found
    if words.not_own_age(text):
        return None
    if (younger := words.younger_than(text)) is not None:
        return _band_of(question, younger - 1) if younger > 0 else None
    years = ages.birth_years(text, this_year) if this_year else None
    if years is not None:  # a birth year: both ages it may mean in one band, or ask again
        youngest, oldest = (_band_of(question, age) for age in years)
        return youngest if youngest == oldest else None
    if norm.isdigit():  # only a number: an age, never an option's number
        return _band_of(question, int(norm)) if len(norm) <= 3 else None
    return _match_band(text, question)


def _match_choice(part: str, question: Question, labels: Mapping[str, Iterable[str]]) -> str | None:
    norm = fold(part)
    if not norm:
        return None
    if norm.isdigit():
        index = int(norm) if len(norm) <= 6 else 0  # int() refuses over 4,300 digits
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
    separators, joining = _separators()
    norm = fold(text)
    tokens = [t for t in separators.split(norm) if t]
    numbered = tokens and all(t.isdigit() for t in tokens) and is_short(text)
    chosen: list[str] = []
    for part in tokens if numbered else _PARTS.split(text):
        if not fold(part):
            continue
        # A name as a whole first ("Hale End & Highams Park"), else names joined by "and".
        found = [_match_choice(part, question, labels)]
        if found[0] is None:
            found = [_match_choice(p, question, labels) for p in joining.split(fold(part))]
        if None in found:
            return None
        chosen += [cid for cid in dict.fromkeys(found) if cid not in chosen]
    order = [c.id for c in question.choices]
    return sorted(chosen, key=order.index) or None


def parse(
    question: Question,
    text: str,
    labels: Mapping[str, Iterable[str]] | None = None,
    yes_words: Iterable[str] = (),
    no_words: Iterable[str] = (),
    this_year: int | None = None,
):
    """The value to store for `text` as an answer to `question`, or None if it is not one.

    `labels` maps choice ids to the words shown for them (in the conversation's language
    and the survey's); yes/no words come from the catalogues; `this_year` reads a birth
    year at an age question (none: a year is not read).
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
        value = _single_number(text, grouped=True)
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
    if question.type == "choice" and question.role == "age":
        return _match_age(text, question, labels, this_year)
    if question.type == "choice":
        return _match_choice(text, question, labels) or _match_band(text, question)
    if question.type == "multi":
        return _parse_multi(text, question, labels)
    return None
