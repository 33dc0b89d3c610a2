"""The `outreach` command as scripts use it: surveys, db, chat, worker."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app import create_app
from bot.conversations import Inbound, handle
from store.models import Message
from tests.helpers.surveys import DEMO, SHIPPED

ROOT = Path(__file__).resolve().parent.parent
BAD = """\
slug: Bad Slug
title: A broken survey
audience: everyone
language: en
intro: Hi
outro: Bye
questions:
  - id: q1
    type: slider
    text: How?
  - id: q1
    type: text
    text: Again?
"""


def test_validate_reports_every_problem_with_file_and_line(app, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD)
    result = app.test_cli_runner().invoke(args=["surveys", "validate", str(bad)])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{bad}:1: 'slug' must be lower-case letters, digits and -",
        f"{bad}:3: 'audience' must be one of residents, youth, members, engagers, registrants",
        f"{bad}:9: unknown type 'slider' (use scale, choice, multi, yesno, number, text)",
        f"{bad}:11: duplicate question id 'q1'",
    ]


LONG = """\
slug: long
title: A survey with a long question
audience: residents
language: en
languages: [en]
intro: Hi
outro: Bye
questions:
  - id: where
    type: choice
    text: Where do you live?
    choices:
""" + "".join(f"      - {{id: place_{n}, text: A rather long name of a place number {n}}}\n"
              for n in range(12))


def test_validate_warns_about_a_message_over_three_sms_parts_and_still_passes(app, tmp_path):
    long = tmp_path / "long.yaml"
    long.write_text(LONG)
    result = app.test_cli_runner().invoke(args=["surveys", "validate", str(long)])
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        f"{long}:11: warning: long/where takes 4 SMS parts in 'en' (515 characters, GSM-7);"
        " keep it within 3",
        "1 survey file(s) OK",
    ]


def test_the_shipped_surveys_validate_with_their_translations(app):
    result = app.test_cli_runner().invoke(
        args=["surveys", "validate", *map(str, SHIPPED)])
    assert result.output.strip() == f"{len(SHIPPED)} survey file(s) OK"
    assert result.exit_code == 0


def test_load_is_idempotent_and_list_shows_the_surveys(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["surveys", "load", str(DEMO)])
    again = runner.invoke(args=["surveys", "load", str(DEMO)])
    assert first.output == "demo: version 1 created\n"
    assert again.output == "demo: version 1 unchanged\n"
    listed = runner.invoke(args=["surveys", "list"]).output
    assert listed.startswith("demo\tv1\tresidents\tDEMO\ten\t6 questions\tDemo survey")


def test_without_files_validate_and_load_take_every_survey_in_surveys_dir(config, tmp_path):
    folder = tmp_path / "surveys"
    folder.mkdir()
    shutil.copy(DEMO, folder / "demo.yaml")
    runner = create_app({**config, "SURVEYS_DIR": str(folder)}).test_cli_runner()
    assert runner.invoke(args=["surveys", "validate"]).output == "1 survey file(s) OK\n"
    assert runner.invoke(args=["surveys", "load"]).output == "demo: version 1 created\n"


def test_without_files_load_says_where_it_looked(config, tmp_path):
    runner = create_app({**config, "SURVEYS_DIR": str(tmp_path)}).test_cli_runner()
    result = runner.invoke(args=["surveys", "load"])
    assert result.exit_code == 2
    assert f"no survey files given and none in {tmp_path}" in result.output


def test_worker_once_at_a_given_time_sends_the_due_nudge(app, rt, surveys, clock):
    for text in ("DEMO", "yes"):
        handle(rt, Inbound("sms", "+447700900777", text))
    later = (clock() + timedelta(hours=25)).isoformat()
    result = app.test_cli_runner().invoke(args=["worker", "--once", "--now", later])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == (
        "resumed 1 conversation(s), handled 1 message(s), translated 0 answer(s)")
    with rt.sessions() as session:
        nudge = session.scalars(select(Message).order_by(Message.id.desc())).first()
    assert nudge.payload["hint"] == "You are part way through our survey. Reply to carry on:"
    assert nudge.body == "How safe do you feel? 1 = very unsafe, 5 = very safe"
    assert (nudge.status, nudge.provider_id) == ("sent", f"console-{nudge.id}")


def _outreach(args, env, stdin=None):
    return subprocess.run([sys.executable, "-m", "app", *args], input=stdin,
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)


def _fresh(tmp_path, name):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE", "TWILIO",
                                                                     "TELEGRAM"))}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / name}.db", SECRET_KEY="x",
               INSTANCE_PATH=str(tmp_path / name), DEFAULT_SURVEY="neighbourhood-policing")
    assert _outreach(["db", "upgrade"], env).returncode == 0
    loaded = _outreach(["surveys", "load", *map(str, SHIPPED)], env)
    assert loaded.returncode == 0, loaded.stderr
    return env


def test_chat_piped_gives_the_same_replies_on_every_run(tmp_path):
    script = "hello\nyes\n2\n5\nNu am încredere\n"
    runs = [_outreach(["chat", "--from", "07700 900999"], _fresh(tmp_path, n), script)
            for n in ("one", "two")]
    assert runs[0].returncode == 0, runs[0].stderr
    assert runs[0].stdout == runs[1].stdout
    assert "How safe do you feel" in runs[0].stdout


def test_help_is_the_projects_own(tmp_path):
    env = dict(os.environ, SECRET_KEY="x", INSTANCE_PATH=str(tmp_path))
    result = _outreach(["--help"], env)
    assert result.returncode == 0, result.stderr
    assert "assembly-outreach" in result.stdout
    for command in ("chat", "db", "serve", "surveys", "worker"):
        assert f"\n  {command} " in result.stdout
    for flask_word in ("Flask", "--app", "-A", "--env-file", "--version", "--debug"):
        assert flask_word not in result.stdout


@pytest.mark.parametrize("form", [
    "2026-11-25T10:00", "2026-11-25T10:00:00Z", "2026-11-25T10:00:00.250000+00:00",
    "2026-11-25T11:00:00.5+01:00", "20261125T100000Z", "2026-11-25 10:00:00",
])
def test_worker_now_takes_any_iso_8601_form(app, form):
    result = app.test_cli_runner().invoke(args=["worker", "--now", form])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("resumed 0 conversation(s)")


def test_worker_now_refuses_what_is_not_a_moment(app):
    result = app.test_cli_runner().invoke(args=["worker", "--now", "next tuesday"])
    assert result.exit_code == 2
    assert "'next tuesday' is not an ISO 8601 date and time" in result.output


def test_a_piped_chat_of_hundreds_of_lines_is_answered_to_the_last_line(tmp_path):
    """The operator's own tool is never held back by the loop guard, however fast it reads."""
    env = _fresh(tmp_path, "long")
    script = "hello\nyes\n" + "".join(f"line {n}\n" for n in range(198))
    result = _outreach(["chat", "--from", "07700 900999"], env, script)
    assert result.returncode == 0, result.stderr
    assert "very fast" not in result.stdout
    app = create_app({"DATABASE_URL": env["DATABASE_URL"], "SECRET_KEY": "x",
                      "INSTANCE_PATH": env["INSTANCE_PATH"]})
    with app.extensions["outreach"].sessions() as session:
        inbound = session.scalars(select(Message).where(Message.direction == "in")).all()
        answered = set(session.scalars(select(Message.reply_to_id)
                                       .where(Message.direction == "out")))
    app.extensions["outreach"].engine.dispose()
    assert len(inbound) == 200
    assert [m.body for m in inbound if m.id not in answered] == []


