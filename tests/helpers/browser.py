"""What the browser tests share: Debian's Chromium (driven by Playwright, never
`playwright install`), a phone's screen, a skip when Chromium is missing, and an app served
on 127.0.0.1 for the browser to open. The `chromium` fixture is in tests/conftest.py."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--headless=new", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
PHONE_SCREEN = {"width": 390, "height": 844}

needs_chromium = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)")


def serve(app):
    """The app on 127.0.0.1, on a port of its own (`.server_port`), in a thread; the
    server, to `.shutdown()` after."""
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


# Every element with text of its own, drawn: its rendered font size in CSS px (an SVG text's
# scaled by the SVG's transform to the screen) and the start of its text.
_TEXT_SIZES = """() => [...document.querySelectorAll('body *')].filter(el =>
    [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())
    && el.getBoundingClientRect().width > 0).map(el => {
  let px = parseFloat(getComputedStyle(el).fontSize);
  if (el instanceof SVGElement) { const m = el.getScreenCTM(); px *= Math.hypot(m.a, m.b); }
  return [px, el.textContent.trim().slice(0, 40)];
})"""


def small_text(page, under: float = 12) -> list[tuple[float, str]]:
    """The texts on the page drawn smaller than `under` px (none is the goal on a phone)."""
    sizes = page.evaluate(_TEXT_SIZES)
    assert sizes, "no text found on the page"
    return [(px, text) for px, text in sizes if px < under]
