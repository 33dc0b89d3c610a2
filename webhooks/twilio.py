"""Twilio SMS and WhatsApp: the webhook, status callbacks and the sender.

Twilio signs each request with the account's auth token over the URL it called. Behind a
proxy `request.url` is not that URL, so it is rebuilt from PUBLIC_BASE_URL. Replies to an
incoming message go back inline as TwiML; everything else is sent by the worker through
`TwilioSender`, which sorts Twilio's errors into retry-later and never-retry.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import timedelta

import requests
from flask import Blueprint, Response, abort, request
from twilio.base.exceptions import TwilioRestException, TwilioServiceException
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client
from twilio.twiml.messaging_response import MessagingResponse

from bot.addresses import InvalidAddress
from bot.config import Settings
from bot.conversations import Inbound, handle_or_keep
from bot.delivery import Outgoing, PermanentFailure, TemporaryFailure
from bot.messages import Delivery
from bot.outbox import update_status
from bot.plaintext import render
from bot.runtime import Clock, current, system_clock

bp = Blueprint("twilio", __name__)

WHATSAPP_WINDOW = timedelta(hours=24)  # free-form WhatsApp messages only this long after theirs
# Twilio's error codes (twilio.com/docs/api/errors) by what the outbox should do about them.
RETRYABLE_DELIVERY = {"30001", "30003", "30005", "30008", "30017", "63038"}
INVALID_ADDRESS = {"21211", "21614", "30006", "63024"}
OPTED_OUT = {"21610"}
OUTSIDE_WINDOW = "63016"  # WhatsApp: more than 24 hours since their last message
# What Twilio's fields look like: a sid is two letters and 32 hex digits (the column allows
# 64 characters), a status a lower-case word, an error code digits. Anything else is junk.
SID = re.compile(r"[A-Za-z0-9]{1,64}")
STATUS = re.compile(r"[a-z_]{1,16}")
ERROR_CODE = re.compile(r"[0-9]{1,10}")


def _channel(*addresses: str) -> str:
    return "whatsapp" if any(a.startswith("whatsapp:") for a in addresses) else "sms"


def _signed() -> bool:
    """Whether Twilio signed this request: checked against the public URL it called."""
    token = current().settings.twilio_auth_token
    signature = request.headers.get("X-Twilio-Signature")
    if not token or not signature:
        return False
    url = current().settings.public_base_url + request.path
    if request.query_string:
        url += "?" + request.query_string.decode()
    return RequestValidator(token).validate(url, request.form, signature)


def _twiml(texts: Iterable[str] = ()) -> Response:
    twiml = MessagingResponse()
    for text in texts:
        twiml.message(text)
    return Response(str(twiml), mimetype="text/xml")


def _fits(pattern: re.Pattern[str], value: str | None) -> bool:
    """Whether an optional field, when given, has the shape Twilio gives it."""
    return not value or pattern.fullmatch(value) is not None


@bp.post("/webhooks/twilio")
def incoming() -> Response:
    """An SMS or WhatsApp message: hand it to the bot, answer its replies as TwiML."""
    if not _signed():
        abort(403)
    form = request.form
    if not _fits(SID, form.get("MessageSid")):
        abort(400, "MessageSid is not a Twilio sid")
    body = form.get("Body", "")
    media = not body.strip() and form.get("NumMedia", "0") not in ("", "0")
    inbound = Inbound(_channel(form.get("From", "")), form.get("From", ""), body,
                      form.get("MessageSid") or None, media=media)
    # STOP/START/HELP under Twilio's Advanced Opt-Out: Twilio has replied itself.
    provider_replied = bool(form.get("OptOutType"))
    try:
        handled = handle_or_keep(
            current(), inbound,
            deliver=Delivery.PROVIDER if provider_replied else Delivery.INLINE)
    except InvalidAddress:  # a sender name, not a number: nobody we can answer
        return _twiml()
    if handled is None or provider_replied:  # kept in the spool: its replies come later
        return _twiml()
    return _twiml(render(reply) for reply in handled.replies)


@bp.post("/webhooks/twilio/status")
def status() -> tuple[str, int]:
    """A delivery report for a message the worker sent; unknown ones are acknowledged too."""
    if not _signed():
        abort(403)
    form = request.form
    status, error = form.get("MessageStatus", ""), form.get("ErrorCode") or None
    if not _fits(SID, form.get("MessageSid")):
        abort(400, "MessageSid is not a Twilio sid")
    if not STATUS.fullmatch(status) or not _fits(ERROR_CODE, error):
        return "", 200  # a status or error code Twilio does not send: acknowledged, ignored
    failure = delivery_failure(error) if error and status in ("undelivered", "failed") else None
    update_status(current(), _channel(form.get("To", ""), form.get("From", "")),
                  form.get("MessageSid", ""), status, error, failure)
    return "", 200


class TwilioSender:
    """Sends outbox messages with Twilio's own client (SMS and WhatsApp)."""

    def __init__(self, settings: Settings, clock: Clock | None = None):
        self.settings = settings
        self.clock = clock or system_clock  # for WhatsApp's 24-hour window
        self.client = Client(settings.twilio_account_sid, settings.twilio_auth_token,
                             http_client=TwilioHttpClient(timeout=10))
        if settings.twilio_api_base_url:
            self.client.api.base_url = settings.twilio_api_base_url.rstrip("/")
            self.client.edge = self.client.region = None  # that URL names the host exactly
        _read_environment_once(self.client.http_client.session, self.client.api.base_url)

    @property
    def timeout(self) -> float:
        """Seconds to wait for Twilio before the send counts as a temporary failure."""
        return self.client.http_client.timeout

    @timeout.setter
    def timeout(self, seconds: float) -> None:
        self.client.http_client.timeout = seconds

    def send(self, message: Outgoing) -> str:
        """Send one message; its Twilio sid, or a TemporaryFailure / PermanentFailure."""
        if message.channel == "whatsapp" and not self._in_window(message):
            return self._template(message)
        try:
            return self._create(message, body=render(message.reply))
        except PermanentFailure as failure:
            if message.channel == "whatsapp" and failure.code == OUTSIDE_WINDOW:
                return self._template(message)
            raise

    def _in_window(self, message: Outgoing) -> bool:
        last = message.last_inbound_at
        return last is not None and self.clock() - last < WHATSAPP_WINDOW

    def _template(self, message: Outgoing) -> str:
        """Outside the 24 hours only an approved template goes through; without one, hold."""
        template = self.settings.twilio_whatsapp_template_sid
        if not template:
            raise PermanentFailure("outside-24h-window", status="held")
        return self._create(message, content_sid=template,
                            content_variables=json.dumps({"1": self.settings.org_name}))

    def _create(self, message: Outgoing, **content: str) -> str:
        try:
            created = self.client.messages.create(
                to=message.address, **self._sender(message.channel), **content,
                status_callback=self.settings.public_base_url + "/webhooks/twilio/status")
        except (TwilioRestException, TwilioServiceException) as exc:
            raise _failure(exc.status, exc.code) from exc
        except requests.Timeout as exc:
            raise TemporaryFailure("timeout") from exc
        except requests.RequestException as exc:  # connection refused, reset, DNS...
            raise TemporaryFailure("connection-error") from exc
        return created.sid

    def _sender(self, channel: str) -> dict[str, str]:
        """From a number, or through a Messaging Service (a setting starting MG)."""
        value = sends_from(self.settings, channel)
        if value.startswith("MG"):
            return {"messaging_service_sid": value}
        if channel == "whatsapp":
            return {"from_": "whatsapp:" + value.removeprefix("whatsapp:")}
        return {"from_": value}


