"""A database outage in the middle of a survey loses nothing and stores nothing twice.

SMS, Telegram and web-form residents are part-way through the residents' survey when the
database goes: on SQLite its file and folder are made immutable (`chattr +i`: tests run as
root, where chmod stops nothing), on PostgreSQL the app's connections are refused (its
engine swapped for one pointed at a closed port). Every verified request is answered (an
empty TwiML, Telegram's 200, a page saying the answer is kept) and kept in the spool; the
providers send some of them again, during and after. Once the database is back, one worker
round replays the spool: each message stored once, in order, and everyone answered.
"""

from __future__ import annotations

import itertools
import os
import resource
import shutil
import signal
import socket
import subprocess
import threading
import time
import xml.etree.ElementTree as ET
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url
from twilio.request_validator import RequestValidator

from app import create_app
from bot import worker
from bot.answers import MAX_TEXT
from bot.messages import Delivery, Inbound
from bot.spool import Spool
from store.db import make_engine, session_factory
from store.models import Address, Answer, Message, Response
from tests.helpers.providers import SMS_FROM
from tests.helpers.providers import TELEGRAM_SECRET as SECRET
from tests.helpers.providers import TELEGRAM_TOKEN as BOT_TOKEN
from tests.helpers.providers import TWILIO_ACCOUNT as ACCOUNT
from tests.helpers.providers import TWILIO_TOKEN as TOKEN
from tests.helpers.surveys import load_surveys
from tests.helpers.web_form import Browser, Page, checked
from webhooks.senders import build

BASE = "https://outreach.example.org"
ALICE, BEN = "+447700900101", "+447700900102"  # part-way through; a first message
CHAT = 2002
CLOSED = "postgresql+psycopg://nobody@127.0.0.1:1/none"  # nothing listens on port 1
_ids = itertools.count(1)


@pytest.fixture
def config(config, tmp_path, twilio_api, telegram_api):
    """Twilio and Telegram set up; an SQLite database in a folder of its own (made
    immutable in the outage, while the spool's folder stays writable)."""
    url = config["DATABASE_URL"]
    if url.startswith("sqlite"):
        alone = tmp_path / "db" / "outreach.db"
        alone.parent.mkdir()
        shutil.move(make_url(url).database, alone)
        url = f"sqlite:///{alone}"
    return {**config, "DATABASE_URL": url, "TWILIO_ACCOUNT_SID": ACCOUNT,
            "TWILIO_AUTH_TOKEN": TOKEN, "TWILIO_SMS_FROM": SMS_FROM,
            "TWILIO_API_BASE_URL": twilio_api.url, "TELEGRAM_BOT_TOKEN": BOT_TOKEN,
            "TELEGRAM_WEBHOOK_SECRET": SECRET, "TELEGRAM_API_BASE_URL": telegram_api.url,
            "OUTREACH_SPOOL_DIR": str(tmp_path / "spool")}


@contextmanager
def database_down(rt):
    """The app's database unreachable until the block ends."""
    rt.engine.dispose()  # open connections would carry on: the outage starts for new ones
    url = make_url(rt.settings.database_url)
    if url.get_backend_name() == "sqlite":
        folder = Path(url.database).parent
        files = [*folder.iterdir(), folder]
        try:
            subprocess.run(["chattr", "+i", *map(str, files)], check=True,
                           capture_output=True)
        except (OSError, subprocess.CalledProcessError) as exc:
            pytest.skip(f"chattr +i is needed to make the database unwritable: {exc}")
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", *map(str, files)], check=True)
        return
    with pointed_at(rt, CLOSED):
        yield


@contextmanager
def pointed_at(rt, url: str):
    """The app's engine made (as the app makes it) for `url` until the block ends."""
    real = rt.engine, rt.sessions
    other = make_engine(url)
    rt.__dict__["engine"], rt.__dict__["sessions"] = other, session_factory(other)
    try:
        yield
    finally:
        rt.__dict__["engine"], rt.__dict__["sessions"] = real
        other.dispose()


def post_sms(client, sender: str, body: str, sid: str | None = None):
    """Twilio posts, signed; its response."""
    form = {"MessageSid": sid or f"SM{next(_ids):032x}", "AccountSid": ACCOUNT,
            "From": sender, "To": SMS_FROM, "Body": body, "NumMedia": "0"}
    signature = RequestValidator(TOKEN).compute_signature(BASE + "/webhooks/twilio", form)
    return client.post("/webhooks/twilio", data=form, headers={"X-Twilio-Signature": signature})


