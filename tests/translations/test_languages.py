"""One folder per language: every language languages.yaml offers has its catalogue and a file
of every kind (with every key its English file has, where files are keyed), and no folder
holds a language the manifest does not list."""

from __future__ import annotations

import pytest
from babel import Locale

from translations import data as language_files
from translations.detect import SCRIPTS

CODES = language_files.codes()
OTHERS = [code for code in CODES if code != "en"]
# Keys only the English file has: the prompt packs' start date, the contact examples the
# redactor checks once, the words that are not slips of STOP.
ENGLISH_ONLY = {"prompts": {"starts"}, "redaction": {"contacts"}, "optout": {"real_words"}}
# Sections keyed by something every language shares (a category, a theme): each language
# has the English file's keys there. (An assembly's theme rules live with its theme set,
# assembly/themes/<set>/<lang>.yaml, and staff/evidence/coding.py checks them.)
KEYED = {"safeguarding": ("patterns", "must_match"), "demo": ("residents",)}


def test_the_manifest_lists_each_language_once_with_every_field():
    assert CODES[0] == "en" and len(set(CODES)) == len(CODES)
    for lang in language_files.languages():
        assert lang.direction in ("ltr", "rtl"), lang
        assert all((lang.code, lang.name, lang.own_name, lang.script)), lang


@pytest.mark.parametrize("lang", language_files.languages(), ids=lambda lang: lang.code)
def test_the_manifest_agrees_with_babel_and_the_scripts_detection_knows(lang):
    locale = Locale.parse(lang.code)
    assert lang.direction == locale.text_direction
    assert lang.name == locale.get_display_name("en")
    listed = {script.title() for script, codes in SCRIPTS.items() if lang.code in codes}
    assert listed == ({lang.script} if lang.script != "Latin" else set())


def test_every_folder_is_an_offered_language():
    folders = {p.name for p in language_files.ROOT.iterdir()
               if p.is_dir() and not p.name.startswith(("_", "."))}
    assert folders == set(CODES)


@pytest.mark.parametrize("lang", CODES)
def test_every_offered_language_has_its_catalogue(lang):
    assert (language_files.ROOT / lang / "LC_MESSAGES" / "messages.po").is_file()


@pytest.mark.parametrize("kind", language_files.KINDS)
@pytest.mark.parametrize("lang", CODES)
def test_every_offered_language_has_a_file_of_every_kind(lang, kind):
    assert language_files.path(lang, kind).is_file(), f"translations/{lang}/{kind}.yaml"


def test_no_folder_holds_a_file_of_an_unknown_kind():
    for lang in CODES:
        kinds = {p.stem for p in (language_files.ROOT / lang).glob("*.yaml")}
        assert kinds <= set(language_files.KINDS), lang


@pytest.mark.parametrize("kind", language_files.KINDS)
@pytest.mark.parametrize("lang", OTHERS)
def test_every_file_has_the_keys_its_english_file_has(lang, kind):
    english, translated = language_files.load("en", kind), language_files.load(lang, kind)
    if not isinstance(english, dict):
        return
    assert isinstance(translated, dict)
    assert set(english) - ENGLISH_ONLY.get(kind, set()) <= set(translated), (lang, kind)
    for section in KEYED.get(kind, ()):
        assert set(english[section]) <= set(translated[section]), (lang, kind, section)
