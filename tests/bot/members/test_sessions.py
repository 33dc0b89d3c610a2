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


# Dates that cannot be read -----------------------------------------------------------------

HOW = ("Write it as year-month-day, T, then the 24-hour time: 2026-03-07T10:00 is Saturday 7 "
       "March 2026 at 10:00")  # the tests' clock: Monday 2 March 2026


@pytest.mark.parametrize(("typed", "said"), [
    ("31/02/2027", f"'31/02/2027': 31 February 2027 does not exist (February 2027 has 28 "
                   f"days). {HOW}"),
    ("2027-02-31T10:00", f"'2027-02-31T10:00': 31 February 2027 does not exist (February 2027 "
                         f"has 28 days). {HOW}"),
    ("2028-02-30T10:00", f"'2028-02-30T10:00': 30 February 2028 does not exist (February 2028 "
                         f"has 29 days). {HOW}"),
    ("2027-13-01", f"'2027-13-01': there is no month 13. {HOW}"),
    ("32/01/2027", f"'32/01/2027': there is no day 32 in any month. {HOW}"),
    ("2027-03-13T25:00", f"'2027-03-13T25:00': there is no hour 25 (00 to 23). {HOW}"),
    ("next saturday", f"'next saturday' is not a date and time. {HOW}"),
    ("13/03/2027 10:00", "'13/03/2027 10:00' is day/month/year: write it as 2027-03-13T10:00 "
                         "(year-month-day, T, then the 24-hour time)"),
    ("13/03/2027", "'13/03/2027' is day/month/year: write it as 2027-03-13T10:00 "
                   "(year-month-day, T, then the 24-hour start time)"),
    ("2027-3-13T9:30", "'2027-3-13T9:30' is not ISO 8601 as written: write it as "
                       "2027-03-13T09:30 (year-month-day, T, then the 24-hour time)"),
    ("2027-06-01", "'2027-06-01' is a date without a time: a session needs its times, e.g. "
                   "2027-06-01T10:00"),
])
def test_a_date_that_cannot_be_read_says_why_and_how_to_write_it(runner, rt, typed, said):
    result = add(runner, "--name", "Day 1", "--starts", typed, "--ends", "2027-03-13T16:00",
                 "--venue", "Hall")
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == f"Error: Invalid value for '--starts': {said}"
    assert count(rt, AssemblySession) == 0


def test_the_end_and_an_edit_are_read_the_same_way(runner, rt):
    ends = add(runner, "--name", "Day 1", "--starts", "2027-03-13T10:00", "--ends", "16:00",
               "--venue", "Hall")
    assert ends.output.splitlines()[-1] == (
        f"Error: Invalid value for '--ends': '16:00' is not a date and time. {HOW}")
    assert add(runner, *DAY_1).exit_code == 0
    edited = runner.invoke(args=["sessions", "edit", "1", "--starts", "14/03/2026 11:00"])
    assert edited.exit_code == 2
    assert "write it as 2026-03-14T11:00" in edited.output