def sms(client, sender: str, body: str, sid: str | None = None) -> tuple[str, list[str]]:
    """Twilio posts, signed; the message sid and the texts of the TwiML answer."""
    sid = sid or f"SM{next(_ids):032x}"
    response = post_sms(client, sender, body, sid)
    assert response.status_code == 200, response.status_code
    return sid, [m.text or "" for m in ET.fromstring(response.data)]


def telegram(client, text: str, update_id: int | None = None) -> int:
    update_id = update_id or 500_000 + next(_ids)
    chat = {"id": CHAT, "type": "private", "first_name": "Sam"}
    body = {"update_id": update_id, "message": {
        "message_id": next(_ids), "date": 1772445600, "chat": chat, "text": text,
        "from": {"id": CHAT, "is_bot": False, "first_name": "Sam", "language_code": "en"}}}
    response = client.post("/webhooks/telegram", json=body,
                           headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
    assert response.status_code == 200 and response.get_json() == {}
    return update_id


def answers(rt, scheme: str, value: str) -> dict[str, object]:
    """The stored answers of one person, each question at most once."""
    with rt.sessions() as db:
        contact = db.scalar(select(Address.contact_id).where(Address.scheme == scheme,
                                                             Address.value == value))
        rows = db.execute(select(Answer.question_id, Answer.value).join(Response).where(
            Response.contact_id == contact).order_by(Answer.id)).all()
    ids = [row.question_id for row in rows]
    assert len(ids) == len(set(ids)), ids
    return dict(rows)


def token_of(app, browser: Browser) -> str:
    """The web visitor's address: the token in their session cookie."""
    cookie = browser.client.get_cookie("session").value
    return app.session_interface.get_signing_serializer(app).loads(cookie)["web_token"]


def inbound_ids(rt) -> list[str]:
    with rt.sessions() as db:
        return list(db.scalars(select(Message.provider_id).where(Message.direction == "in")))


def replay(rt):
    senders = build(rt.settings, rt.clock)
    try:
        return worker.run_once(rt, senders, rt.now())
    finally:
        worker.close(senders)


def test_an_outage_mid_survey_loses_nothing_and_stores_nothing_twice(
        app, rt, surveys, twilio_api, telegram_api):
    client = app.test_client()
    # Before: Alice by SMS and Sam on Telegram at the first question, a visitor on the web too.
    sms(client, ALICE, "Hi")
    sms(client, ALICE, "YES")
    telegram(client, "Hi")
    telegram(client, "YES")
    visitor = Browser(app)
    visitor.open("/s/neighbourhood-policing")
    first = visitor.choose("I agree")
    assert first.question.startswith("How safe do you feel in your local area during the day")
    stored_before = len(inbound_ids(rt))

    with database_down(rt):
        four, said = sms(client, ALICE, "4")
        assert said == []  # an empty TwiML: Twilio is answered, and does not retry a 500
        assert sms(client, ALICE, "4", sid=four)[1] == []  # Twilio sends it again
        two, _ = sms(client, ALICE, "2")
        first_word, _ = sms(client, BEN, "Hello")  # someone new
        update = telegram(client, "5")
        telegram(client, "5", update_id=update)  # Telegram sends it again
        data = {"csrf": first.hidden["csrf"], "step": first.hidden["step"], "answer": "3"}
        kept = visitor.post(data)
        assert kept.status_code == 200
        page = checked(Page(kept.text))
        assert page.one("h1").text == "Your answer is kept"
        assert "come back to this page in a few minutes" in page.one("main").text
        again = checked(Page(visitor.client.get("/s/neighbourhood-policing?lang=pl").text))
        assert again.html_attrs["lang"] == "pl" and "kilka minut" in again.one("main").text
        assert visitor.post(data).status_code == 200  # a second click: kept, stored once
        health = client.get("/healthz")
        # Resent by Twilio, by Telegram, by a second click: one file each.
        assert health.status_code == 503 and health.get_json()["spooled"] == 5
        assert Spool.of(rt.settings).count() == 5

    assert len(inbound_ids(rt)) == stored_before  # nothing reached the database meanwhile
    sms(client, ALICE, "4", sid=four)  # back, and a retry before the worker: waits in line,
    assert client.get("/healthz").get_json()["spooled"] == 5  # as the very message it resends
    done = replay(rt)
    assert done.replayed == 5 and Spool.of(rt.settings).count() == 0
    assert client.get("/healthz").get_json()["spooled"] == 0

    # Nothing lost, nothing twice: each provider id stored once, each answer in its place.
    stored = inbound_ids(rt)
    for key in (four, two, first_word, str(update)):
        assert stored.count(key) == 1, key
    assert len(stored) == stored_before + 5  # 4, 2, Hello, 5 and the form's 3
    assert answers(rt, "tel", ALICE) == {"safe_day": 4, "safe_dark": 2}
    assert answers(rt, "telegram", str(CHAT)) == {"safe_day": 5}
    assert answers(rt, "web", token_of(app, visitor)) == {"safe_day": 3}

    # Everyone answered: by SMS and Telegram through the outbox, on the web on their return.
    to_alice = [m["body"] for m in twilio_api.messages if m["to"] == ALICE]
    assert any("after dark" in body for body in to_alice)  # the question after "4"
    assert len(to_alice) == 2  # after "4", and after "2": once each
    assert [m["to"] for m in twilio_api.messages].count(BEN) >= 1
    assert any("after dark" in text for text in telegram_api.texts_to(CHAT))
    back = visitor.open("/s/neighbourhood-policing")
    assert back.question.startswith("How safe do you feel in your local area after dark")

    # The providers' retries after recovery change nothing.
    sms(client, ALICE, "2", sid=two)
    telegram(client, "5", update_id=update)
    assert len(inbound_ids(rt)) == len(stored)
    assert answers(rt, "tel", ALICE) == {"safe_day": 4, "safe_dark": 2}


@contextmanager
def database_hangs(rt):
    """The app's database accepts connections and never answers (packets dropped on the
    way back): a local listener that takes each connection and says nothing, until the
    block ends."""
    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    port = listener.getsockname()[1]
    try:
        with pointed_at(rt, f"postgresql+psycopg://nobody@127.0.0.1:{port}/none"):
            yield
    finally:
        stop.set()
        thread.join()
        for connection in held:  # a request still waiting meets the end of the connection
            connection.close()
        listener.close()


def within(seconds: float, call):
    """What `call` returns, if it returns within `seconds` (it runs in a thread of its own)."""
    done: list = []
    thread = threading.Thread(target=lambda: done.append(call()), daemon=True)
    thread.start()
    thread.join(seconds)
    assert done, f"no answer within {seconds} s"
    return done[0]


def test_a_database_that_hangs_is_given_up_on_in_time_and_the_message_kept(
        app, rt, surveys, twilio_api):
    """Twilio waits 15 s for an answer, gunicorn 30 s for a worker: a database that never
    answers must be given up on well before, the message kept and Twilio answered."""
    client = app.test_client()
    sms(client, ALICE, "Hi")
    with database_hangs(rt):
        sid, said = within(14, lambda: sms(client, ALICE, "YES"))
        assert said == []  # an empty TwiML: answered, and kept
        assert Spool.of(rt.settings).count() == 1
        health = within(14, lambda: client.get("/healthz"))
        assert health.status_code == 503 and health.get_json()["spooled"] == 1
    done = replay(rt)
    assert done.replayed == 1 and sid in inbound_ids(rt)


def test_a_file_the_replay_cannot_handle_is_set_aside_and_the_round_carries_on(
        app, rt, surveys, twilio_api, caplog):
    """A well-formed file the bot cannot handle (its text is null) once stopped every round
    and stalled the outbox while /healthz stayed green."""
    client = app.test_client()
    kept = Spool.of(rt.settings)
    kept.keep(Inbound("sms", ALICE, None, f"SM{next(_ids):032x}"), Delivery.INLINE)  # type: ignore[arg-type]
    with database_down(rt):
        sid, _ = sms(client, BEN, "Hello")  # kept behind it
    assert kept.count() == 2

    done = replay(rt)
    assert done.replayed == 1 and sid in inbound_ids(rt)  # the round went on past it
    assert [m["to"] for m in twilio_api.messages].count(BEN) >= 1  # the outbox too
    assert kept.count() == 0 and len(kept.set_aside()) == 1
    logged = caplog.text
    assert "could not be replayed" in logged and "AttributeError" in logged
    assert ALICE not in logged and ALICE.lstrip("+") not in logged
    health = client.get("/healthz").get_json()
    assert health["status"] == "ok" and health["spool_failed"] == 1
    assert any("could not be replayed" in w for w in health["warnings"])


def spool_bytes(rt) -> int:
    return sum(path.stat().st_size for path in Spool.of(rt.settings).waiting())


def test_one_visitor_resending_a_huge_answer_keeps_one_small_file(app, rt, surveys):
    """One cookie POSTing a 250 KB answer 40 times during an outage once grew the spool by
    11 MB: the text is cut to what the app would store, and a resend keeps no second file."""
    visitor = Browser(app)
    first = visitor.open("/s/neighbourhood-policing")
    data = {"csrf": first.hidden["csrf"], "step": first.hidden["step"],
            "answer": "x" * 250_000}
    with database_down(rt):
        for _ in range(40):
            kept = visitor.post(data)
            assert kept.status_code == 200
            assert checked(Page(kept.text)).one("h1").text == "Your answer is kept"
    assert Spool.of(rt.settings).count() == 2  # the survey's start and the answer: once
    assert spool_bytes(rt) < 2 * 4 * MAX_TEXT + 4096  # under 4 bytes a character, whatever the text
    replay(rt)
    assert inbound_ids(rt).count(f"{token_of(app, visitor)}.first.0") == 1


def test_the_spool_keeps_no_more_than_its_caps(config, clock, caplog):
    """Anyone able to send can fill the disk during an outage: past its caps (per sender,
    and in all) the spool keeps nothing more, and the request fails as it would without a
    spool (Twilio gets its 500)."""
    app = create_app({**config, "OUTREACH_SPOOL_PER_SENDER": "3", "OUTREACH_SPOOL_MAX_MB": "1"},
                     clock=clock)
    rt, client = app.extensions["outreach"], app.test_client()
    load_surveys(rt)
    with database_down(rt):
        for n in range(3):
            sms(client, ALICE, str(n))
        refused = post_sms(client, ALICE, "one too many")
        assert refused.status_code == 500
        assert Spool.of(rt.settings).count() == 3
        assert "spool" in caplog.text and "refused" in caplog.text
        assert ALICE not in caplog.text and ALICE.lstrip("+") not in caplog.text
        statuses = [post_sms(client, f"+4477009{n:05d}", "\U0001f600" * 6000).status_code
                    for n in range(70)]  # about 20 KB each: 1 MB takes 50
    assert 40 < statuses.count(200) < 55 and statuses.count(500) == 70 - statuses.count(200)
    assert statuses[statuses.index(500):] == [500] * (70 - statuses.index(500))
    assert spool_bytes(rt) <= 1_000_000



def test_a_spool_folder_that_cannot_be_written_is_told_at_start_not_in_the_outage(
        config, clock, tmp_path):
    """A spool folder under a file (or read-only, or on a full disk) was found out only when
    the database went away, and /healthz answered it with a 500: it is warned of at start,
    and /healthz stays up and says so."""
    (tmp_path / "a-file").write_text("not a folder")
    app = create_app({**config, "SAFEGUARDING_LEAD": "telegram:424242",
                      "OUTREACH_SPOOL_DIR": str(tmp_path / "a-file" / "spool")}, clock=clock)
    health = app.test_client().get("/healthz")
    assert health.status_code == 200, health.data
    body = health.get_json()
    assert body["status"] == "ok" and body["spooled"] == 0
    assert any("OUTREACH_SPOOL_DIR" in w and "cannot be written" in w for w in body["warnings"])
    assert str(tmp_path) not in health.text  # the public check names no path
    result = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "warning: OUTREACH_SPOOL_DIR cannot be written" in result.stderr

    writable = create_app({**config, "SAFEGUARDING_LEAD": "telegram:424242"}, clock=clock)
    assert writable.test_client().get("/healthz").get_json() == {"status": "ok", "spooled": 0}
    assert not [p for p in Spool.of(writable.extensions["outreach"].settings).directory.iterdir()
                if not p.name.startswith(".replay")]  # the check leaves nothing behind


@contextmanager
def disk_full_past(size: int):
    """Files of this process cannot grow past `size` bytes (RLIMIT_FSIZE: writes past it
    fail with EFBIG, as on a full disk)."""
    before = resource.getrlimit(resource.RLIMIT_FSIZE)
    handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, before[1]))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, before)
        signal.signal(signal.SIGXFSZ, handler)


def test_a_write_that_fails_leaves_no_hidden_file_and_stale_ones_are_cleared(
        app, rt, surveys, caplog):
    """A temporary file left by a failed write (a full disk) or a crash holds a number and
    an answer where no one looks: a failed write removes its own, the replay clears old ones."""
    client = app.test_client()
    kept = Spool.of(rt.settings)
    with database_down(rt):
        sms(client, BEN, "Hello")  # the folder exists, one file waits
        with disk_full_past(2000):
            assert post_sms(client, ALICE, "a long answer " * 300).status_code == 500
    assert kept.count() == 1
    assert sorted(p.name for p in kept.directory.iterdir()) == sorted(
        [*(p.name for p in kept.waiting())])  # no .tmp beside it

    crashed = kept.directory / ".00000000000000000001-000000-1-abc-def.json.tmp"
    crashed.write_text('{"format": 1}')
    old = time.time() - 3600
    os.utime(crashed, (old, old))
    fresh = kept.directory / ".99999999999999999999-000000-1-abc-def.json.tmp"
    fresh.write_text("{")  # being written now, by a web process: left alone
    assert replay(rt).replayed == 1
    assert not crashed.exists() and fresh.exists()
    assert "1 unfinished file(s)" in caplog.text
