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
  or nearly does (percent-encoded, even twice; a query string, a trailing slash, `;params`,
  a backslash, full-width letters, gunicorn's quoting of a request line it refused), the
  whole rest of the URL goes; so does any URL path with a segment ending in `.ics`.

SQL parameters (phone numbers, answers) are kept out of errors by the engine itself
(`hide_parameters`, store/db.py); PostgreSQL's own `DETAIL:` line, which quotes the key or
row a constraint refused, is redacted here. docs/operations.md, "Logs", says what is logged.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from urllib.parse import unquote

REDACTED = "[redacted]"
# A Telegram bot token: the bot's numeric id, a colon, 35 characters of base64url.
BOT_TOKEN = re.compile(r"(?<!\d)\d{5,}:[A-Za-z0-9_-]{30,}")
CHATTY = ("httpx", "httpcore", "telegram", "twilio.http_client")
# PostgreSQL's DETAIL line quotes the row or key a constraint refused (a phone number).
PG_DETAIL = re.compile(r"(DETAIL:).*")
CALENDAR_REDACTED = "/m/<redacted>.ics"
# A calendar link, however the request spelled it: a run of URL-like text (with a
# separator, a percent sign or a non-ASCII character) that, percent-decoded until it stops
# changing, NFKC-normalised (full-width letters), with backslashes read as slashes, has an
# `m` segment (`/m/`, `/m;x=1/`) or a segment ending in `.ics` (gunicorn's "Invalid request
# line" quotes a full-width `ｍ` as latin-1 bytes). The whole run goes, but for a URL's
# scheme and host.
URL_RUN = re.compile(r"[^\s\"'<>]*[/\\%\u0080-\U0010ffff][^\s\"'<>]*")
CALENDAR_PLAIN = re.compile(r"/m(?:;[^/]*)?/+[^/]|/[^/]*\.ics(?:[/?#;]|$)")
URL_HEAD = re.compile(r"[a-z][a-z0-9+.-]*://[^/\\%]*", re.IGNORECASE)
DECODINGS = 5  # percent-decoding rounds (`%256D` is `%6D` is `m`)
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
    text = URL_RUN.sub(_calendar_run, BOT_TOKEN.sub(REDACTED, text))
    return PG_DETAIL.sub(rf"\1 {REDACTED}", text)


def _plain(run: str) -> str:
    """A URL as the server may read it: percent-decoded until it stops changing, NFKC,
    backslashes as slashes, lower case."""
    for _ in range(DECODINGS):
        decoded = unquote(run, errors="replace")
        if decoded == run:
            break
        run = decoded
    return unicodedata.normalize("NFKC", run).replace("\\", "/").lower()


def _calendar_run(match: re.Match) -> str:
    run = match.group(0)
    if not CALENDAR_PLAIN.search(_plain(run)):
        return run
    head = URL_HEAD.match(run)
    return (head.group(0) if head else "") + CALENDAR_REDACTED


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
