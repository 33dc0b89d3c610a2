"""`outreach lottery status`: the staff page's figures as text, run as a coordinator runs
it; small counts read "fewer than 5", no name or phone number is printed."""

from __future__ import annotations

from datetime import UTC, datetime

from bot import suppress
from store.db import transaction
from store.models import Run
from tests.helpers.cli import outreach
from tests.helpers.lottery_rows import (
    NAME,
    PHONE,
    add_draw,
    add_registrant,
    add_target,
    load_registration,
)

WOMAN = {"gender": "woman", "disability": "no"}
MAN = {"gender": "man", "disability": "yes"}


def lines_with(output: str, start: str) -> list[str]:
    return [line.strip() for line in output.splitlines() if line.strip().startswith(start)]


def test_status_before_any_letter_says_what_to_do(app):
    result = outreach(app, "lottery", "status")
    assert result.exit_code == 0, result.output
    assert "outreach lottery invite" in result.output


def test_status_prints_targets_wards_and_the_panel(app, rt, clock):
    clock.set(datetime(2027, 1, 10, 12, tzinfo=UTC))
    load_registration(rt)
    letters = add_draw(rt, ["Forest"] * 40 + ["Cathall"] * 20 + ["Endlebury"] * 10)
    for n in range(30):
        add_registrant(rt, letters[n], WOMAN, status="confirmed" if n < 20 else "registered")
    for n in range(6):
        add_registrant(rt, letters[60 + n], WOMAN)
    for n in range(3):
        add_registrant(rt, letters[40 + n], MAN, status="declined", language="ur")
    add_target(rt, "gender", "male", 10, 30)
    result = outreach(app, "lottery", "status")
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.startswith("Registration open; registered: 39.")
    [male] = [line for line in lines_with(out, "gender") if "Male" in line]
    assert male.split()[1:] == ["Male", "10", "30", *suppress.FEWER.split(), "short", "of",
                                "the", "minimum"]
    [forest] = lines_with(out, "Forest")
    assert forest.split() == ["Forest", "40", "30", "75.0"]
    [cathall] = lines_with(out, "Cathall")
    assert cathall.split() == ["Cathall", "20", *suppress.FEWER.split()]
    [endlebury] = lines_with(out, "Endlebury")  # 39 - 30 - 6 would tell Cathall's 3
    assert endlebury.split() == ["Endlebury", "10", *suppress.HIDDEN.split()]
    assert lines_with(out, "Places to fill")[0].split()[-1] == "30"  # 50 - 20 confirmed
    assert "The panel of 50" in out
    assert "Places to fill counts seats, not people" in out
    assert lines_with(out, "Confirmed")[0].split() == ["Confirmed", "20"]
    assert lines_with(out, "Declined")[0].endswith(suppress.FEWER)
    assert NAME not in out and PHONE[:-3] not in out


def test_status_after_a_selection_gives_its_panel_and_the_places_to_fill(app, rt, clock):
    """After `select --panel 8` (a Run), the panel is 8, not the assembly file's 50; places
    to fill is a number even where it tells the waiting's hidden count, and says why."""
    clock.set(datetime(2027, 1, 10, 12, tzinfo=UTC))
    load_registration(rt)
    letters = add_draw(rt, ["Forest"] * 20)
    statuses = ["confirmed"] * 5 + ["selected"] * 2 + ["registered"] * 13
    for letter, status in zip(letters, statuses, strict=True):
        add_registrant(rt, letter, WOMAN, status=status)
    with transaction(rt.sessions) as session:
        session.add(Run(kind="select", seed="s", wanted=8, algorithm="maximin",
                        library_version="0.12.15"))
    out = outreach(app, "lottery", "status").output
    assert "The panel of 8" in out and "The panel of 50" not in out
    assert lines_with(out, "Selected, waiting")[0].endswith(suppress.FEWER)
    assert lines_with(out, "Places to fill")[0].split() == ["Places", "to", "fill", "1"]
    assert "they cannot point at anyone" in " ".join(out.split())
