"""`outreach evidence-pack` is about the assembly ASSEMBLY_FILE names: its name, question,
introduction and theme set; a broken assembly file is reported, not a traceback. With
`--language` its own words are in that language (no English heading left); a language not
offered is refused."""

from __future__ import annotations

import re
from html import unescape

import pytest

import assembly
from app import create_app
from tests.helpers.assemblies import made_up
from translations.catalog import Catalogs
from translations.data import ROOT as TRANSLATIONS
from translations.pack_texts import PACK

CATALOGS = Catalogs.load(TRANSLATIONS)
HEADINGS = ["cover-title", "how-to-read", "contents", "heading-gathered",
            "heading-representative", "heading-closed", "heading-youth", "heading-method",
            "anonymous-heading", "coding-heading", "quotes-heading", "translations-heading"]


@pytest.fixture
def pack_of(config, clock, tmp_path):
    """Write the pack with ASSEMBLY_FILE set to `path` (None: unset): (the CLI's result, the
    page)."""
    apps = []

    def write(path, *more):
        app = create_app({**config, "ASSEMBLY_FILE": str(path) if path else ""}, clock=clock)
        apps.append(app)
        out = tmp_path / "pack.html"
        result = app.test_cli_runner().invoke(args=["evidence-pack", "--out", str(out), *more])
        return result, unescape(out.read_text(encoding="utf-8")) if out.exists() else ""

    yield write
    for app in apps:
        app.extensions["outreach"].engine.dispose()


def test_the_pack_is_about_the_configured_assembly(pack_of, tmp_path):
    result, page = pack_of(made_up(tmp_path / "ours"))
    assert result.exit_code == 0, result.output
    assert "<title>Evidence pack: Tiny Borough Assembly on Getting Around</title>" in page
    assert "How should people get around Tiny Borough?" in page
    assert "What residents said about getting around." in page
    assert "Parks" in page and "Buses" in page
    assert "Visibility" not in page  # a theme of the shipped set, not of this one
    assert "Future of Neighbourhood Policing" not in page
    # the method's example is the theme set's own (its first must_match), nothing of policing
    text = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert 'for example, " The park needs benches " is coded Parks' in text
    assert "patrol" not in text and "recommendations into" not in text


def test_the_shipped_assembly_is_the_default(pack_of):
    result, page = pack_of(None)
    shipped = assembly.load()
    assert result.exit_code == 0, result.output
    assert shipped.name in page and shipped.question in page and shipped.intro in page


def test_a_broken_assembly_file_is_reported_at_its_line(pack_of, tmp_path):
    path = made_up(tmp_path / "ours")
    path.write_text(path.read_text(encoding="utf-8").replace("target: 200", "target: lots"),
                    encoding="utf-8")
    result, page = pack_of(path)
    assert result.exit_code == 1 and page == ""
    assert f"{path.resolve()}:8: target must be a positive whole number" in result.output


def _visible(page: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<style>.*?</style>|<[^>]+>", " ", page, flags=re.S))


@pytest.mark.parametrize("lang, direction", [("pl", "ltr"), ("ur", "rtl")])
def test_the_pack_is_written_in_the_language_asked_for(pack_of, lang, direction):
    result, page = pack_of(None, "--language", lang)
    assert result.exit_code == 0, result.output
    assert f'<html lang="{lang}" dir="{direction}">' in page
    text = _visible(page)
    for key in HEADINGS:
        translated = CATALOGS.text([lang], f"pack/{key}", PACK[key])
        assert translated != PACK[key] and translated in text, key
    # no fixed sentence of the English pack is left (the assembly's own words are data)
    left = [key for key, english in PACK.items()
            if "{" not in english and " " in english and english in text]
    assert left == []


def test_a_language_not_offered_is_refused(pack_of):
    result, page = pack_of(None, "--language", "xx")
    assert result.exit_code == 2 and page == ""
    assert "Invalid value for '--language'" in result.output and "'pl'" in result.output
