"""No page, command or export joins a named person to their survey answers.

An assembly member (a name on the roster) also answers the residents' survey from the same
phone — whose consent says the answers are kept apart from the number — with answers no one
else gives, and discloses something as their free-text answer, which raises an alert. Every
staff GET route (read from the app's URL map, ids filled with real rows), every CLI listing
command and every export (CSV, XLSX, JSONL, the API, the evidence pack) is then read, as an
admin would: none may show the member's name together with any of those answers, nor the
anonymous survey they were answering; and no export row holding their answers may carry
the disclosure, which the alert shows beside their name (it reads "[withheld: …]").
"""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta
from html import unescape

import click
import openpyxl
import pytest
from sqlalchemy import select

from bot.conversations import Inbound, handle
from store.models import Alert, Answer, AssemblySession, Response
from tests.helpers.cli import outreach
from tests.helpers.members import add_session, import_members
from tests.helpers.staff import add_user, sign_in

NAME = "Rosalind Quennell-Abara"
PHONE = "+447700900555"
ADMIN = "admin@example.org"
SURVEY = "neighbourhood-policing"
DISCLOSURE = "my stepdad hits me and I don't want to go home"
# What the member types, question after question: the personal questions (ward, gender,
# ethnic group, disability) carry answers nobody else gives; the free text (question 8 of
# 18) is the disclosure.
SAID = ["SAFETY", "YES", "3", "2", "1,3", "2", "no", "2", DISCLOSURE, "2", "12", "25 to 34",
        "Leyton", "Cathall", "Woman", "Asian", "Yes, a lot"]
# The answers as they would show: stored values and the words typed (case ignored).
ANSWERS = ["cathall", "woman", "asian", "yes_a_lot", "yes, a lot"]
WITHHELD = "[withheld: it raised an alert]"
# Commands that list or show (arguments filled in below); writing ones are not walked.
READERS = {"list", "show", "plan", "failed", "rsvps"}


@pytest.fixture
def config(config):
    return {**config, "SAFEGUARDING_LEAD": "+447700900999"}


@pytest.fixture
def disclosed(app, rt, surveys, clock):
    """The member, their answers to the residents' survey, then their disclosure."""
    add_user(rt, ADMIN, "admin")
    import_members(rt, f"{NAME},{PHONE},,en,sms,")
    add_session(rt, "Weekend 1", "2026-03-14T10:00")
    for text in SAID:
        clock.advance(timedelta(minutes=2))
        handle(rt, Inbound("sms", PHONE, text))
    with rt.sessions() as session:
        stored = session.scalars(select(Answer).join(Response)).all()
        [alert] = session.scalars(select(Alert)).all()
        session_id = session.scalar(select(AssemblySession.id))
    typed = " ".join(str(a.value) + " " + a.raw_text for a in stored).lower()
    assert all(answer in typed for answer in [*ANSWERS, DISCLOSURE.lower()]), typed
    assert (alert.kind, alert.survey, alert.question) == ("wellbeing", SURVEY, "build_trust")
    return {"alert_id": alert.id, "session_id": session_id,
            "title": surveys[SURVEY].title}


def joins(text: str, title: str) -> list[str]:
    """What is shown beside the member's name in `text` that must not be (nothing, we
    hope): their answers, or the anonymous survey they were answering."""
    if NAME.lower() not in text.lower():
        return []
    return [answer for answer in [*ANSWERS, title.lower()] if answer in text.lower()]


def disclosed_beside_answers(text: str) -> list[str]:
    """The rows (lines: a CSV, XLSX or JSONL row, an API page) holding the member's answers
    that also hold the disclosure, which the alert shows beside their name (none, we hope)."""
    return [row for row in text.splitlines() if DISCLOSURE.lower() in row.lower()
            and any(answer in row.lower() for answer in ANSWERS)]


