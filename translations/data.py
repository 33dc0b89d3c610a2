"""The offered languages and their data files: `languages.yaml` lists the languages (code,
English name, own name, script, direction); `<lang>/<kind>.yaml` beside it holds each
language's data of one kind (its opt-out phrases, safeguarding patterns, ...). Every module
that reads a language's data file finds it here. The catalogue, `<lang>/LC_MESSAGES/
messages.po`, is read by translations/catalog.py."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import yaml
from babel import Locale, UnknownLocaleError

ROOT = Path(__file__).resolve().parent
MANIFEST = ROOT / "languages.yaml"

# What each language's folder holds besides its catalogue: kind -> what it is (and who reads it).
KINDS = {
    "optout": "opting out in plain words (bot/optout_phrases.py)",
    "call": "asking to be called (bot/call_phrases.py)",
    "prompts": "the peer engagers' weekly prompt packs (bot/prompt_packs.py)",
    "safeguarding": "the safeguarding patterns (bot/safeguarding/)",
    "ages": "how people write an age (bot/ages.py)",
    "joining": "words that join two answers, '1 and 3' (bot/answers.py)",
    "code_words": "words no engager's code may contain (bot/youth.py)",
    "detect": "what a first message in the language looks like (translations/detect.py)",
    "weekdays": "weekday spellings beyond Babel's (translations/weekdays.py)",
    "chat": "chat wording the web form turns into its own (webhooks/chat_wording.py)",
    "redaction": "the evidence pack's name and place rules (staff/evidence/redact.py)",
    "stopwords": "small words left out of frequent phrases (staff/evidence/freetext.py)",
    "demo": "the demo's made-up answers (demo/seed.py)",
}


@dataclass(frozen=True)
class Language:
    """One line of the manifest."""

    code: str
    name: str  # in English
    own_name: str
    script: str
    direction: str  # "ltr" or "rtl"


@functools.cache
def languages(manifest: Path = MANIFEST) -> tuple[Language, ...]:
    """The offered languages, in the manifest's order."""
    rows = yaml.safe_load(manifest.read_text(encoding="utf-8")) or []
    return tuple(Language(**row) for row in rows)


def codes() -> tuple[str, ...]:
    """The offered languages' codes, in the manifest's order."""
    return tuple(lang.code for lang in languages())


def language(code: str | None) -> Language | None:
    """The manifest's line for `code`, or None when it is not an offered language."""
    return next((lang for lang in languages() if lang.code == code), None)


def english_name(code: str | None) -> str | None:
    """A language's name in English ('Urdu'): the manifest's, else Babel's; None if unknown."""
    listed = language(code)
    if listed is not None:
        return listed.name
    try:
        return Locale.parse(code).get_display_name("en")
    except (UnknownLocaleError, ValueError, TypeError):
        return None


def own_name(code: str) -> str | None:
    """A language's name in itself ('Română'): the manifest's, else Babel's with a capital;
    None if unknown."""
    listed = language(code)
    if listed is not None:
        return listed.own_name
    try:
        name = Locale.parse(code).get_display_name(code)
    except (UnknownLocaleError, ValueError, TypeError):
        return None
    return name[:1].upper() + name[1:] if name else None


def direction(code: str | None) -> str:
    """'rtl' or 'ltr': the manifest's, else Babel's for a language not offered."""
    listed = language(code)
    if listed is not None:
        return listed.direction
    try:
        return Locale.parse(code).text_direction
    except (UnknownLocaleError, ValueError, TypeError):
        return "ltr"


def path(lang: str, kind: str, root: Path | str = ROOT) -> Path:
    """Where a language's file of one kind lives: `<root>/<lang>/<kind>.yaml`."""
    return Path(root) / lang / f"{kind}.yaml"


def load(lang: str, kind: str, root: Path | str = ROOT) -> object:
    """A language's file of one kind, as YAML data."""
    return yaml.safe_load(path(lang, kind, root).read_text(encoding="utf-8"))


def found(kind: str, root: Path | str = ROOT) -> dict[str, Path]:
    """Every language's file of one kind below `root`, {lang: path}, by language code."""
    return {p.parent.name: p for p in sorted(Path(root).glob(f"*/{kind}.yaml"))}


def sections(kind: str, root: Path | str = ROOT) -> dict[str, object]:
    """Every language's file of one kind below `root` as YAML data, {lang: data}."""
    return {lang: load(lang, kind, root) for lang in found(kind, root)}
