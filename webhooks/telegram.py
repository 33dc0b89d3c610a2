"""Telegram: the webhook (updates in) and the sender (replies out, through the outbox).

The webhook checks Telegram's secret-token header, parses the update with
python-telegram-bot without a Bot (`Update.de_json`: the view is sync), turns a private
chat's message into an `Inbound` and hands it over with `Delivery.OUTBOX`. Every reply
becomes an outbox row the worker sends, so Telegram gets a quick `200 {}` and no network
call is made on the request path. A repeated `update_id` is stored once (the message log's
unique provider id); edits, group chats and service messages are answered 200 and ignored.

The sender owns one `Bot` on an event loop of its own (a Bot must never cross loops) and
renders replies the Telegram way: options become a reply keyboard whose buttons send the
labels the engine understands.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import math
import threading
import warnings
from dataclasses import replace
from datetime import timedelta

from flask import Blueprint, jsonify, request
from telegram import Bot, Message, ReplyKeyboardMarkup, ReplyKeyboardRemove, Update
from telegram.constants import ChatType
from telegram.error import (
    BadRequest,
    Forbidden,
    InvalidToken,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.request import HTTPXRequest
from telegram.warnings import PTBDeprecationWarning

from bot import commands, plaintext
from bot.config import Settings
from bot.conversations import Inbound, handle_or_keep
from bot.delivery import Outgoing, PermanentFailure, TemporaryFailure
from bot.messages import Delivery
from bot.runtime import current
from bot.state import Option, Reply

log = logging.getLogger(__name__)

bp = Blueprint("telegram", __name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
KEYS_PER_ROW = 8  # a 1-5 or 0-7 scale fits one row; longer scales wrap evenly


# The webhook -------------------------------------------------------------------------


@bp.post("/webhooks/telegram")
def webhook():
    """One update: 403 without the secret, else 200 `{}`. What cannot be an answer (not
    JSON, not an update, a shape Telegram never sends) is logged and ignored with a 200 too:
    Telegram resends an update on any other answer, a 4xx included, for up to a day."""
    rt = current()
    if not secret_ok(rt.settings.telegram_webhook_secret, request.headers.get(SECRET_HEADER)):
        return jsonify(error="forbidden"), 403
    inbound = parse(request.get_data())
    if inbound is not None:
        handle_or_keep(rt, inbound, deliver=Delivery.OUTBOX)  # or kept in the spool
    return jsonify({})


def parse(body: bytes) -> Inbound | None:
    """The Inbound a request body carries, or None (logged) for anything else."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # RecursionError: JSON nested thousands deep
        log.warning("Telegram update ignored: not JSON")
        return None
    if not isinstance(data, dict):
        log.warning("Telegram update ignored: not a JSON object")
        return None
    try:
        return to_inbound(Update.de_json(data, bot=None))
    except Exception as exc:  # noqa: BLE001 - PTB raises all sorts on a malformed update
        log.warning("Telegram update ignored: unreadable (%s)", type(exc).__name__)
        return None


def secret_ok(expected: str | None, given: str | None) -> bool:
    """Whether the header carries the configured secret (no secret configured: never)."""
    if not expected or given is None:
        return False
    # Bytes: compare_digest refuses non-ASCII str, and a header can hold anything.
    return hmac.compare_digest(expected.encode(), given.encode("utf-8", "surrogateescape"))


def to_inbound(update: Update) -> Inbound | None:
    """The Inbound for an update, or None for what is not an answer (logged)."""
    message = update.message
    if message is None:  # edited_message, channel_post, my_chat_member...
        log.info("Telegram update %s ignored: not a new message", update.update_id)
        return None
    if message.chat.type != ChatType.PRIVATE:
        log.info("Telegram update %s ignored: a %s chat", update.update_id, message.chat.type)
        return None
    if not (_an_id(update.update_id) and _an_id(message.chat.id)
            and all(isinstance(v, str | None) for v in (message.text, message.caption))):
        log.warning("Telegram update ignored: ids or text of the wrong type or size")
        return None
    media = message.text is None
    if media and message.effective_attachment is None:
        log.info("Telegram update %s ignored: a service message", update.update_id)
        return None
    # "/start CODE", "LINK CODE": read as `outreach chat --channel telegram` reads them
    body, start, link = (commands.Read(message.caption or "") if media
                         else commands.telegram(message.text))
    code = message.from_user.language_code if message.from_user else None
    code = code if isinstance(code, str) else None
    return Inbound(channel="telegram", address=str(message.chat.id), text=_text(body),
                   provider_id=str(update.update_id), lang_hint=(code or "")[:2].lower() or None,
                   media=media, start=start, link=link)


def _an_id(value: object) -> bool:
    """Telegram's ids are integers of at most 52 significant bits."""
    return isinstance(value, int) and not isinstance(value, bool) and abs(value) < 2 ** 53


def _text(text: str) -> str:
    """JSON can carry lone surrogates ("\\ud800"), which no database stores: replaced."""
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


