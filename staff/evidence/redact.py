"""Clearing free text of what could identify someone: the evidence pack's quotes and the
redacted exports.

`Redactor.redact(text)` first normalises the text (NFKC, so full-width and other odd forms
read as their plain letters and digits; invisible format characters dropped), then finds:
e-mail addresses, written or spelled out ("jo at example dot com"); social media handles
("@jaydenx_17", "snap: x"); phone numbers, UK and international, however spaced, and
numbers spelled in words ("seven seven zero zero …"); UK postcodes; street addresses (a
house number with a street, "at number 12", and a street without a number where someone
says they live: "from Cathall Road"); schools ("Walthamstow Academy", "St Mary's
Primary", "Szkoła Podstawowa nr 12"); names after an introduction, a kinship word or a
title ("my name is …", "I'm Aisha Begum", "my son Jayden", "PC Smith"), with an age
beside them ("Amelia (12)"), and the same name wherever else the text repeats it; and the
names we know (engagers and assembly members). Each is replaced by a mark.

The words that introduce each kind live in reviewed data files, one per offered language
(`translations/<lang>/redaction.yaml`, read and checked by redaction_rules.py), each
category with `must` examples (a message and exactly what is shown) and `must_not` examples
(kept as written). Every file's examples are checked against all the files together when
they load, since an answer is redacted by every language's rules. How text is folded, and
the patterns that need no language's words, are in redaction_text.py. docs/evidence-pack.md
lists what this cannot catch.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import yaml

from staff.evidence.redaction_rules import FRAME, Example, LanguageRules, language_rules, problems
from staff.evidence.redaction_text import (
    _ADDRESS,
    _AT_HANDLE,
    _BETWEEN_NAMES,
    _EMAIL,
    _HANDLE,
    _IN_SCHOOL_NAME,
    _LEADS_TO_NAME,
    _NEW_SENTENCE,
    _POSTCODE,
    _SPELLED_DIGITS,
    _SPELLED_WORDS,
    _STREET_WORD,
    _SUFFIX,
    _TLD,
    _WORD,
    _base,
    _capital,
    _fold_word,
    _has_case,
    _joined,
    _known_pattern,
    _phone_spans,
    _Phrases,
    _regex_of,
    _repeated,
    _replace,
    _shadow,
    _suffix,
    _words,
    normalise,
)
from translations import data as language_files

KIND = "redaction"  # translations/<lang>/redaction.yaml

EMAIL_MARK = "[e-mail removed]"
HANDLE_MARK = "[handle removed]"
PHONE_MARK = "[phone number removed]"
POSTCODE_MARK = "[postcode removed]"
ADDRESS_MARK = "[address removed]"
SCHOOL_MARK = "[school removed]"
NAME_MARK = "[name removed]"


class Redactor:
    """Every language's rules and the names we know, applied to any text."""

    def __init__(self, rules: Iterable[LanguageRules], known_names: Iterable[str] = ()):
        self.rules = tuple(rules)

        def every(category: str, key: str = "phrases") -> list[str]:
            return [p for r in self.rules for p in r.phrases(category, key)]

        self._not_names = frozenset().union(*(r.not_names for r in self.rules))
        self._place_suffixes = frozenset().union(*(r.place_suffixes for r in self.rules))
        names = every("introductions") + every("self_introductions") + every("kinship")
        frames = [p for p in names if FRAME in p]
        self._frames = [(_words(p.split(FRAME)[0]), _words(p.split(FRAME)[1])) for p in frames]
        self._strong = _Phrases(p for p in every("introductions") if FRAME not in p)
        self._weak = _Phrases([p for p in every("self_introductions") + every("kinship")
                               + every("titles") if FRAME not in p])
        self._weak.set -= self._strong.set
        self._school_after = {w for p in every("schools", "after_name") for w in _words(p)}
        self._school_before = _Phrases(every("schools", "before_name"))
        self._school_cues = _Phrases(every("schools", "cues"))
        self._school_inside = {w for p in every("schools", "inside_name") for w in _words(p)}
        self._year_group = re.compile("|".join(
            rf"(?<!\w){_regex_of([p.split(FRAME)[0]])}\s*\d{{1,2}}\s+{_regex_of([p.split(FRAME)[1]])}\s+"
            for p in every("schools", "year_groups") if FRAME in p) or "(?!)")
        self._compile(every)
        self._known = _known_pattern(known_names)

    def _compile(self, every) -> None:
        at, dot = _regex_of(every("spelled_emails", "at")), _regex_of(every("spelled_emails",
                                                                             "dot"))
        self._spelled_email = re.compile(
            rf"(?<!\w)[\w.+-]*\w(?:\s+{dot}\s+[\w+-]+)*\s+{at}\s+[\w-]+"
            rf"(?:(?:\s+{dot}\s+|\.)[\w-]+)*(?:\s+{dot}\s+|\.){_TLD}(?!\w)")
        self._handle = re.compile(
            rf"(?<![\w@])(?:{_regex_of(every('handles', 'platforms'))})"
            rf"(?:\s*([:=\-])\s*|\s+)(@?){_HANDLE}")
        self._handle_intro = re.compile(
            rf"(?<!\w)(?:{_regex_of(every('handles', 'introductions'))})\s*[:=\-]?\s*@?{_HANDLE}")
        suffixes = _regex_of(every("streets", "suffixes"))
        street = rf"(?:{_STREET_WORD}\s+){{1,3}}(?:{_SUFFIX}|{suffixes})(?!\w)"
        between = _regex_of(every("streets", "between"))
        self._street_before = re.compile(
            rf"(?<!\w){_regex_of(every('streets', 'before'))}\s+(?:{between}\.?\s+)?({street})")
        self._street_after = re.compile(
            rf"(?<!\w)({street})(?:['’]\w{{1,5}})?\s+{_regex_of(every('streets', 'after'))}"
            r"(?!\w)")
        self._house = re.compile(
            rf"(?<!\w)(?:{_regex_of(every('house_numbers', 'before'))}\s*\.?\s*\d{{1,4}}[a-z]?"
            rf"|\d{{1,4}}[a-z]?\s*{_regex_of(every('house_numbers', 'after'))})(?!\w)")
        words = {**{_fold_word(w): 1 for w in every("spelled_numbers", "digits")},
                 **{_fold_word(w): 2 for w in every("spelled_numbers", "two_digits")},
                 **{_fold_word(w): 1 for w in every("spelled_numbers", "repeats")}}
        self._number_words = words
        number = rf"(?:{_regex_of(words)}|\d+)(?!\w)"
        self._spelled_number = re.compile(rf"(?<!\w){number}(?:[\s,.\-]+{number})+")
        before, after = _regex_of(every("ages", "before")), _regex_of(every("ages", "after"))
        age = r"\d{1,2}(?!\d)"
        self._age_beside = re.compile(
            rf"\s*\(\s*{age}\s*(?:{after})?\s*\)|\s*,\s*{age}(?:\s*{after})?(?!\w)"
            rf"|\s*,?\s+{before}\s+{age}(?:\s*{after})?(?!\w)|\s+{age}\s*{after}(?!\w)")
        self._age_alone = re.compile(
            rf"(?<!\w)([^\W\d_][\w'’-]*)(?:\s*\(\s*{age}\s*(?:{after})?\s*\)"
            rf"|\s*,?\s+{before}\s+{age}(?:\s*{after})?(?!\w))")

    @classmethod
    def load(cls, known_names: Iterable[str] = (),
             directory: Path | str = language_files.ROOT) -> Redactor:
        """Read and check every language's `redaction.yaml` below `directory`; ValueError
        lists every problem."""
        return cls(_checked(str(directory)), known_names)

    def redact(self, text: str) -> str:
        """`text` with contact details, addresses, schools, names and ages replaced."""
        text = normalise(text)
        shadow = _shadow(text)
        spans: list[tuple[int, int, str]] = []
        spans += [(m.start(), m.end(), EMAIL_MARK) for m in _EMAIL.finditer(text)]
        spans += [(m.start(), m.end(), EMAIL_MARK) for m in self._spelled_email.finditer(shadow)
                  if not _NEW_SENTENCE.search(text, m.start(), m.end())]
        spans += self._handle_spans(text, shadow)
        spans += [(s, e, PHONE_MARK) for s, e in _phone_spans(text)]
        spans += [(s, e, PHONE_MARK) for s, e in self._spelled_number_spans(shadow)]
        spans += [(m.start(), m.end(), POSTCODE_MARK) for m in _POSTCODE.finditer(text)]
        spans += [(m.start(), m.end(), ADDRESS_MARK) for m in _ADDRESS.finditer(text)]
        spans += [(m.start(), m.end(), ADDRESS_MARK) for m in self._house.finditer(shadow)]
        for street in (self._street_before, self._street_after):
            spans += [(m.start(1), m.end(1), ADDRESS_MARK) for m in street.finditer(shadow)]
        tokens = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text)]
        folded = [_fold_word(word) for _, _, word in tokens]
        spans += [(s, e, SCHOOL_MARK) for s, e in self._school_spans(text, shadow, tokens, folded)]
        names = self._name_spans(text, tokens, folded) + self._aged_names(text, shadow)
        names = [(s, self._with_age(shadow, e)) for s, e in names]
        spans += [(s, e, NAME_MARK) for s, e in names]
        spans += [(m.start(), m.end(), NAME_MARK) for pattern in
                  (self._known, _repeated(text[s:e] for s, e in names)) if pattern is not None
                  for m in pattern.finditer(text)]
        return _replace(text, spans)

    # Contacts ------------------------------------------------------------------------------

    def _handle_spans(self, text: str, shadow: str) -> list[tuple[int, int, str]]:
        spans = [(m.start(), m.end(), HANDLE_MARK) for m in _AT_HANDLE.finditer(text)]
        for m in self._handle.finditer(shadow):
            separator, at, handle = m.groups()
            if separator or at or (re.search(r"[\d_.]", handle) and re.search(r"[^\W\d_]",
                                                                              handle)):
                spans.append((m.start(2), m.end(3), HANDLE_MARK))
        spans += [(m.start(1), m.end(1), HANDLE_MARK) for m in self._handle_intro.finditer(shadow)
                  if _fold_word(m.group(1)) not in self._not_names]
        return spans

    def _spelled_number_spans(self, shadow: str) -> list[tuple[int, int]]:
        spans = []
        for m in self._spelled_number.finditer(shadow):
            parts = re.findall(r"\w+", m.group())
            if sum(not p.isdigit() for p in parts) < _SPELLED_WORDS:
                continue  # digits with a word or two ("on 07700 …"): the phone rules'.
            count = sum(len(p) if p.isdigit() else self._number_words.get(p, 0) for p in parts)
            if count >= _SPELLED_DIGITS:
                spans.append((m.start(), m.end()))
        return spans

    # Schools -------------------------------------------------------------------------------

    def _school_spans(self, text: str, shadow: str, tokens: list, folded: list[str]
                      ) -> list[tuple[int, int]]:
        spans = self._year_group_spans(text, shadow, tokens, folded)
        for i in range(len(tokens)):
            if _base(tokens[i][2]) in self._school_after and (start := self._school_name_before(
                    text, tokens, folded, i)) is not None:
                spans.append((tokens[start][0], tokens[i][1]))
            elif (length := self._school_before.at(folded, i)) and _joined(
                    text, tokens, i, i + length):
                end = self._school_name_after(text, tokens, folded, i + length)
                if end is not None:
                    start = i - 1 if i and folded[i - 1][:1].isdigit() else i  # "152 СУ"
                    spans.append((tokens[start][0], tokens[end][1]))
                elif i and folded[i - 1][:1].isdigit():
                    spans.append((tokens[i - 1][0], tokens[i + length - 1][1]))
        return spans

    def _year_group_spans(self, text: str, shadow: str, tokens: list, folded: list[str]
                          ) -> list[tuple[int, int]]:
        """The name with capitals after a year group: "in year 9 at Frederick Bremer"."""
        spans = []
        starts = [start for start, _, _ in tokens]
        for m in self._year_group.finditer(shadow):
            at = bisect.bisect_left(starts, m.end())
            named = None
            for k in range(at, min(at + 4, len(tokens))):
                if (k > at and not _BETWEEN_NAMES.match(text[tokens[k - 1][1]:tokens[k][0]])
                        or folded[k] in self._not_names or not _capital(tokens[k][2])):
                    break
                named = k
            if named is not None:
                spans.append((tokens[at][0], tokens[named][1]))
        return spans

    def _school_name_before(self, text: str, tokens: list, folded: list[str], at: int
                            ) -> int | None:
        """The first token of the name before a school word at token `at` ("Walthamstow
        Academy"; "walthamstow academy" only after a cue such as "goes to"; "St Mary's C of
        E Primary": words inside a name in any case, though a name starts at none in
        lower case)."""
        taken, lower, inside = [], [], []
        k = at - 1
        while k >= 0 and len(taken) - len(inside) < 4:
            gap, word = text[tokens[k][1]:tokens[k + 1][0]], tokens[k][2]
            school_word = _base(word) in self._school_after
            if not _IN_SCHOOL_NAME.match(gap):
                break
            if _base(word) in self._school_inside:
                taken.append(k)
                inside.append(k)
                k -= 1
                continue
            if folded[k] in self._not_names and not school_word:
                break
            if not _has_case(word) or _capital(word):
                taken.append(k)
            elif len(lower) < 3 and not taken:
                lower.append(k)
                taken.append(k)
            else:
                break
            k -= 1
        while taken and taken[-1] in inside and not _capital(tokens[taken[-1]][2]):
            taken.pop()
        named = [k for k in taken
                 if _base(tokens[k][2]) not in self._school_after and k not in inside]
        if not named:
            return None
        if lower and not all(_capital(tokens[k][2]) for k in taken if k not in lower + inside):
            return None
        if lower and not self._school_cues.ending(folded, taken[-1]):
            return None
        return taken[-1]

    def _school_name_after(self, text: str, tokens: list, folded: list[str], at: int
                           ) -> int | None:
        """The last token of a school's number or name after a school word ending at `at`
        ("Szkoła Podstawowa nr 12", "Liceul Ion Creangă")."""
        for k in range(at, min(at + 4, len(tokens))):
            if folded[k][:1].isdigit():
                return k
        named = None
        for k in range(at, min(at + 3, len(tokens))):
            gap = text[tokens[k - 1][1]:tokens[k][0]]
            if (not _BETWEEN_NAMES.match(gap) or folded[k] in self._not_names
                    or not _capital(tokens[k][2])):
                break
            named = k
        return named

    # Names ---------------------------------------------------------------------------------

    def _name_spans(self, text: str, tokens: list, folded: list[str]) -> list[tuple[int, int]]:
        spans = []
        for i in range(len(tokens)):
            for strong, phrases in ((True, self._strong), (False, self._weak)):
                length = phrases.at(folded, i)
                if length and _joined(text, tokens, i, i + length):
                    span = self._name_after(text, tokens, folded, i + length, strong)
                    if span:
                        spans.append(span)
                    break
            spans += self._framed(text, tokens, folded, i)
        return spans

    def _framed(self, text: str, tokens: list, folded: list[str], i: int) -> list:
        """Names inside a frame: "میں عائشہ ہوں" (I am Aisha)."""
        found = []
        for before, after in self._frames:
            at = i + len(before)
            if tuple(folded[i:at]) != before:
                continue
            for size in (1, 2):
                name = folded[at:at + size]
                if (len(name) == size and not self._not_names.intersection(name)
                        and tuple(folded[at + size:at + size + len(after)]) == after
                        and _joined(text, tokens, i, at + size + len(after))):
                    found.append((tokens[at][0], tokens[at + size - 1][1]))
                    break
        return found

    def _name_after(self, text: str, tokens: list, folded: list[str], at: int,
                    strong: bool) -> tuple[int, int] | None:
        """The span of the name that starts at token `at`, if one does."""
        taken: list[int] = []
        for k in range(at, min(at + 3, len(tokens))):
            gap = text[(tokens[k - 1][1] if k else 0):tokens[k][0]]
            if not (_LEADS_TO_NAME if not taken else _BETWEEN_NAMES).match(gap):
                break
            word = tokens[k][2]
            if (word[0].isdigit() or self._not_names.intersection((folded[k], _base(word)))
                    or _suffix(word) in self._place_suffixes):
                break
            if not _has_case(word):  # a script without capitals: count words instead
                if len(taken) >= (2 if strong else 1):
                    break
            elif not _capital(word) and not (strong and not taken):
                break
            taken.append(k)
        return (tokens[taken[0]][0], tokens[taken[-1]][1]) if taken else None

    def _aged_names(self, text: str, shadow: str) -> list[tuple[int, int]]:
        """A word with a capital and an age beside it: "Amelia (12)", "Amelia aged 12"."""
        found = []
        for m in self._age_alone.finditer(shadow):
            word = text[m.start(1):m.end(1)]
            if (_capital(word) or not _has_case(word)) and _fold_word(word) not in self._not_names:
                found.append((m.start(1), m.end()))
        return found

    def _with_age(self, shadow: str, end: int) -> int:
        """Where a name ending at `end` ends with the age typed beside it."""
        found = self._age_beside.match(shadow, end)
        return found.end() if found else end



