"""Logging that keeps secrets and residents' words out of the logs.

`protect` is called by `create_app`, so the web app, the worker and every command share it:

- Every log record, whoever logs it, has the configured secrets (the Telegram bot token,
  Twilio's auth token) and anything shaped like a Telegram bot token replaced by
  `[redacted]` before any handler sees it. httpx logs each request's URL at INFO, and Bot
  API URLs carry `bot<TOKEN>`.
- The HTTP clients' own loggers (httpx, httpcore, python-telegram-bot, twilio) are raised to
  WARNING unless a level was set for them: at INFO and DEBUG they log URLs and request
  parameters, which hold chat ids and message texts.

- A member's calendar link (`/m/<token>.ics`) is logged as `/m/<redacted>.ics`: the token
  is the key to their calendar, and access logs (werkzeug's dev server, gunicorn's
  `outreach serve`) write every request's path. Spelled any way that reaches the same view
  (percent-encoded, a query string, a trailing slash), the whole rest of the URL goes.

SQL parameters (phone numbers, answers) are kept out of errors by the engine itself
(`hide_parameters`, store/db.py); PostgreSQL's own `DETAIL:` line, which quotes the key or
row a constraint refused, is redacted here. docs/operations.md, "Logs", says what is logged.
"""

from __future__ import annotations

import logging
import re

REDACTED = "[redacted]"
# A Telegram bot token: the bot's numeric id, a colon, 35 characters of base64url.
BOT_TOKEN = re.compile(r"(?<!\d)\d{5,}:[A-Za-z0-9_-]{30,}")
CHATTY = ("httpx", "httpcore", "telegram", "twilio.http_client")
# PostgreSQL's DETAIL line quotes the row or key a constraint refused (a phone number).
PG_DETAIL = re.compile(r"(DETAIL:).*")
# A calendar link's path, however the request spelled it: `/m/` or `%2Fm%2F`, `%6D` for `m`,
# then everything to the end of the URL (the token, a query string, a trailing slash).
CALENDAR_LINK = re.compile(r"(?:/|%2f)+(?:m|%6d)(?:/|%2f)[^\s\"'<>]*", re.IGNORECASE)
CALENDAR_REDACTED = "/m/<redacted>.ics"
MIN_SECRET = 8  # shorter values would redact ordinary words

_secrets: set[str] = set()
_installed = False


def protect(*secrets: str | None) -> None:
    """Redact these secrets from every log record from now on, and quiet chatty clients."""
    global _installed
    _secrets.update(s for s in secrets if s and len(s) >= MIN_SECRET)
    for name in CHATTY:
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET:
            logger.setLevel(logging.WARNING)
    if not _installed:
        make = logging.getLogRecordFactory()
        logging.setLogRecordFactory(lambda *args, **kwargs: _redacted(make(*args, **kwargs)))
        _installed = True


def scrub(text: str) -> str:
    """The text with every protected secret, calendar tokens and PostgreSQL's DETAIL line
    replaced."""
    for secret in sorted(_secrets, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    text = CALENDAR_LINK.sub(CALENDAR_REDACTED, BOT_TOKEN.sub(REDACTED, text))
    return PG_DETAIL.sub(rf"\1 {REDACTED}", text)


def _redacted(record: logging.LogRecord) -> logging.LogRecord:
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 - a malformed record is logging's to report, not ours
        return record
    clean = scrub(message)
    if clean != message:
        record.msg, record.args = clean, None
    if record.exc_info and record.exc_info[0] is not None:  # a traceback: formatted once, here
        record.exc_text = scrub(logging.Formatter().formatException(record.exc_info))
    return record
