"""A local fake of Twilio's REST API, for the real `twilio` client (TWILIO_API_BASE_URL).

It serves `POST /2010-04-01/Accounts/<sid>/Messages.json` on 127.0.0.1 (a free port) from a
daemon thread and answers as Twilio does: the message resource as JSON (sid SM…, status
queued) or Twilio's error JSON (`{"code": 21610, "message": …, "more_info": …, "status": 400}`).
It checks basic auth and the fields Twilio requires, records every request, and can be told
to fail the next requests: with an HTTP status and a Twilio code, or by hanging until the
client gives up (a hung request creates no message, as if it never reached Twilio).
"""

from __future__ import annotations

import base64
import secrets
import threading
from collections import deque
from dataclasses import dataclass
from email.utils import formatdate

from flask import Flask, jsonify, request
from werkzeug.serving import make_server

API = "2010-04-01"
MESSAGES = {
    400: "The request is invalid",
    401: "Authenticate",
    429: "Too Many Requests",
    500: "An internal server error has occurred",
    503: "Service unavailable",
    20003: "Authenticate",
    21211: "The 'To' number is not a valid phone number.",
    21602: "Message body is required.",
    21603: "The 'From' phone number is required.",
    21604: "The 'To' phone number is required.",
    21610: "Attempt to send to unsubscribed recipient",
    21614: "'To' number is not a valid mobile number",
    63016: "Failed to send freeform message because you are outside the allowed window.",
}


@dataclass(frozen=True)
class Received:
    """One request as the fake saw it, and what it answered."""

    account: str
    auth: tuple[str, str] | None
    form: dict[str, str]
    status: int  # the HTTP status answered (0: hung until the client gave up)


@dataclass(frozen=True)
class _Failure:
    status: int
    code: int | None
    hang: bool = False


class FakeTwilio:
    """Start with `start()` (or as a context manager); `url` is its base URL."""

    def __init__(self, account_sid: str, auth_token: str):
        self.account_sid, self.auth_token = account_sid, auth_token
        self.requests: list[Received] = []
        self.messages: list[dict] = []  # created: what Twilio would deliver
        self._failures: deque[_Failure] = deque()
        self._lock = threading.Lock()
        self._release = threading.Event()
        app = Flask(__name__)
        app.add_url_rule(f"/{API}/Accounts/<account>/Messages.json", "create", self._create,
                         methods=["POST"])
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        daemon=True)  # polls often: stop() is quick

    def start(self) -> FakeTwilio:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._release.set()  # let hung requests go
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeTwilio:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def fail_next(self, times: int = 1, status: int = 500, code: int | None = None) -> None:
        """Answer the next `times` requests with this HTTP status and Twilio error code."""
        with self._lock:
            self._failures.extend([_Failure(status, code or status)] * times)

    def hang_next(self, times: int = 1) -> None:
        """Hold the next `times` requests without answering until the client times out."""
        with self._lock:
            self._failures.extend([_Failure(0, None, hang=True)] * times)

    @property
    def bodies(self) -> list[str | None]:
        return [m["body"] for m in self.messages]

    # The API -----------------------------------------------------------------------------

    def _create(self, account: str):
        form = request.form.to_dict()
        auth = _basic_auth(request.headers.get("Authorization", ""))
        with self._lock:
            failure = self._failures.popleft() if self._failures else None
            hang = failure is not None and failure.hang
            answer = self._answer(account, auth, form, failure)
            self.requests.append(Received(account, auth, form, 0 if hang else answer[1]))
        if hang:
            self._release.wait(30)  # far longer than any client timeout in the tests
        return answer

    def _answer(self, account: str, auth, form: dict[str, str], failure: _Failure | None):
        if failure is not None:  # a hung request's answer reaches nobody
            return _error(504, 20504) if failure.hang else _error(failure.status, failure.code)
        if auth != (self.account_sid, self.auth_token) or account != self.account_sid:
            return _error(401, 20003)
        if not form.get("To"):
            return _error(400, 21604)
        if not form.get("From") and not form.get("MessagingServiceSid"):
            return _error(400, 21603)
        if not form.get("Body") and not form.get("ContentSid"):
            return _error(400, 21602)
        message = self._message(account, form)
        self.messages.append(message)
        return jsonify(message), 201

    def _message(self, account: str, form: dict[str, str]) -> dict:
        sid = "SM" + secrets.token_hex(16)
        now = formatdate(usegmt=False)
        service = form.get("MessagingServiceSid")
        return {
            "account_sid": account, "api_version": API, "sid": sid,
            "body": form.get("Body"), "to": form["To"], "from": form.get("From"),
            "messaging_service_sid": service, "content_sid": form.get("ContentSid"),
            "content_variables": form.get("ContentVariables"),
            "status_callback": form.get("StatusCallback"),
            "status": "accepted" if service and not form.get("From") else "queued",
            "direction": "outbound-api", "num_media": "0", "num_segments": "1",
            "error_code": None, "error_message": None, "price": None, "price_unit": "USD",
            "date_created": now, "date_updated": now, "date_sent": None,
            "uri": f"/{API}/Accounts/{account}/Messages/{sid}.json",
            "subresource_uris": {"media": f"/{API}/Accounts/{account}/Messages/{sid}/Media.json"},
        }


def _error(status: int, code: int | None):
    code = code or status
    body = {"code": code, "message": MESSAGES.get(code, MESSAGES.get(status, "Error")),
            "more_info": f"https://www.twilio.com/docs/errors/{code}", "status": status}
    return jsonify(body), status


def _basic_auth(header: str) -> tuple[str, str] | None:
    if not header.startswith("Basic "):
        return None
    user, _, password = base64.b64decode(header[6:]).decode().partition(":")
    return user, password
