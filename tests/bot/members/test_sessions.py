"""`outreach sessions add` and `edit` as a coordinator meets them: the same session twice is
refused, and a date that cannot be read says what is wrong with it and how to write it."""

from __future__ import annotations

import pytest

from bot.members import job
from store.models import AssemblySession
from tests.helpers.db import count
from tests.helpers.members import at, import_members

DAY_1 = ["--name", "Day 1", "--starts", "2026-03-14T10:00", "--ends", "2026-03-14T16:30",
         "--venue", "Walthamstow Assembly Hall"]


@pytest.fixture
def runner(app, surveys):
    return app.test_cli_runner()


def add(runner, *args: str):
    return runner.invoke(args=["sessions", "add", *args])


# The same session twice ------------------------------------------------------------------


def test_the_same_session_added_twice_is_refused_and_reminded_once(runner, rt):
    import_members(rt, "Ana Popescu,07700 900101,,ro,sms,")
    assert add(runner, *DAY_1).exit_code == 0
    again = add(runner, "--name", " day 1", "--starts", "2026-03-14T10:00", "--ends",
                "2026-03-14T16:30", "--venue", "Walthamstow  Assembly Hall ")
    assert again.exit_code == 1
    assert again.output.strip() == (
        "Error: session #1 is already 'Day 1' at these times at 'Walthamstow Assembly Hall': "
        "nothing added (outreach sessions list shows them; outreach sessions edit 1 changes "
        "that one)")
    assert count(rt, AssemblySession) == 1
    assert job.send_due(rt, at("2026-03-13T18:00")) == 1  # one reminder, not two


@pytest.mark.parametrize("differs", [
    ["--name", "Day 2"], ["--venue", "Leyton Library"], ["--ends", "2026-03-14T16:00"],
    ["--starts", "2026-03-14T09:30"],
])
def test_a_session_that_differs_in_anything_is_added(runner, rt, differs):
    assert add(runner, *DAY_1).exit_code == 0
    args = list(DAY_1)
    args[args.index(differs[0]) + 1] = differs[1]
    assert add(runner, *args).exit_code == 0, differs
    assert count(rt, AssemblySession) == 2


def test_an_edit_that_would_make_two_the_same_is_refused(runner, rt):
    assert add(runner, *DAY_1).exit_code == 0
    assert add(runner, *[("Day 2" if a == "Day 1" else a) for a in DAY_1]).exit_code == 0
    edited = runner.invoke(args=["sessions", "edit", "2", "--name", "Day 1"])
    assert edited.exit_code == 1
    assert "session #1 is already 'Day 1' at these times" in edited.output
    assert "nothing changed" in edited.output
    listed = runner.invoke(args=["sessions", "list"]).output.splitlines()
    assert [line.split("\t")[1] for line in listed[1:]] == ["Day 1", "Day 2"]
