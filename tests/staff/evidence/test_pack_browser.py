"""The evidence pack in a real browser (Chromium through Playwright): it opens from a file
with the network cut off and asks for nothing, fits a laptop and a phone without scrolling
sideways, draws every chart with no text under 12 px on a phone, and prints to an A4 PDF;
in Polish and Urdu (right to left) as well. Screenshots and the PDF go to
`PACK_SCREENSHOTS` if set (look at them), else the test's tmp dir. Skipped without Chromium
(`.ci/run` installs Debian's chromium; never `playwright install`)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from staff.evidence import pack
from tests.helpers.browser import PHONE_SCREEN, needs_chromium, small_text
from translations.catalog import Catalogs
from translations.data import ROOT as TRANSLATIONS
from translations.pack_texts import PACK

CATALOGS = Catalogs.load(TRANSLATIONS)
SECTIONS = ["heading-gathered", "heading-representative", "heading-closed", "heading-themes",
            "heading-youth", "heading-method"]

A4_PRINTABLE = 680  # px at 96 dpi: 210 mm less the 15 mm margins, rounded down

pytestmark = needs_chromium


@pytest.fixture
def out(tmp_path) -> Path:
    folder = Path(os.environ.get("PACK_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _open(browser, demo, width: int, path: Path | None = None):
    page = browser.new_page(viewport={"width": width, "height": 1000})
    asked = []

    def only_the_file(route):
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            asked.append(route.request.url)
            route.abort()

    page.route("**/*", only_the_file)
    page.goto((path or demo.path).as_uri())
    return page, asked


@pytest.mark.parametrize("width", [1000, 390])
def test_the_pack_opens_offline_and_fits_the_screen(chromium, demo, out, width):
    page, asked = _open(chromium, demo, width)
    assert asked == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    charts = page.locator(".chart svg").all()
    assert len(charts) >= 15
    for chart in charts:
        box = chart.bounding_box()
        assert box["width"] >= min(300, width - 60) and box["height"] >= 50, box
    assert page.locator("h2").all_inner_texts() == [
        "1. How the evidence was gathered", "2. Who answered, and who is missing",
        "3. What residents told us: the survey questions",
        "4. In their own words: eight themes", "5. Youth voice", "6. How this pack was made"]
    assert page.locator("blockquote[dir=rtl]").count() >= 1  # Urdu reads right to left
    assert small_text(page) == []
    page.screenshot(path=str(out / f"pack-{width}.png"), full_page=True)


@pytest.mark.parametrize("lang, direction", [("pl", "ltr"), ("ur", "rtl")])
def test_the_pack_in_polish_and_urdu_reads_on_a_phone(chromium, demo, out, lang, direction):
    with demo.rt.sessions() as session:
        data = pack.build(session, demo.rt.now(), demo.rt.settings.timezone, lang=lang)
    path = out / f"pack-{lang}.html"
    path.write_text(pack.render(data), encoding="utf-8")
    page, asked = _open(chromium, demo, PHONE_SCREEN["width"], path)
    assert asked == []
    assert page.evaluate("[document.documentElement.lang, document.dir]") == [lang, direction]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_SCREEN["width"]
    assert small_text(page) == []
    themes = data["words"].numbers(len(data["themes"]["rows"]))
    expected = [f"{n}. " + CATALOGS.text([lang], f"pack/{key}", PACK[key]).format(themes=themes)
                for n, key in enumerate(SECTIONS, start=1)]
    assert page.locator("h2").all_inner_texts() == expected
    english = [f"{n}. " + PACK[key].format(themes=themes) for n, key in enumerate(SECTIONS, 1)]
    assert not set(expected) & set(english)
    text = page.locator("body").inner_text()
    left = [key for key, words in PACK.items() if "{" not in words and " " in words
            and words in text]
    assert left == []  # no fixed sentence of the English pack
    assert len(page.locator(".chart svg").all()) >= 15
    page.screenshot(path=str(out / f"pack-{lang}-390.png"), full_page=True)


def test_the_pack_prints_on_a4(chromium, demo, out):
    page, _ = _open(chromium, demo, A4_PRINTABLE)
    page.emulate_media(media="print")
    assert page.evaluate("document.documentElement.scrollWidth") <= A4_PRINTABLE
    pdf = page.pdf(format="A4", print_background=True,
                   margin={"top": "0", "bottom": "0", "left": "0", "right": "0"})
    (out / "pack.pdf").write_bytes(pdf)
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert 8 <= pages <= 45, pages
    # Each numbered section starts on a page of its own.
    tops = page.evaluate("[...document.querySelectorAll('section.section')]"
                         ".map(s => getComputedStyle(s).breakBefore)")
    assert tops[1:] == ["page"] * (len(tops) - 1)
