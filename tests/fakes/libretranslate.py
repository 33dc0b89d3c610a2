"""A local fake of a self-hosted LibreTranslate server.

POST /translate with JSON {"q", "source", "target", "format"} answers {"translatedText"}
from a dictionary the test gives; a language not in `languages` gets LibreTranslate's 400;
it can fail the next requests with 429 or 500, or hang past the client's timeout. Runs on
127.0.0.1 in a thread.
"""

from __future__ import annotations

import threading
import time

from flask import Flask, jsonify, request
from werkzeug.serving import make_server


class FakeLibreTranslate:
    def __init__(self, dictionary: dict[str, str] | None = None,
                 languages: tuple[str, ...] = ("en", "ro", "ur", "bg", "pl", "tr")):
        self.dictionary = dict(dictionary or {})
        self.languages = languages
        self.requests: list[dict] = []
        self.query_strings: list[str] = []
        self.failures: list[object] = []  # 429, 500 or "hang", one per request
        self.hang_seconds = 2.0
        app = Flask("fake-libretranslate")
        app.add_url_rule("/translate", view_func=self._translate, methods=["POST"])
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> FakeLibreTranslate:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()

    def _translate(self):
        body = request.get_json(silent=True) or {}
        self.requests.append(body)
        self.query_strings.append(request.query_string.decode())
        if self.failures:
            failure = self.failures.pop(0)
            if failure == "hang":
                time.sleep(self.hang_seconds)
            else:
                return jsonify(error="unavailable"), failure
        if body.get("source") not in self.languages:
            return jsonify(error=f"{body.get('source')} is not supported"), 400
        text = body.get("q", "")
        return jsonify(translatedText=self.dictionary.get(text, f"[en] {text}"))
