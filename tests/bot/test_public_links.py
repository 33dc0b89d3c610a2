"""Links that reach people (bot/outbox.py `refuse_local_links`): with PUBLIC_BASE_URL unset
or local, nothing that carries a link to this machine is queued or shared — the members'
welcome, an engager's web link and QR code, any message — and `outreach` says which setting
to change; `outreach chat`, which only prints, still works."""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import func, select

from app import create_app
from bot import outbox
from bot.config import local_host
from bot.members import sessions
from bot.messages import Delivery, record_replies
from bot.state import Reply
from store.db import transaction
from store.models import Contact, Engager, Member, Message
from tests.helpers.cli import outreach
from tests.helpers.members import HEADER, add_session, import_members
from tests.helpers.surveys import load_surveys

LOCAL = [None, "http://127.0.0.1:5000", "http://localhost:5101", "http://[::1]:8000/outreach"]
ROWS = ("Ana Popescu,07700 900101,,ro,sms,", "Kasia Nowak,07700900102,,pl,sms,")


@pytest.fixture(params=LOCAL, ids=["unset", "127.0.0.1", "localhost", "::1"])
def local_app(request, config, clock):
    settings = {k: v for k, v in config.items() if k != "PUBLIC_BASE_URL"}
    if request.param is not None:
        settings["PUBLIC_BASE_URL"] = request.param
    app = create_app(settings, clock=clock)
    load_surveys(app.extensions["outreach"])
    yield app
    app.extensions["outreach"].engine.dispose()


def count(app, model, *where) -> int:
    with app.extensions["outreach"].sessions() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def refused(result, host_in: tuple[str, ...] = ("127.0.0.1", "localhost", "::1")) -> str:
    """The one-line error `outreach` gives: exit 1, PUBLIC_BASE_URL named, no traceback."""
    assert result.exit_code == 1, result.output
    [line] = [line for line in result.output.splitlines() if line.startswith("Error: ")]
    assert "PUBLIC_BASE_URL" in line and "Traceback" not in result.output
    assert any(f"{host} is this machine or its local network: no one else can open a link "
               "to it" in line
               for host in host_in), line
    return line


# The members' welcome ------------------------------------------------------------------------


def test_members_import_refuses_a_welcome_with_a_local_calendar_link(local_app, tmp_path):
    path = tmp_path / "members.csv"
    path.write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
    line = refused(outreach(local_app, "members", "import", str(path)))
    assert line.startswith(f"Error: {path}: nothing imported (the welcome carries each "
                           "member's calendar link): ")
    assert "so the message was refused" in line
    assert count(local_app, Member) == 0 and count(local_app, Message) == 0
    # Without the welcome there is no link to send: the roster imports
    result = outreach(local_app, "members", "import", str(path), "--no-welcome")
    assert result.exit_code == 0, result.output
    assert count(local_app, Member) == 2 and count(local_app, Message) == 0


def test_members_list_shows_no_local_calendar_link_to_hand_out(local_app, tmp_path):
    path = tmp_path / "members.csv"
    path.write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
    assert outreach(local_app, "members", "import", str(path), "--no-welcome").exit_code == 0
    listed = outreach(local_app, "members", "list").output
    assert "/m/" not in listed and "M001\tAna Popescu\tsms\tro\tno\t-" in listed
    assert listed.splitlines()[-1] == (
        "note: calendar links appear once PUBLIC_BASE_URL is the public address people reach "
        "this service at (docs/configuration.md)")


def test_members_import_queues_the_welcome_with_a_public_link(app, surveys, tmp_path):
    path = tmp_path / "members.csv"
    path.write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
    result = outreach(app, "members", "import", str(path))
    assert result.exit_code == 0, result.output
    with app.extensions["outreach"].sessions() as session:
        bodies = session.scalars(select(Message.body)).all()
    assert len(bodies) == 2
    assert all("https://outreach.example.org/m/" in body for body in bodies)


# An engager's links and QR code ---------------------------------------------------------------


def test_engagers_add_refuses_a_local_web_link_and_qr_code(local_app, tmp_path):
    line = refused(outreach(local_app, "engagers", "add", "--name", "Amina", "--phone",
                            "07700 900302", "--qr-dir", str(tmp_path / "qr")))
    assert "so the engager (their web link and QR code) was refused" in line
    assert count(local_app, Engager) == 0 and count(local_app, Contact) == 0
    assert not (tmp_path / "qr").exists()


