"""No secret or personal data in the logs: the bot token in the worker's HTTP logs, SQL
parameters in database errors, numbers in the console sender's lines, members' calendar
tokens in the access log."""

from __future__ import annotations

import logging
import threading
from contextlib import contextmanager
from datetime import timedelta

import pytest
from gunicorn.http.errors import InvalidRequestLine
from sqlalchemy import text

from bot.addresses import masked
from bot.conversations import Inbound, handle
from bot.delivery import ConsoleSender, Outgoing
from bot.logs import scrub
from bot.spool import Spool
from bot.state import Reply
from tests.helpers import telegram, twilio
from tests.helpers.calendar_links import calendar_paths, fetch_raw
from tests.helpers.members import import_members
from tests.helpers.providers import (
    TELEGRAM_SECRET,
    TELEGRAM_TOKEN,
    TWILIO_ACCOUNT,
    TWILIO_TOKEN,
)

NUMBER = "+447700900123"
ANSWER = "My neighbour Jane at number 12 deals drugs"  # what must never reach a log


def _all_logged(caplog) -> str:
    """Every record as text: formatted messages, tracebacks, and the raw arguments."""
    return "\n".join([caplog.text, *(r.getMessage() for r in caplog.records),
                      *(repr(r.args) for r in caplog.records)])


# The bot token -----------------------------------------------------------------------------


@pytest.fixture
def telegram_config(config, telegram_api):
    return {**config, "TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN, "TELEGRAM_WEBHOOK_SECRET":
            TELEGRAM_SECRET, "TELEGRAM_API_BASE_URL": telegram_api.url}, telegram_api


def test_the_worker_never_logs_the_telegram_bot_token(telegram_config, clock, caplog):
    from app import create_app
    from tests.helpers.surveys import load_surveys
    config, api = telegram_config
    app = create_app(config, clock=clock)
    try:
        load_surveys(app.extensions["outreach"])
        caplog.set_level(logging.DEBUG)
        response = telegram.post(app.test_client(), telegram.update("Hi"))
        assert response.status_code == 200
        api.fail_next("server")  # the error path logs too
        runner = app.test_cli_runner()
        for _ in range(2):
            clock.advance(timedelta(minutes=5))
            result = runner.invoke(args=["worker", "--once"])
            assert result.exit_code == 0, result.output
    finally:
        app.extensions["outreach"].engine.dispose()
    assert api.texts_to(telegram.CHAT) == [telegram.INTRO, telegram.CONSENT]  # really sent
    assert caplog.records  # the worker did log
    logged = _all_logged(caplog)
    assert TELEGRAM_TOKEN not in logged
    assert TELEGRAM_TOKEN.split(":")[1] not in logged
    assert telegram.INTRO not in logged  # nor the messages, through the HTTP client's logs


def test_a_token_logged_by_anyone_is_redacted(app, caplog):
    token = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw8"  # the shape of a real one
    caplog.set_level(logging.DEBUG)
    logging.getLogger("someone.else").info("POST https://api.telegram.org/bot%s/getMe", token)
    assert token not in _all_logged(caplog)
    assert "/bot[redacted]/getMe" in caplog.text


# Database errors -----------------------------------------------------------------------------


@contextmanager
def _messages_table_gone(rt):
    """The message log renamed away for a moment: every inbound message then fails."""
    with rt.engine.begin() as conn:
        conn.execute(text("ALTER TABLE messages RENAME TO messages_away"))
    try:
        yield
    finally:
        with rt.engine.begin() as conn:
            conn.execute(text("ALTER TABLE messages_away RENAME TO messages"))


def test_a_database_error_shows_neither_the_number_nor_the_answer(rt, surveys):
    with _messages_table_gone(rt), pytest.raises(Exception) as raised:
        handle(rt, Inbound("sms", NUMBER, ANSWER))
    assert "messages" in str(raised.value)  # the error itself is still told
    assert NUMBER not in str(raised.value) and ANSWER not in str(raised.value)


def test_a_refused_key_is_not_logged(rt, caplog):
    """PostgreSQL's error quotes the refused key in a DETAIL line (SQLite names the column)."""
    caplog.set_level(logging.DEBUG)
    with rt.engine.connect() as conn:
        conn.execute(text("CREATE TEMPORARY TABLE numbers (number VARCHAR(20) UNIQUE)"))
        conn.execute(text("INSERT INTO numbers VALUES (:n)"), {"n": NUMBER})
        try:
            conn.execute(text("INSERT INTO numbers VALUES (:n)"), {"n": NUMBER})
        except Exception:  # noqa: BLE001 - logged as the worker logs a failed round
            logging.getLogger("bot.worker").exception("worker round failed; retrying")
        conn.rollback()
    assert "IntegrityError" in caplog.text
    assert NUMBER not in _all_logged(caplog)


@pytest.fixture
def twilio_app(config, clock):
    from app import create_app
    app = create_app({**config, "TWILIO_ACCOUNT_SID": TWILIO_ACCOUNT,
                      "TWILIO_AUTH_TOKEN": TWILIO_TOKEN}, clock=clock)
    yield app
    app.extensions["outreach"].engine.dispose()


