"""The redaction files, `translations/<lang>/redaction.yaml`: what each holds (the
categories and their phrase lists, the words that are no name, the examples) and the
checks a file must pass before the redactor uses it (staff/evidence/redact.py)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.datafile import header_problems
from staff.evidence.redaction_text import _fold_word

# Each category and the phrase lists it may hold (besides its `must` and `must_not`).
CATEGORIES = {
    "introductions": ("phrases",),        # the next word is a name whatever its case
    "self_introductions": ("phrases",),   # "I'm …": only words with a capital
    "kinship": ("phrases",),              # "my son …": only words with a capital
    "titles": ("phrases",),               # "PC …": only words with a capital
    "streets": ("before", "after",        # where someone lives, before or after a street
                "between",                # "locuiesc pe strada …": a word before the name
                "suffixes"),              # street words besides English's: "روڈ", "گلی"
    "house_numbers": ("before", "after"),  # "at number 12", "12 numarada"
    "schools": ("after_name", "before_name", "cues",
                "inside_name",            # "St Mary's C of E Primary": words inside a name
                "year_groups"),           # "year … at": a school's name follows
    "handles": ("platforms", "introductions"),
    "spelled_emails": ("at", "dot"),
    "spelled_numbers": ("digits", "two_digits", "repeats"),
    "ages": ("before", "after"),          # "Amelia, aged 12", "Emre 12 yaşında"
    "contacts": (),                       # e-mails, numbers, postcodes: examples only
}
OPTIONAL = {"contacts"}
# Besides the categories, a file may list the suffixes a place takes after an apostrophe
# (Turkish "Londra'da"): a word with one is no name ("Ben Londra'da yaşıyorum").
PLACE_SUFFIXES = "place_suffixes"
FRAME = "…"  # in a name phrase, where the name stands: "میں … ہوں"


@dataclass(frozen=True)
class Example:
    category: str
    said: str
    shown: str  # what the pack shows; the same as `said` for a must_not example


@dataclass(frozen=True)
class LanguageRules:
    """One language's file: its phrase lists by category, its not_names and examples."""

    language: str
    not_names: frozenset[str]
    lists: dict[tuple[str, str], tuple[str, ...]]  # (category, key) -> phrases as written
    examples: tuple[Example, ...] = ()
    place_suffixes: frozenset[str] = frozenset()

    def phrases(self, category: str, key: str = "phrases") -> tuple[str, ...]:
        return self.lists.get((category, key), ())

def language_rules(data: dict) -> LanguageRules:
    """A checked file as the redactor uses it."""
    lists, examples = {}, []
    for category, keys in CATEGORIES.items():
        section = data.get(category) or {}
        for key in keys:
            lists[(category, key)] = tuple(section.get(key) or ())
        examples += [Example(category, said, shown) for said, shown in section.get("must", ())]
        examples += [Example(category, said, said) for said in section.get("must_not", ())]
    return LanguageRules(data["language"], frozenset(_fold_word(w) for w in data["not_names"]),
                         lists, tuple(examples),
                         frozenset(_fold_word(w) for w in data.get(PLACE_SUFFIXES) or ()))


def _strings(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(s, str) and s.strip() for s in value)


def problems(data: object, lang: str) -> list[str]:
    """What is wrong with the file of `lang` (its examples aside: redact.missed)."""
    found = header_problems(data, lang, {"language", "not_names", PLACE_SUFFIXES, *CATEGORIES},
                            "language, not_names, one section per category")
    if not isinstance(data, dict):
        return found
    if not _strings(data.get("not_names")):
        found.append("not_names must be a list of words")
    if data.get(PLACE_SUFFIXES) is not None and not _strings(data[PLACE_SUFFIXES]):
        found.append(f"{PLACE_SUFFIXES} must be a list of suffixes")
    for category, keys in CATEGORIES.items():
        section = data.get(category)
        if section is None and category in OPTIONAL:
            continue
        if not isinstance(section, dict):
            found.append(f"{category}: missing (a mapping with must and must_not)")
            continue
        found += [f"{category}: unknown key '{k}'" for k in section
                  if k not in (*keys, "must", "must_not")]
        found += [f"{category}: {k} must be a list of phrases" for k in keys
                  if section.get(k) is not None and not _strings(section[k])]
        pairs = section.get("must")
        if not isinstance(pairs, list) or not pairs or not all(
                isinstance(p, list) and len(p) == 2 and all(isinstance(s, str) for s in p)
                for p in pairs):
            found.append(f"{category}: must must list [message, what is shown] pairs")
        if not _strings(section.get("must_not")) or not section["must_not"]:
            found.append(f"{category}: must_not must list messages that stay as written")
    return found
