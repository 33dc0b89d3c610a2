"""A local fake of the Google Translate mobile page that deep-translator scrapes.

GET /m?sl=ro&tl=en&q=… answers HTML with the translation in `div.result-container`, from a
dictionary the test gives; it can fail the next requests with 429 or 500, or hang past the
client's timeout. Runs on 127.0.0.1 in a thread.
"""

from __future__ import annotations

import html
import threading
import time

from flask import Flask, request
from werkzeug.serving import make_server


class FakeGoogleTranslate:
    def __init__(self, dictionary: dict[str, str] | None = None):
        self.dictionary = dict(dictionary or {})
        self.requests: list[dict[str, str]] = []
        self.failures: list[object] = []  # 429, 500 or "hang", one per request
        self.hang_seconds = 2.0
        app = Flask("fake-google-translate")
        app.add_url_rule("/m", view_func=self._translate)
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}/m"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> FakeGoogleTranslate:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()

    def _translate(self):
        self.requests.append(dict(request.args))
        if self.failures:
            failure = self.failures.pop(0)
            if failure == "hang":
                time.sleep(self.hang_seconds)
            else:
                return "<html>error</html>", failure
        text = request.args.get("q", "")
        english = self.dictionary.get(text, f"[en] {text}")
        return (f"<html><body><div class=\"result-container\">{html.escape(english)}</div>"
                "</body></html>")