def staff_pages(app, client, ids: dict) -> dict[str, str]:
    """Every GET route of the staff area and the API, with ids of real rows."""
    shown = {}
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or not rule.rule.startswith(("/staff", "/api")) or (
                rule.endpoint.endswith(".static")):
            continue
        args = {name: ids.get(f"{rule.endpoint}.{name}", ids.get(name))
                for name in rule.arguments}
        path = app.url_map.bind("localhost").build(rule.endpoint, args)
        for query in ([f"survey={SURVEY}&format={f}" for f in ("csv", "xlsx", "jsonl")]
                      if rule.endpoint == "staff.export_download" else
                      [f"survey={SURVEY}"] if rule.rule.startswith("/api") else [""]):
            response = client.get(f"{path}?{query}", headers=ids["api"] if path.startswith(
                "/api") else {})
            assert response.status_code == 200, (path, response.status_code)
            shown[f"{path}?{query}"] = readable(response.data, response.mimetype)
    return shown


def readable(data: bytes, mimetype: str) -> str:
    if "spreadsheet" in mimetype:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
        return "\n".join(" ".join(str(c) for c in row if c is not None)
                         for sheet in book for row in sheet.iter_rows(values_only=True))
    text = data.decode("utf-8-sig")
    return unescape(text) if "html" in mimetype else text  # as a reader sees the words


def commands(app, ids: dict, tmp_path) -> dict[str, str]:
    """Every CLI listing command, and the exports and the pack written to files."""
    shown = {}
    for group_name, group in app.cli.commands.items():
        if not isinstance(group, click.Group):
            continue
        for name, command in group.commands.items():
            if name not in READERS:
                continue
            args = [str(ids[p.name]) for p in command.params if isinstance(p, click.Argument)]
            for extra in ([[], ["--all"]] if any(p.name == "everything" for p in command.params)
                          else [[]]):
                result = outreach(app, group_name, name, *args, *extra)
                assert result.exit_code == 0, (group_name, name, result.output)
                shown[" ".join([group_name, name, *args, *extra])] = result.output
    for form in ("csv", "xlsx", "jsonl"):
        out = tmp_path / f"export.{form}"
        result = outreach(app, "export", "responses", "--survey", SURVEY, "--format", form,
                          "--out", str(out))
        assert result.exit_code == 0, result.output
        shown[f"export {form}"] = readable(out.read_bytes(), "spreadsheet" if form == "xlsx"
                                           else "text")
    pack = tmp_path / "pack.html"
    assert outreach(app, "evidence-pack", "--out", str(pack)).exit_code == 0
    shown["evidence-pack"] = unescape(pack.read_text(encoding="utf-8"))
    return shown


def test_no_page_command_or_export_shows_a_members_name_beside_their_answers(
        app, rt, disclosed, tmp_path):
    client = app.test_client()
    sign_in(client, ADMIN)
    token = re.search(r"oat_\S+", outreach(app, "staff", "token", ADMIN).output).group(0)
    ids = {**disclosed, "api": {"Authorization": f"Bearer {token}"},
           "name": "heard",  # a dashboard table as CSV
           "staff_lottery.table_csv.name": "channels"}  # the lottery page's
    shown = {**staff_pages(app, client, ids), **commands(app, ids, tmp_path)}

    assert {where: found for where, found in
            ((where, joins(text, disclosed["title"])) for where, text in shown.items())
            if found} == {}
    assert {where: rows for where, text in shown.items()
            if (rows := disclosed_beside_answers(text))} == {}
    # The walk reads what it should: the name where a lead needs it, the answers in the
    # exports (apart from any name) with the disclosure withheld, the disclosure beside
    # the name.
    named = [where for where, text in shown.items() if NAME in text]
    assert {"/staff/alerts?", f"/staff/alerts/{disclosed['alert_id']}?",
            f"alerts show {disclosed['alert_id']}", "members list"} <= set(named)
    exported = [where for where, text in shown.items()
                if all(answer in text.lower() for answer in ("cathall", "asian"))]
    assert {"export csv", "export xlsx", "export jsonl", "/api/v1/responses?survey="
            + SURVEY} <= set(exported)
    assert all(WITHHELD in json.loads(row)["build_trust"]
               for row in shown["export jsonl"].splitlines())
    assert DISCLOSURE in shown[f"alerts show {disclosed['alert_id']}"]
    assert DISCLOSURE in shown[f"/staff/alerts/{disclosed['alert_id']}?"]
