"""`outreach lottery select` and `replace`: the Sortition Foundation's library, run as a
separate program, draws a panel meeting every loaded target, one person per household, the
same panel for the same seed; a replacement keeps the targets it can and says which not.

These need the library (`make lottery-env`, which `make test` runs first)."""

from __future__ import annotations

import csv
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

import assembly
from lottery import library
from lottery.selection import people as pool_people
from lottery.targets import dimensions, registration_survey
from store.db import transaction
from store.models import Draw, Registrant, Run, Target
from tests.helpers.cli import outreach
from tests.helpers.db import rows
from tests.helpers.lottery import invite
from tests.helpers.lottery_pool import add_pool, answers, load_registration

PANEL, RESERVES = 10, 3
# The made-up survey's choices and the categories they stand for (written out by hand, not
# read through the code under test)
CATEGORY = {
    ("age_band", "16_29"): "aged_15_19+aged_20_24+aged_25_29",
    ("age_band", "30_44"): "aged_30_34+aged_35_39+aged_40_44",
    ("age_band", "45_64"): "aged_45_49+aged_50_54+aged_55_59+aged_60_64",
    ("age_band", "65_plus"): "aged_65_69+aged_70_74+aged_75_79+aged_80_84+aged_85_plus",
    ("gender", "woman"): "female", ("gender", "man"): "male",
    ("ethnic_group", "asian"): "asian", ("ethnic_group", "black"): "black",
    ("ethnic_group", "mixed"): "mixed", ("ethnic_group", "white"): "white",
    ("ethnic_group", "other"): "other",
    ("disability", "yes_a_lot"): "disabled", ("disability", "yes_a_little"): "disabled",
    ("disability", "no"): "not_disabled",
    ("main_language", "english"): "english", ("main_language", "other"): "not_english",
}
DIMENSION = {"age_band": "age", "gender": "gender", "ethnic_group": "ethnic_group",
             "disability": "disability", "main_language": "language"}


@pytest.fixture(autouse=True)
def sortition():
    """The library's command, or a skip that says how to get it."""
    try:
        return library.command(None)
    except library.LibraryMissing as exc:
        pytest.skip(f"{exc} (`make test` makes it)")


def _pool(app, rt, tmp_path, people, households=None, edit=None):
    """Registrants from `people` (answers), targets proposed for PANEL, reviewed (`edit`
    changes rows) and loaded; the registrants' ids -> their answers."""
    with transaction(rt.sessions) as session:
        load_registration(session)
        ids = add_pool(session, people, households)
    path = tmp_path / "targets.csv"
    assert outreach(app, "lottery", "targets", "--panel", str(PANEL), "--out",
                    str(path)).exit_code == 0
    if edit:
        lines = path.read_text().splitlines()
        path.write_text("\n".join(edit(line) for line in lines) + "\n")
    result = outreach(app, "lottery", "targets", "--load", str(path), "--panel", str(PANEL))
    assert result.exit_code == 0, result.output
    return dict(zip(ids, people, strict=True))


def _select(app, tmp_path, seed="published seed 2027", *more):
    return outreach(app, "lottery", "select", "--panel", str(PANEL), "--reserves",
                    str(RESERVES), "--seed", seed, "--report", str(tmp_path / "report.html"),
                    *more)


def _counts(answers_of, ids):
    found = Counter()
    for rid in ids:
        for question, choice in answers_of[rid].items():
            if question in DIMENSION:
                found[DIMENSION[question], CATEGORY.get((question, choice), "not_stated")] += 1
    return found


def _status(rt, *statuses):
    return [r.id for r in rows(rt, Registrant, Registrant.status.in_(statuses))]


def _meets_every_target(rt, answers_of, ids):
    counts = _counts(answers_of, ids)
    for t in rows(rt, Target):
        assert t.min <= counts[t.dimension, t.category] <= t.max, (t.dimension, t.category)