def test_a_webhook_failing_on_the_database_logs_neither_number_nor_answer(twilio_app, caplog):
    rt = twilio_app.extensions["outreach"]
    caplog.set_level(logging.DEBUG)
    with _messages_table_gone(rt):
        response = twilio.post(twilio_app.test_client(), twilio.incoming(NUMBER, ANSWER))
    logged = _all_logged(caplog)
    if rt.engine.dialect.name == "sqlite":  # "no such table" is SQLite's OperationalError,
        # as an unreachable database is: the message is kept in the spool and answered
        assert response.status_code == 200 and Spool.of(rt.settings).count() == 1
        assert "kept in the spool" in logged
        assert not any(NUMBER in path.name for path in Spool.of(rt.settings).waiting())
    else:  # PostgreSQL's UndefinedTable is a mistake, not an outage: a 500, logged
        assert response.status_code == 500
        assert "Traceback" in logged  # the failure is logged, with its traceback
    assert NUMBER not in logged and NUMBER.removeprefix("+") not in logged
    assert ANSWER not in logged


# Calendar tokens in the access log ---------------------------------------------------------


def test_the_dev_servers_access_log_never_shows_a_calendar_token(app, rt, caplog):
    from werkzeug.serving import make_server
    [ana] = import_members(rt, "Ana Pop,+40712345678,,ro,sms,")
    caplog.set_level(logging.INFO)
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        statuses = [fetch_raw(server.server_port, path) for path in calendar_paths(ana.token)]
    finally:
        server.shutdown()
        thread.join(10)
    assert statuses[0] == 200 and statuses[1] == 200  # the calendar itself was served
    access = [r for r in caplog.records if r.name == "werkzeug"]
    assert len(access) >= len(statuses)  # one line per request, from the server itself
    logged = _all_logged(caplog)
    assert '"GET /m/<redacted>.ics HTTP/1.1" 200' in logged
    assert ana.token not in logged and ana.token[3:-3] not in logged


TOKEN = "Zx9_kQ2mPw7LrT4vBn8cYd3s"  # the shape of a member's calendar token


@pytest.mark.parametrize("path", [
    *calendar_paths(TOKEN), f"/ｍ/{TOKEN}.ics", f"/%EF%BD%8D/{TOKEN}.ics",
    f"/m/{TOKEN}．ｉｃｓ", f"https://outreach.example/%252Fm%252F{TOKEN}.ics"])
def test_every_spelling_of_a_calendar_link_is_redacted(path):
    logged = scrub(f'127.0.0.1 - - "GET {path} HTTP/1.1" 404 -')
    assert TOKEN not in logged and TOKEN[3:-3] not in logged
    assert "/m/<redacted>.ics" in logged


def test_gunicorns_refused_request_line_is_redacted():
    """gunicorn reads a request line as latin-1 and quotes it in its warning."""
    line = f"GET /ｍ/{TOKEN}.ics HTTP/1.1".encode().decode("latin-1")
    for message in (str(InvalidRequestLine(line)),
                    str(InvalidRequestLine(f"/ｍ/{TOKEN}.ics".encode().decode("latin-1")))):
        assert TOKEN not in scrub(message) and "Invalid HTTP request line" in scrub(message)


@pytest.mark.parametrize("text", [
    "speed 5 m/s, 50% done", "GET /staff/alerts?done=3 HTTP/1.1", "café at /var/log/x.log",
    "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json"])
def test_other_paths_are_left_alone(text):
    assert scrub(text) == text


def test_a_line_already_scrubbed_comes_out_as_it_went_in():
    """Two passes over calendar links read `/m/<redacted>.ics` as a link again and wrote
    `/m/<redacted>.ics<redacted>.ics`."""
    line = '"GET /m/<redacted>.ics HTTP/1.1" 200'
    assert scrub(line) == line and scrub(scrub('"GET /m/abcdef123456 HTTP/1.1"')) == (
        '"GET /m/<redacted>.ics HTTP/1.1"')


# The console sender ------------------------------------------------------------------------


def test_the_console_sender_logs_the_text_but_only_the_numbers_last_digits(caplog):
    caplog.set_level(logging.INFO)
    ConsoleSender("sms").send(Outgoing(7, "sms", NUMBER, Reply("How safe do you feel?")))
    ConsoleSender("telegram").send(Outgoing(8, "telegram", "987654321", Reply("Hello")))
    assert "console sms -> +********0123: How safe do you feel?" in caplog.text
    assert "console telegram -> *****4321: Hello" in caplog.text
    assert NUMBER not in caplog.text and "987654321" not in caplog.text


@pytest.mark.parametrize("address, shown", [
    ("+447700900123", "+********0123"),
    ("whatsapp:+447700900123", "whatsapp:+********0123"),
    ("1001", "***1"),
    ("4242", "***2"),
    ("12345", "***45"),
    ("-1001234567890", "-*********7890"),
    ("", ""),
])
def test_masked(address, shown):
    assert masked(address) == shown