# Rendering ---------------------------------------------------------------------------


def render(reply: Reply) -> tuple[str, ReplyKeyboardMarkup | ReplyKeyboardRemove]:
    """The message text and keyboard for a reply. Options become buttons that send their
    label; a multiple choice is a numbered list to answer by typing ("1,3")."""
    if reply.multi:
        return plaintext.render(replace(reply, style="list")), ReplyKeyboardRemove()
    text = plaintext.body(reply)
    if not reply.options:
        return text, ReplyKeyboardRemove()
    return text, ReplyKeyboardMarkup(keyboard(reply), one_time_keyboard=True,
                                     resize_keyboard=True)


def keyboard(reply: Reply) -> list[list[str]]:
    """Rows of button labels: a scale or yes/no side by side, choices one per row."""
    labels = [option.label for option in reply.options]
    if reply.style == "keys" or _is_yes_no(reply.options):
        rows = math.ceil(len(labels) / KEYS_PER_ROW)
        width = math.ceil(len(labels) / rows)
        return [labels[i:i + width] for i in range(0, len(labels), width)]
    return [[label] for label in labels]


def _is_yes_no(options: tuple[Option, ...]) -> bool:
    return [option.id for option in options] == ["yes", "no"]


# The sender --------------------------------------------------------------------------


class TelegramSender:
    """Sends outbox rows through python-telegram-bot's Bot, on an event loop of its own."""

    def __init__(self, settings: Settings, timeout: float = 10.0):
        if not settings.telegram_bot_token:
            raise ValueError("TelegramSender needs TELEGRAM_BOT_TOKEN")
        urls = {}
        if settings.telegram_api_base_url:  # a local Bot API server, or the tests' fake
            root = settings.telegram_api_base_url.rstrip("/")
            urls = {"base_url": f"{root}/bot", "base_file_url": f"{root}/file/bot"}
        http = HTTPXRequest(connect_timeout=timeout, read_timeout=timeout,
                            write_timeout=timeout, pool_timeout=timeout)
        self._bot = Bot(settings.telegram_bot_token, request=http, **urls)
        self._loop = asyncio.new_event_loop()
        self._lock = threading.Lock()  # one coroutine at a time on our loop

    def send(self, message: Outgoing) -> str:
        """Send one reply; the provider id is "<chat id>:<message id>" (ids are per chat)."""
        body, markup = render(message.reply)
        if not body.strip() or not message.address:  # scrubbed by DELETE: nothing to send
            raise PermanentFailure("empty")
        with self._lock, warnings.catch_warnings():
            # PTB 22 warns about its own RetryAfter.retry_after type change on every 429.
            warnings.simplefilter("ignore", PTBDeprecationWarning)
            try:
                sent = self._loop.run_until_complete(
                    self._send(message.address, body, markup))
            except TelegramError as exc:
                raise failure(exc, message.id) from exc
        return f"{sent.chat_id}:{sent.message_id}"

    async def _send(self, chat_id: str, body: str,
                    markup: ReplyKeyboardMarkup | ReplyKeyboardRemove) -> Message:
        await self._bot.initialize()  # once: getMe; a failed attempt is tried again
        return await self._bot.send_message(chat_id=chat_id, text=body, reply_markup=markup)

    def close(self) -> None:
        """Shut the Bot's HTTP client, then the event loop. Sending afterwards fails."""
        with self._lock:
            if self._loop.is_closed():
                return
            try:
                self._loop.run_until_complete(self._bot.shutdown())
            finally:
                self._loop.close()


def failure(exc: TelegramError, message_id: int | None = None
            ) -> TemporaryFailure | PermanentFailure:
    """The outbox's view of a Bot API error."""
    if isinstance(exc, Forbidden):  # blocked by the user, or the account is deleted
        log.info("Telegram message %s refused: %s", message_id, exc.message)
        return PermanentFailure("blocked", opt_out=True)
    if isinstance(exc, RetryAfter):
        return TemporaryFailure("429", retry_after=retry_seconds(exc))
    if isinstance(exc, BadRequest):  # before NetworkError: BadRequest is one
        log.warning("Telegram message %s rejected: %s", message_id, exc.message)
        if "chat not found" in exc.message.lower():
            return PermanentFailure("chat-not-found", invalid_address=True)
        return PermanentFailure("bad-request")
    if isinstance(exc, TimedOut):
        return TemporaryFailure("timeout")
    if isinstance(exc, InvalidToken):  # its message holds the token: never log it
        log.error("Telegram rejected TELEGRAM_BOT_TOKEN; messages wait until it is fixed")
        return TemporaryFailure("invalid-token")
    log.warning("Telegram message %s not sent: %s", message_id, exc.message)
    return TemporaryFailure("network")


def retry_seconds(exc: RetryAfter) -> float:
    """RetryAfter's wait in seconds (an int or a timedelta, depending on PTB_TIMEDELTA)."""
    value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