def sends_from(settings: Settings, channel: str) -> str:
    """The number (or Messaging Service) a channel's messages go from; '' when unset."""
    return settings.twilio_whatsapp_from if channel == "whatsapp" else settings.twilio_sms_from


def _read_environment_once(session: requests.Session, url: str) -> None:
    """Take the proxy and CA-bundle variables that requests would read from the environment
    on every call (walking all of os.environ twice a message: ≈ 15 % of the worker's time
    in the outbound benchmark) once, with requests' own function, and keep them on the
    session. Like the settings, they are read when the worker starts."""
    found = session.merge_environment_settings(url, {}, None, None, None)
    session.proxies.update(found["proxies"])
    session.verify, session.cert = found["verify"], found["cert"]
    session.trust_env = False


def delivery_failure(code: str) -> TemporaryFailure | PermanentFailure:
    """One of Twilio's error codes as the outbox's provider-neutral outcome."""
    if code in OPTED_OUT:
        return PermanentFailure(code, opt_out=True)
    if code in INVALID_ADDRESS:
        return PermanentFailure(code, invalid_address=True)
    if code == OUTSIDE_WINDOW:
        return PermanentFailure(code, status="held")  # only a template may go: nothing lost
    if code in RETRYABLE_DELIVERY:
        return TemporaryFailure(code)
    return PermanentFailure(code)


def _failure(status: int, code: int | None) -> TemporaryFailure | PermanentFailure:
    """Twilio's answer to a send as a failure the outbox understands."""
    code = str(code or status)
    # 401: our credentials are wrong (a rotated token); the messages are fine, so wait.
    if code not in OPTED_OUT | INVALID_ADDRESS and (status in (401, 429) or status >= 500):
        return TemporaryFailure(code)
    return delivery_failure(code)
