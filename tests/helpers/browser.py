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