def test_a_setting_that_cannot_be_used_is_named_without_a_traceback(tmp_path):
    env = dict(os.environ, SECRET_KEY="x", INSTANCE_PATH=str(tmp_path),
               SURVEY_NUDGE_AFTER="1.5h")
    result = _outreach(["surveys", "list"], env)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "configuration: SURVEY_NUDGE_AFTER: not a duration: '1.5h'" in result.stderr


def test_chat_says_when_a_message_gets_no_reply(tmp_path):
    env = _fresh(tmp_path, "quiet")
    result = _outreach(["chat", "--from", "07700 900998"], env, "hello\nSTOP\nhello again\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout.rstrip().endswith("(no reply)")
    assert result.stdout.count("(no reply)") == 1


def test_the_worker_warns_at_start_while_no_safeguarding_lead_is_set(config, clock):
    """A coordinator starting the worker (alone, or by `make run`) is told on standard error
    that nobody would hear of a disclosure; it runs all the same. Set, nothing is said."""
    for lead, warned in ((None, True), ("telegram:424242", False)):
        app = create_app({**config, **({"SAFEGUARDING_LEAD": lead} if lead else {})},
                         clock=clock)
        result = app.test_cli_runner().invoke(args=["worker", "--once"])
        assert result.exit_code == 0, result.output
        assert result.stdout.startswith("resumed 0 conversation(s)")
        assert ("warning: SAFEGUARDING_LEAD is not set" in result.stderr) is warned
        assert "424242" not in result.output
        app.extensions["outreach"].engine.dispose()