def test_engagers_add_shares_the_public_address(app, surveys, tmp_path):
    result = outreach(app, "engagers", "add", "--name", "Amina", "--qr-dir", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "web\thttps://outreach.example.org/s/youth-voice?ref=" in result.output


# Every path: the outbox and inline replies ------------------------------------------------------


@pytest.mark.parametrize("text", [
    "Your calendar: http://127.0.0.1:5000/m/abc.ics",
    "Open HTTP://LOCALHOST:5101/s/youth-voice?ref=K7P2QX now",
    "See http://[::1]/progress.",
    "See https://0.0.0.0:8443/x",
    "See http://app.localhost/x",
    "Your calendar: http://192.168.1.20:5000/m/abc.ics",
    "See http://10.0.0.5/x",
    "See http://outreach.local/x",
    "See http://localhost./x",
    "See http://169.254.10.1/x",
    "See http://outreach.internal/x and http://box.lan/y",
])
def test_no_path_queues_or_sends_a_link_to_this_machine(rt, text):
    now = rt.now()
    with pytest.raises(outbox.LocalLink, match="PUBLIC_BASE_URL"), \
            transaction(rt.sessions) as session:
        outbox.enqueue(session, "sms", "+447700900101", Reply(text), now)
    with pytest.raises(outbox.LocalLink), transaction(rt.sessions) as session:
        record_replies(session, [Reply(text)], "sms", "+447700900101", None, now,
                       Delivery.INLINE, None)  # TwiML: it goes to a phone as well
    with transaction(rt.sessions) as session:  # the web form, `outreach chat`: shown here
        record_replies(session, [Reply(text)], "web", "token", None, now, Delivery.SHOWN,
                       None)
    with rt.sessions() as session:
        assert session.scalars(select(Message.status)).all() == ["sent"]


@pytest.mark.parametrize("text", [
    "Your calendar: https://outreach.example.org/m/abc.ics",
    "Open https://t.me/wf_outreach_bot?start=link_K7PQX2MD",
    "See http://127.0.0.1.example.org/x and https://localhost.example.org/y",
    "Call 127.0.0.1 or write to localhost",  # not a link
])
def test_links_to_anywhere_else_are_queued(rt, text):
    with transaction(rt.sessions) as session:
        assert outbox.enqueue(session, "sms", "+447700900101", Reply(text), rt.now())


@pytest.mark.parametrize("url, host", [
    ("http://127.0.0.1:5000", "127.0.0.1"), ("http://127.1.2.3/x", "127.1.2.3"),
    ("http://localhost", "localhost"), ("https://LOCALHOST:8443/", "localhost"),
    ("http://[::1]:5000", "::1"), ("http://0.0.0.0:8000", "0.0.0.0"),
    ("https://outreach.example.org", None), ("https://10.0.0.5", "10.0.0.5"),
    ("http://192.168.1.20:5000", "192.168.1.20"), ("http://outreach.local", "outreach.local"),
    ("http://localhost.", "localhost."), ("http://[fe80::1]/x", "fe80::1"),
    ("https://93.184.215.14", None),
    ("https://localhost.example.org", None), ("http://[::1", None),
])
def test_local_hosts(url, host):
    assert local_host(url) == host


# `outreach chat` prints; nobody else receives what it answers ----------------------------------


def test_chat_still_works_with_a_local_public_address(local_app):
    result = outreach(local_app, "chat", "--from", "07700 900999", input="hello\nyes\n")
    assert result.exit_code == 0, result.output
    assert "How safe do you feel" in result.output


# The members' calendar ---------------------------------------------------------------------------


def _uids(app, token: str) -> list[str]:
    response = app.test_client().get(f"/m/{token}.ics")
    assert response.status_code == 200
    return re.findall(r"^UID:(.*)\r$", response.get_data(as_text=True), re.M)


def test_calendar_uids_name_no_host_and_never_change(local_app, config, clock):
    rt = local_app.extensions["outreach"]
    [ana] = import_members(rt, ROWS[0])
    day1 = add_session(rt, "Day 1", "2026-03-28T10:00")
    add_session(rt, "Day 2", "2026-03-29T10:00")
    uids = _uids(local_app, ana.token)
    assert len(set(uids)) == 2 and all(uuid.UUID(uid) for uid in uids)
    assert not any(host in uid for uid in uids for host in ("127.0.0.1", "localhost", "::1"))
    with transaction(rt.sessions) as session:  # the day moves: the same event, moved
        sessions.edit(rt, session, day1.id, sessions.Details(
            "Day 1", day1.starts_at.replace(hour=11), day1.ends_at, day1.venue), rt.now())
    public = create_app(config, clock=clock)  # PUBLIC_BASE_URL set at last
    assert _uids(local_app, ana.token) == _uids(public, ana.token) == uids
    public.extensions["outreach"].engine.dispose()
