"""The web form in a real browser (Chromium through Playwright) at a phone's width.

Completes the first pages of the residents' survey in English and in Urdu at 390 px wide,
saves a screenshot of each page (to `WEB_SCREENSHOTS` if set, else the test's tmp dir) and
checks what a person would notice: nothing wider than the screen, buttons and options big
enough to tap, right-to-left for Urdu, no chat wording; and that Urdu's digits can be typed
into the number box. Skipped when Chromium or Playwright
is missing (`.ci/run` installs Debian's chromium; never `playwright install`).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the tests skip below
    expect = None

from app import create_app
from tests.helpers.browser import PHONE_SCREEN, needs_chromium, serve
from tests.helpers.surveys import load_surveys

pytestmark = needs_chromium


@pytest.fixture
def server(tmp_path, sqlite_template, clock):
    """The app on 127.0.0.1, on a port of its own, in a thread."""
    shutil.copy(sqlite_template, tmp_path / "outreach.db")
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'outreach.db'}",
                      "SECRET_KEY": "browser-test", "INSTANCE_PATH": str(tmp_path / "instance"),
                      "TRANSLATOR": "none"}, clock=clock)
    load_surveys(app.extensions["outreach"])
    httpd = serve(app)
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    app.extensions["outreach"].engine.dispose()


def looks_right(page, lang: str, direction: str) -> None:
    """What a person would notice on a phone, checked on the page as drawn."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_SCREEN["width"], f"the page scrolls sideways: {width} px"
    assert page.evaluate("document.documentElement.lang") == lang
    assert page.evaluate("document.documentElement.dir") == direction
    for target in page.locator("main button, main .option label").all():
        box = target.bounding_box()
        assert box["height"] >= 44, (target.inner_text(), box)
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE_SCREEN["width"], box
    text = page.locator("body").inner_text()
    assert "Reply" not in text and "1,3" not in text and "YES" not in text, text


@pytest.mark.parametrize(("lang", "direction", "agree", "options"), [
    ("en", "ltr", "I agree", ["Police on foot", "CCTV"]),
    ("ur", "rtl", "میں متفق ہوں", ["پیدل گشت کرتی پولیس", "سی سی ٹی وی (CCTV)"]),
])
def test_the_first_pages_on_a_phone(server, chromium, tmp_path, lang, direction, agree,
                                    options):
    shots = Path(os.environ.get("WEB_SCREENSHOTS") or tmp_path) / lang
    shots.mkdir(parents=True, exist_ok=True)
    context = chromium.new_context(viewport=PHONE_SCREEN, device_scale_factor=1, locale=lang)
    page = context.new_page()

    def snap(name: str) -> None:
        page.wait_for_load_state()  # the page a click led to, drawn
        looks_right(page, lang, direction)
        page.screenshot(path=str(shots / f"{name}.png"), full_page=True)

    page.goto(f"{server}/?lang={lang}")
    snap("0-surveys")
    page.locator('ul.surveys a[href^="/s/neighbourhood-policing"]').click()
    snap("1-consent")
    page.get_by_role("button", name=agree).click()
    expect(page.locator("progress")).to_have_count(1)  # waits for the next page
    snap("2-first-question")
    page.locator("form button").first.click()  # Continue with nothing chosen
    expect(page.locator(".error-summary")).to_be_visible()
    snap("3-error")
    page.get_by_label("4", exact=True).check()
    page.locator("form button").first.click()
    page.get_by_label("2", exact=True).check()
    page.locator("form button").first.click()
    for option in options:
        page.get_by_label(option, exact=True).check()
    snap("4-several-choices")
    page.locator("form button").first.click()
    expect(page.locator("#progress")).not_to_be_empty()
    snap("5-after")
    context.close()
    assert len(list(shots.glob("*.png"))) == 6


def test_urdu_digits_can_be_typed_in_the_number_box(server, chromium):
    """A browser empties an `<input type=number>` holding ۱۲: the box must keep what is
    typed, and the server read it as SMS does."""
    page = chromium.new_page(viewport=PHONE_SCREEN)
    page.goto(f"{server}/s/demo")
    page.get_by_role("button", name="I agree").click()
    for label in ("4", "A little", "More police on foot", "Yes"):
        page.get_by_label(label, exact=True).check()
        page.locator("form button").first.click()
    box = page.locator("#answer")
    box.focus()
    page.keyboard.type("۱۲")
    assert box.input_value() == "۱۲"
    page.locator("form button").first.click()
    expect(page.locator("main")).to_contain_text("Thank you, that is everything.")
    page.close()