HOUSEHOLDS = [n // 2 for n in range(30)] + list(range(15, 65))  # 15 pairs share a letter


def test_select_meets_every_target_one_per_household(app, rt, tmp_path):
    answers_of = _pool(app, rt, tmp_path, answers(80), HOUSEHOLDS)
    result = _select(app, tmp_path)
    assert result.exit_code == 0, result.output
    chosen, spare = _status(rt, "selected"), _status(rt, "reserve")
    assert (len(chosen), len(spare)) == (PANEL, RESERVES)
    assert f"{PANEL} selected, {RESERVES} reserve(s)" in result.output
    _meets_every_target(rt, answers_of, chosen)
    letters = [r.letter_id for r in rows(rt, Registrant, Registrant.id.in_(chosen + spare))]
    assert len(set(letters)) == len(letters)  # nobody shares an address with another drawn
    [run] = rows(rt, Run)
    assert (run.kind, run.seed, run.wanted, run.reserves, run.algorithm) == (
        "select", "published seed 2027", PANEL, RESERVES, "maximin")
    assert run.library_version == library.installed(library.command(None)).version != "unknown"
    assert run.report["seed_number"] == library.seed_number("published seed 2027")
    everyone = rows(rt, Registrant)
    assert all(r.run_id == run.id and r.probability is not None for r in everyone)
    # the chances the library gives add up to the panel
    assert sum(r.probability for r in everyone) == pytest.approx(PANEL, abs=0.01)
    assert str((tmp_path / "report.html").resolve()) in result.output


def test_same_seed_same_panel(app, rt, tmp_path):
    _pool(app, rt, tmp_path, answers(80), HOUSEHOLDS)
    assert _select(app, tmp_path, "seed A").exit_code == 0
    first = (_status(rt, "selected"), _status(rt, "reserve"))
    again = _select(app, tmp_path, "seed A", "--again")
    assert again.exit_code == 0, again.output
    assert (_status(rt, "selected"), _status(rt, "reserve")) == first
    assert _select(app, tmp_path, "seed B", "--again").exit_code == 0
    assert _status(rt, "selected") != first[0]


def test_refused_without_targets(app, rt, tmp_path):
    with transaction(rt.sessions) as session:
        load_registration(session)
        add_pool(session, answers(20))
    result = _select(app, tmp_path)
    assert result.exit_code == 1
    assert "no targets are loaded" in result.output
    assert rows(rt, Run) == [] and _status(rt, "selected") == []


def test_refused_when_a_selection_exists(app, rt, tmp_path):
    _pool(app, rt, tmp_path, answers(80), HOUSEHOLDS)
    assert _select(app, tmp_path).exit_code == 0
    result = _select(app, tmp_path)
    assert result.exit_code == 1
    assert "a selection exists" in result.output
    with transaction(rt.sessions) as session:  # once people are asked, not even --again
        session.scalars(select(Registrant).where(Registrant.status == "selected")).first(
        ).asked_at = session.scalar(select(Run.created_at))
    result = _select(app, tmp_path, "other", "--again")
    assert result.exit_code == 1 and "already been asked" in result.output


def test_targets_the_pool_cannot_meet_are_refused_in_plain_words(app, rt, tmp_path):
    people = answers(80)
    others = sum(p["ethnic_group"] == "other" for p in people)

    assert others < 9

    def edit(line):  # more of "other" than registered, fewer of the rest
        if line.startswith(("ethnic_group,white,", "ethnic_group,asian,")):
            return line.split(",", 1)[0] + "," + line.split(",")[1] + ",0,9,,"
        return (f"ethnic_group,other,{others + 1},9,," if line.startswith("ethnic_group,other,")
                else line)

    _pool(app, rt, tmp_path, people, edit=edit)
    result = _select(app, tmp_path)
    assert result.exit_code == 1
    assert "nothing selected: the library could not select 10 meeting the targets" in (
        result.output)
    assert (f"Not enough people with the value 'other' in category 'ethnic_group' - the "
            f"minimum is {others + 1} but we only have {others}") in result.output
    assert rows(rt, Run) == [] and _status(rt, "selected") == []


def test_replacement_keeps_the_targets(app, rt, tmp_path):
    answers_of = _pool(app, rt, tmp_path, answers(80), HOUSEHOLDS)
    assert _select(app, tmp_path).exit_code == 0
    chosen = _status(rt, "selected")
    with transaction(rt.sessions) as session:
        for rid, status in zip(chosen[:3], ("declined", "no_answer", "confirmed"),
                               strict=True):
            session.get(Registrant, rid).status = status
    result = outreach(app, "lottery", "replace", "--report", str(tmp_path / "r.html"))
    assert result.exit_code == 0, result.output
    assert "2 newly selected" in result.output and "target not kept" not in result.output
    panel = _status(rt, "selected", "confirmed")
    assert len(panel) == PANEL and set(chosen[2:]) <= set(panel)
    _meets_every_target(rt, answers_of, panel)
    letters = [r.letter_id for r in rows(rt, Registrant, Registrant.id.in_(panel))]
    assert len(set(letters)) == PANEL
    run = rows(rt, Run)[-1]
    assert (run.kind, run.wanted, run.seed) == ("replace", 2, "published seed 2027/replace-1")


def test_replacement_says_a_target_it_cannot_keep(app, rt, tmp_path):
    people = [{**p, "ethnic_group": "white" if p["ethnic_group"] == "other"
               else p["ethnic_group"]} for p in answers(80)]
    people[5]["ethnic_group"] = "other"  # the only one: the panel needs one

    def edit(line):
        return "ethnic_group,other,1,2,," if line.startswith("ethnic_group,other,") else line

    answers_of = _pool(app, rt, tmp_path, people, edit=edit)
    assert _select(app, tmp_path).exit_code == 0
    [only] = [rid for rid, p in answers_of.items() if p["ethnic_group"] == "other"]
    assert only in _status(rt, "selected")
    with transaction(rt.sessions) as session:
        session.get(Registrant, only).status = "declined"
    result = outreach(app, "lottery", "replace", "--seed", "replace seed",
                      "--report", str(tmp_path / "r.html"))
    assert result.exit_code == 0, result.output
    assert ("target not kept: ethnic_group other: min 1 can no longer be kept: 0 kept and "
            "only 0 left who could be drawn, so at most 0") in result.output
    assert "1 newly selected" in result.output
    assert len(_status(rt, "selected")) == PANEL  # the draw went ahead
    assert "min 1 can no longer be kept" in (tmp_path / "r.html").read_text()


def test_the_people_file_holds_categories_not_answers(app, rt, tmp_path):
    """What the library is given: id, household and categories; never a name."""
    answers_of = _pool(app, rt, tmp_path, answers(12))
    with rt.sessions() as session:
        dims = dimensions(registration_survey(session), assembly.load().place)
        found = pool_people(session, dims, ("registered",))
    first = found[0].row()
    assert set(first) == {"id", "household", *dims}
    assert first["gender"] == CATEGORY.get(("gender", answers_of[found[0].id]["gender"]),
                                           "not_stated")
    assert not any("Example" in v for person in found for v in person.row().values())
    with open(tmp_path / "targets.csv", newline="") as source:
        assert next(csv.reader(source))[:4] == ["feature", "value", "min", "max"]


def test_refused_while_registration_is_open_unless_closed_now(app, rt, tmp_path, clock):
    """A code typed after the draw would register someone nobody will ever draw or tell:
    the selection waits for registration to close, or closes it (--close-now)."""
    _pool(app, rt, tmp_path, answers(80), HOUSEHOLDS)
    invite(rt, closes=datetime(2026, 3, 11, 0, tzinfo=UTC))  # letters still out
    result = _select(app, tmp_path)
    assert result.exit_code == 1
    assert ("nothing selected: registration is still open: draw 2 (3 letters) closes at the "
            "end of 10 Mar 2026 (Europe/London). Select after it closes, or give --close-now "
            "to close it now (no code registers after)") in result.output
    assert rows(rt, Run) == [] and _status(rt, "selected") == []
    result = _select(app, tmp_path, "published seed 2027", "--close-now")
    assert result.exit_code == 0, result.output
    assert ("registration closed now: draw 2 (3 letters), which was to close at the end of "
            "10 Mar 2026 (Europe/London); no code registers any more") in result.output
    assert len(_status(rt, "selected")) == PANEL
    [closed] = [d for d in rows(rt, Draw) if d.id == 2]
    assert closed.closes_at == clock()
    clock.advance(timedelta(minutes=5))
    chat = outreach(app, "chat", "--from", "07700 900999", input="K7P-M3Q-XAF\n")  # a letter's code
    assert "Registration for the lottery closed on Monday 2 March" in chat.output
    assert len(rows(rt, Registrant)) == 80  # nobody registered after the draw


def test_selected_whatsapp_registrants_need_the_template_and_the_command_says_so(app, rt,
                                                                                 tmp_path):
    """The selected last wrote weeks ago: WhatsApp takes a first message only as an approved
    template, so without TWILIO_WHATSAPP_TEMPLATE_SID their question would be held."""
    _pool(app, rt, tmp_path, answers(80), HOUSEHOLDS)
    with transaction(rt.sessions) as session:
        session.execute(update(Registrant).values(channel="whatsapp"))
    result = _select(app, tmp_path)
    assert result.exit_code == 0, result.output
    assert f"warning: {PANEL} of them registered on WhatsApp" in result.output
    assert "TWILIO_WHATSAPP_TEMPLATE_SID" in result.output