# The data files --------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _checked(directory: str) -> tuple[LanguageRules, ...]:
    rules, found = read(directory)
    if found:
        raise ValueError("\n".join(found))
    return tuple(rules)


def read(directory: Path | str = language_files.ROOT) -> tuple[list[LanguageRules], list[str]]:
    """Every language's redaction file below `directory` and the problems found in them
    (`FILE: message`), each file's examples checked against all of them together."""
    loaded, found_all = [], []
    for lang, path in language_files.found(KIND, directory).items():
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        found = problems(data, lang)
        if not found:
            loaded.append(language_rules(data))
        found_all += [f"{path}: {p}" for p in found]
    if not found_all:
        everything = Redactor(loaded)
        for rules in loaded:
            found_all += [f"{language_files.path(rules.language, KIND, directory)}: {p}"
                          for p in missed(everything, rules.examples)]
    return loaded, found_all


def missed(redactor: Redactor, examples: Iterable[Example]) -> list[str]:
    """Each example the redactor does not treat as written."""
    found = []
    for example in examples:
        if (got := redactor.redact(example.said)) != example.shown:
            kind = "must_not" if example.said == example.shown else "must"
            found.append(f"{example.category}: {kind} {example.said!r} gives {got!r}"
                         + (f", not {example.shown!r}" if kind == "must" else ""))
    return found
