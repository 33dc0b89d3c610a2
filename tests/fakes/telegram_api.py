"""A local fake of the Telegram Bot API, for the real python-telegram-bot client.

An HTTP server on 127.0.0.1 (a free port) in a daemon thread answers `getMe` and
`sendMessage` the way Telegram does (`{"ok": true, "result": {...}}`), with message ids
counted per chat as Telegram counts them. It takes JSON and form bodies (PTB sends forms,
with `reply_markup` as a JSON string), records every call, and fails on demand:

    api.fail_next("blocked")              # 403 Forbidden: bot was blocked by the user
    api.fail_next("flood", retry_after=120)  # 429 with parameters.retry_after
    api.fail_next("server", times=2)      # 500
    api.fail_next("chat_not_found")       # 400 Bad Request: chat not found
    api.fail_next("hang")                 # no answer until the client gives up
    api.block("1001")                     # every message to that chat: 403 until unblock()

Point PTB at it with `Bot(token, base_url=f"{api.url}/bot")`, or the app with
TELEGRAM_API_BASE_URL=api.url.
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

PATH = re.compile(r"/bot(?P<token>[^/]+)/(?P<method>\w+)/?")
JSON_FIELDS = ("reply_markup", "entities", "reply_parameters", "link_preview_options")
HANG_AT_MOST = 30.0  # seconds a "hang" holds its request unless the fake stops first

FAILURES: dict[str, tuple[int, dict[str, Any]]] = {
    "blocked": (403, {"ok": False, "error_code": 403,
                      "description": "Forbidden: bot was blocked by the user"}),
    "flood": (429, {"ok": False, "error_code": 429,
                    "description": "Too Many Requests: retry after {retry_after}",
                    "parameters": {"retry_after": "{retry_after}"}}),
    "server": (500, {"ok": False, "error_code": 500, "description": "Internal Server Error"}),
    "chat_not_found": (400, {"ok": False, "error_code": 400,
                             "description": "Bad Request: chat not found"}),
    "hang": (500, {"ok": False, "error_code": 500, "description": "too late"}),
}


@dataclass
class Call:
    """One request the fake received, and what it answered ("ok" or a failure's name)."""

    method: str
    params: dict[str, Any]
    outcome: str


@dataclass
class _Failure:
    kind: str
    method: str
    retry_after: int


@dataclass
class FakeTelegramAPI:
    token: str
    username: str = "outreach_test_bot"
    bot_id: int = 7000000001
    calls: list[Call] = field(default_factory=list)
    sent: list[dict[str, Any]] = field(default_factory=list)  # messages delivered

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._failures: list[_Failure] = []
        self._blocked: set[str] = set()
        self._next_id: dict[str, int] = {}
        self._release = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # Control -------------------------------------------------------------------------

    def start(self) -> FakeTelegramAPI:
        handler = type("Handler", (_Handler,), {"api": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._release.set()  # let any hanging request go
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = None

    def __enter__(self) -> FakeTelegramAPI:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The Bot API root, as TELEGRAM_API_BASE_URL wants it."""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def fail_next(self, kind: str, times: int = 1, retry_after: int = 3,
                  method: str = "sendMessage") -> None:
        """Answer the next `times` calls of `method` with a failure (see FAILURES)."""
        if kind not in FAILURES:
            raise ValueError(f"unknown failure {kind!r}: one of {sorted(FAILURES)}")
        with self._lock:
            self._failures += [_Failure(kind, method, retry_after)] * times

    def block(self, chat_id: str | int) -> None:
        """The person blocks the bot: every later message to them is refused with 403."""
        with self._lock:
            self._blocked.add(str(chat_id))

    def unblock(self, chat_id: str | int) -> None:
        """The person unblocks the bot (Telegram's "Restart" button)."""
        with self._lock:
            self._blocked.discard(str(chat_id))

    # Reading what happened -----------------------------------------------------------

    def sent_to(self, chat_id: str | int) -> list[dict[str, Any]]:
        """The messages delivered to one chat, oldest first."""
        with self._lock:
            return [m for m in self.sent if str(m["chat_id"]) == str(chat_id)]

    def texts_to(self, chat_id: str | int) -> list[str]:
        return [m["text"] for m in self.sent_to(chat_id)]

    def calls_of(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    # Serving -------------------------------------------------------------------------

    def answer(self, token: str, method: str, params: dict[str, Any]
               ) -> tuple[int, dict[str, Any], str]:
        """(HTTP status, JSON body, outcome) for one call; records the call."""
        with self._lock:
            status, body, outcome = self._answer(token, method, params)
            self.calls.append(Call(method, params, outcome))
        return status, body, outcome

    def _answer(self, token: str, method: str, params: dict[str, Any]):
        if token != self.token:
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}, "401"
        if method not in ("getMe", "sendMessage"):
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}, "404"
        failure = next((f for f in self._failures if f.method == method), None)
        if failure is not None:
            self._failures.remove(failure)
            return (*_failure_body(failure), failure.kind)
        if method == "getMe":
            return 200, {"ok": True, "result": self._me()}, "ok"
        return self._send_message(params)

    def _me(self) -> dict[str, Any]:
        return {"id": self.bot_id, "is_bot": True, "first_name": "Outreach",
                "username": self.username, "can_join_groups": False,
                "can_read_all_group_messages": False, "supports_inline_queries": False}

    def _send_message(self, params: dict[str, Any]):
        chat_id, text = str(params.get("chat_id", "")), params.get("text")
        if not chat_id:
            return 400, _error(400, "Bad Request: chat_id is empty"), "bad_request"
        if not text:
            return 400, _error(400, "Bad Request: message text is empty"), "bad_request"
        if chat_id in self._blocked:
            return (*FAILURES["blocked"], "blocked")
        message_id = self._next_id.get(chat_id, 0) + 1
        self._next_id[chat_id] = message_id
        chat = int(chat_id) if chat_id.lstrip("-").isdigit() else chat_id
        message = {"message_id": message_id, "date": int(time.time()),
                   "chat": {"id": chat, "type": "private", "first_name": "Resident"},
                   "from": {"id": self.bot_id, "is_bot": True, "first_name": "Outreach",
                            "username": self.username},
                   "text": text}
        self.sent.append({"chat_id": chat_id, "message_id": message_id, "text": text,
                          "reply_markup": params.get("reply_markup")})
        return 200, {"ok": True, "result": message}, "ok"

    def hang(self) -> None:
        """Hold a request until the fake stops (or HANG_AT_MOST passes)."""
        self._release.wait(HANG_AT_MOST)


def _error(code: int, description: str) -> dict[str, Any]:
    return {"ok": False, "error_code": code, "description": description}


def _failure_body(failure: _Failure) -> tuple[int, dict[str, Any]]:
    status, body = FAILURES[failure.kind]
    if failure.kind == "flood":
        body = {**body, "description": f"Too Many Requests: retry after {failure.retry_after}",
                "parameters": {"retry_after": failure.retry_after}}
    return status, body


class _Handler(BaseHTTPRequestHandler):
    api: FakeTelegramAPI

    def do_POST(self) -> None:  # noqa: N802 - the http.server naming
        match = PATH.fullmatch(self.path.split("?", 1)[0])
        if match is None:
            self._reply(404, _error(404, "Not Found"))
            return
        try:
            params = self._params()
        except ValueError:
            self._reply(400, _error(400, "Bad Request: unreadable body"))
            return
        status, body, outcome = self.api.answer(match["token"], match["method"], params)
        if outcome == "hang":
            self.api.hang()
        self._reply(status, body)

    do_GET = do_POST

    def _params(self) -> dict[str, Any]:
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        kind = self.headers.get_content_type()
        if not raw:
            return {}
        if kind == "application/json":
            params = json.loads(raw)
            if not isinstance(params, dict):
                raise ValueError("not an object")
            return params
        if kind == "application/x-www-form-urlencoded":
            form = {k: v[-1] for k, v in parse_qs(raw.decode(), keep_blank_values=True).items()}
            for name in JSON_FIELDS:
                if name in form:
                    form[name] = json.loads(form[name])
            return form
        raise ValueError(f"unsupported body {kind}")

    def _reply(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (a hang)
            pass

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet tests
        pass
