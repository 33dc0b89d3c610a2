"""The evidence pack's own words: every key the pack uses is an English text, and a
catalogue that translates the pack translates all of it, placeholders kept. Polish and Urdu
are complete; a language with no `pack/` entry yet shows the English."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from staff.evidence import pack
from tests.helpers.surveys import TRANSLATIONS
from translations.catalog import Catalogs
from translations.pack_texts import PACK

CATALOGS = Catalogs.load(TRANSLATIONS)
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
COMPLETE = ["pl", "ur"]
PACK_CODE = Path(pack.__file__).parent
# A key as the template and the code name it: _("key"), w("key"), w(f"band/{...}").
USED = re.compile(r"""\b(?:_|w|self)\(\s*f?["']([a-z0-9/+-]+)""")
QUOTED = re.compile(r"""["']([a-z0-9/+-]+)["']""")
# A key built from data: f"band/{band}" in the code, "by/" ~ b.by in the template.
BUILT = re.compile(r"""f["']([a-z0-9/+-]+[/-])\{|["']([a-z0-9/+-]+/)["']\s*~""")


def _read(pattern: re.Pattern) -> set[str]:
    found = set()
    for path in [*PACK_CODE.glob("*.py"), PACK_CODE / "templates" / "pack.html"]:
        found |= set(pattern.findall(path.read_text(encoding="utf-8")))
    return found


def test_every_key_the_pack_names_is_an_english_text():
    named = {key for key in _read(USED) if not key.endswith(("/", "-"))}  # built: "band/…"
    assert named - set(PACK) == set()


def test_every_english_text_is_used():
    quoted = _read(QUOTED)
    prefixes = tuple(p for pair in _read(BUILT) for p in pair if p)
    assert "band/" in prefixes and "by/" in prefixes
    assert {key for key in PACK if key not in quoted and not key.startswith(prefixes)} == set()


def _translating() -> list[str]:
    return [lang for lang, entries in CATALOGS.entries.items()
            if any(ctx.startswith("pack/") for ctx, _ in entries)]


def test_polish_and_urdu_translate_the_pack():
    assert set(COMPLETE) <= set(_translating())


@pytest.mark.parametrize("lang", _translating())
def test_a_catalogue_that_translates_the_pack_translates_all_of_it(lang):
    missing = [key for key in PACK if not CATALOGS.has(lang, f"pack/{key}", PACK[key])]
    assert missing == []
    for key, english in PACK.items():
        translated = CATALOGS.text([lang], f"pack/{key}", english)
        assert sorted(PLACEHOLDER.findall(translated)) == sorted(PLACEHOLDER.findall(english)), key


@pytest.mark.parametrize("lang", COMPLETE)
def test_each_machine_written_entry_asks_for_a_native_review(lang):
    text = (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po").read_text(encoding="utf-8")
    entries = text.split('msgctxt "pack/')[1:]
    before = text.split('msgctxt "pack/')[:-1]
    assert len(entries) == len(PACK)
    assert all("#. machine-written: needs native review" in b.rsplit("\n\n", 1)[-1]
               for b in before)
