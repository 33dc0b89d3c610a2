"""The printable letters (lottery/letters.py, lottery/templates/letter.html): each letter
speaks English with the same paragraph in every offered language (Urdu right to left),
prints each code in threes beside a QR code that reads back as its link, and fits one A4
page a letter. The screenshot goes to `LETTER_SCREENSHOTS` if set (look at it), else the
test's tmp dir."""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path

import pytest
import segno
from markupsafe import escape

from lottery import letters
from lottery.letters import LETTER, TRANSLATED, Code, Printed, Words
from tests.helpers.browser import needs_chromium
from tests.helpers.surveys import TRANSLATIONS
from translations import data
from translations.catalog import Catalogs

CATALOGS = Catalogs.load(TRANSLATIONS)
URL = "https://outreach.example.org/s/join-the-panel?code="
WORDS = Words("Tiny Borough Assembly on Getting Around", "Tiny Borough Council",
              "How should people get around Tiny Borough?", date(2027, 2, 28),
              "+44 7700 900123", 2, letters.offered(CATALOGS))
BOT = "WalthamForestCitizensAssemblyBot"  # as long as Telegram allows: the letter still fits
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def made_up(number: int, *codes: str) -> Printed:
    return Printed(number, ("Flat 2", "14 Hoe Street", ""), "E17 4QR",
                   tuple(Code(f"{c[:3]}-{c[3:6]}-{c[6:]}", URL + c,
                              f"REGISTER {c[:3]}-{c[3:6]}-{c[6:]}",
                              f"https://t.me/{BOT}?start={c}") for c in codes))


PAGES = [made_up(1, "K7PM3QXAF", "HJ4TRW9CX"), made_up(2, "M3QXAFK7P", "TRW9CXHJ4")]


def test_the_letter_speaks_every_offered_language():
    html = letters.render(PAGES, WORDS, CATALOGS)
    assert WORDS.languages == ("en", *sorted(set(data.codes()) - {"en"}))
    for lang in WORDS.languages[1:]:
        paragraph = re.search(rf'<p lang="{lang}" dir="(\w+)">(.*?)</p>', html, re.S)
        assert paragraph, lang
        assert paragraph.group(1) == data.direction(lang)
        summary = CATALOGS.text([lang], "letter/summary", LETTER["summary"])
        assert summary != LETTER["summary"]
        first = summary.split("{")[0].strip()
        assert first and str(escape(first)) in paragraph.group(2), lang
        assert letters.local_date(WORDS.closes, lang) in paragraph.group(2)
        assert '<bdi dir="ltr">+44 7700 900123</bdi>' in paragraph.group(2)
    assert 'lang="ur" dir="rtl"' in html and "28 February 2027" in html
    assert html.count('<section class="letter">') == 2
    for code in ("K7P-M3Q-XAF", "HJ4-TRW-9CX", "M3Q-XAF-K7P", "TRW-9CX-HJ4"):
        assert f'<p class="printed">{code}</p>' in html
        assert f"REGISTER {code}</bdi> to" in html
        plain = code.replace("-", "")
        assert f'Telegram: <bdi dir="ltr">t.me/{BOT}?start={plain}</bdi>' in html
    assert html.count('<svg viewBox="0 0 ') == 4 and "Letter <bdi>00002</bdi>" in html
    assert "14 Hoe Street" in html and "E17 4QR" in html


def test_a_qr_code_is_the_link_with_its_code():
    svg = letters.qr_svg(URL + "K7PM3QXAF")
    expected = segno.make(URL + "K7PM3QXAF", error="m", micro=False)
    assert svg.startswith('<svg viewBox="0 0 ') and 'class="qr"' in svg
    side = expected.symbol_size(scale=1, border=4)[0]
    assert f'viewBox="0 0 {side} {side}"' in svg
    assert svg == expected.svg_inline(scale=1, border=4, omitsize=True, svgclass="qr",
                                      lineclass=None)


def test_values_are_escaped_and_a_broken_translation_falls_back_to_english():
    broken = Catalogs({"pl": {("letter/summary", LETTER["summary"]): "Do {dat}"}})
    wording = letters.Wording(broken, "pl", WORDS)
    assert str(wording("summary", date="1 marca", number="<b>")) == (
        str(escape(LETTER["summary"])).format(date="<bdi>1 marca</bdi>",
                                              number="<bdi>&lt;b&gt;</bdi>"))


@pytest.mark.parametrize("lang", sorted(set(data.codes()) - {"en"}))
def test_each_catalogue_translates_the_letter_with_its_placeholders(lang):
    for key in TRANSLATED:
        assert CATALOGS.has(lang, f"letter/{key}", LETTER[key]), (lang, key)
        text = CATALOGS.text([lang], f"letter/{key}", LETTER[key])
        assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(LETTER[key]))
    po = (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po").read_text(encoding="utf-8")
    block = po.split('msgctxt "letter/summary"')[0].rsplit("\n\n", 1)[-1]
    assert "#. machine-written: needs native review" in block


def test_every_letter_text_is_in_the_english_catalogue():
    po = (TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po").read_text(encoding="utf-8")
    assert [key for key in LETTER if f'msgctxt "letter/{key}"' not in po] == []


A4_PRINTABLE = (673, 1017)  # px at 96 dpi: A4 less the page's margins (16 mm, 14 mm)


@needs_chromium
def test_each_letter_prints_on_one_a4_page(chromium, tmp_path):
    out = Path(os.environ.get("LETTER_SCREENSHOTS") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    path = letters.write(tmp_path / "letters.html", PAGES, WORDS, CATALOGS)
    page = chromium.new_page(viewport={"width": A4_PRINTABLE[0], "height": A4_PRINTABLE[1]})
    asked: list[str] = []
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(
        "file:") else (asked.append(route.request.url), route.abort()))
    page.goto(path.as_uri())
    page.emulate_media(media="print")
    assert asked == []
    first = page.locator("section.letter").first
    box = first.bounding_box()
    assert box["height"] <= A4_PRINTABLE[1] and box["width"] <= A4_PRINTABLE[0]
    assert page.evaluate("document.documentElement.scrollWidth") <= A4_PRINTABLE[0]
    urdu = first.locator('p[lang="ur"]')
    assert urdu.evaluate("el => getComputedStyle(el).direction") == "rtl"
    assert first.locator("svg.qr").count() == 2
    for svg in first.locator("svg.qr").all():
        assert svg.bounding_box()["width"] >= 100  # about 30 mm: a phone reads it easily
    first.screenshot(path=str(out / "letter.png"))
    pdf = page.pdf(format="A4", print_background=True)
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == len(PAGES)
