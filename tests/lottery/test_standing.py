"""Where the lottery stands (lottery/standing.py): registrations against the targets from
the registration answers' categories, by the letters' ward, the panel; every count of
people suppressed as the project's one rule says, complements included."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

import assembly
from bot import suppress
from lottery import selection, standing, targets
from store.db import transaction
from store.models import Run
from tests.helpers.lottery_rows import (
    add_draw,
    add_registrant,
    add_target,
    load_registration,
)

JANUARY = datetime(2027, 1, 10, 12, tzinfo=UTC)
WOMAN = {"gender": "woman", "age_band": "25_44", "disability": "no", "ward": "forest"}
MAN = {"gender": "man", "age_band": "45_plus", "disability": "yes", "ward": "cathall"}


@pytest.fixture
def place():
    return assembly.load().place


def build(rt):
    found = assembly.load(rt.settings.assembly_file)
    with rt.sessions() as session:
        return standing.build(session, found.lottery, found.place, rt.settings.timezone,
                              rt.now())


@pytest.fixture
def registered(rt, clock):
    """Letters to three wards; 12 women from Forest (by SMS and the web), 3 men from
    Cathall (Telegram, in Polish), 6 from Endlebury who said nothing about themselves."""
    clock.set(JANUARY)
    load_registration(rt)
    letters = add_draw(rt, ["Forest"] * 30 + ["Cathall"] * 20 + ["Endlebury"] * 10)
    for n in range(12):
        add_registrant(rt, letters[n], WOMAN, channel=("sms", "web")[n % 2])
    for n in range(3):
        add_registrant(rt, letters[30 + n], MAN, channel="telegram", language="pl")
    for n in range(6):
        add_registrant(rt, letters[50 + n], {"gender": "prefer_not"}, channel="web",
                       language="ro")
    return letters


def test_the_page_counts_each_registrant_in_the_category_the_draw_gives_them(rt, registered,
                                                                            place):
    """One truth: a target's registrations on the page are the registrants the selection
    would put in that category (lottery/selection.people), the age band by the bands its
    ages cover."""
    with rt.sessions() as session:
        dims = targets.dimensions(targets.registration_survey(session), place)
        drawn = selection.people(session, dims, ("registered",))
    by_category = {}
    for person in drawn:
        by_category.setdefault(("age", person.categories["age"]), []).append(person.id)
    assert len(by_category) == 3  # women 25-44, men 45+, and those who did not say
    for dimension, category in by_category:
        if category != targets.NOT_STATED:
            add_target(rt, dimension, category, 0, 50)
    rows = build(rt).targets
    shown = sorted(row.registered.text for row in rows if row.min is not None)
    counts = [len(ids) for (_, c), ids in by_category.items() if c != targets.NOT_STATED]
    assert sorted(counts) == [3, 12]
    assert shown == sorted(["12", suppress.FEWER])  # 3: "fewer than 5", as the rule says


def test_registrations_against_targets_say_who_is_short(rt, registered):
    add_target(rt, "gender", "female", 10, 30)
    add_target(rt, "gender", "male", 10, 30)
    add_target(rt, "disability", "disabled", 2, 10)
    found = build(rt)
    rows = {(t.dimension, t.category): t for t in found.targets}
    female, male = rows["gender", "Female"], rows["gender", "Male"]
    assert (female.registered.text, female.status) == ("12", standing.ENOUGH)
    # 3 men: "fewer than 5", and short, since even 4 would be short of 10
    assert (male.registered.text, male.status) == (suppress.FEWER, standing.SHORT)
    # 3 disabled against a minimum of 2: saying "enough" or "short" would narrow it down
    disabled = rows["disability", "Disabled under the Equality Act"]
    assert (disabled.registered.text, disabled.status) == (suppress.FEWER, standing.MAYBE)
    # the 18 in no disability target would give the 3 away: not shown either
    rest = rows["disability", standing.NOT_IN_A_TARGET]
    assert (rest.registered.text, rest.status) == (suppress.HIDDEN, "")
    # the 6 who did not say their gender: hidden, or 21 - 12 - 6 would give the men's 3
    assert rows["gender", standing.NOT_IN_A_TARGET].registered.text == suppress.HIDDEN


def test_not_stated_reads_in_words_and_no_always_empty_row(rt, registered):
    """With a target for every gender category, `not_stated` too (as the proposal writes
    it), each registrant is in one: the category reads in words and there is no row of
    those in no target, which could only read "none". Disability has no target for "not
    disabled": that row stays."""
    for category in ("female", "male", targets.NOT_STATED):
        add_target(rt, "gender", category, 0, 50)
    add_target(rt, "disability", "disabled", 0, 10)
    rows = [(t.dimension, t.category, t.registered.text) for t in build(rt).targets]
    assert [r for r in rows if r[0] == "gender"] == [
        ("gender", "Female", "12"), ("gender", "Male", suppress.FEWER),
        ("gender", "Prefer not to say, or not answered", suppress.HIDDEN)]
    assert ("disability", standing.NOT_IN_A_TARGET) in {r[:2] for r in rows}
    assert not any(targets.NOT_STATED in cell for row in standing.tables(build(rt))[
        "targets"].rows for cell in row)


def test_by_ward_of_the_letters_per_100_letters_only_beside_a_count_shown(rt, registered):
    wards = {w.ward: w for w in build(rt).wards}
    assert list(wards) == ["Cathall", "Endlebury", "Forest"]  # never ordered by a count
    assert (wards["Forest"].letters, wards["Forest"].registered.text,
            wards["Forest"].per_100_text) == (30, "12", "40.0")
    assert (wards["Cathall"].registered.text, wards["Cathall"].per_100_text) == (
        suppress.FEWER, "")
    # 21 - 12 - 6 would be Cathall's 3: Endlebury's 6 is hidden too, and its rate
    assert (wards["Endlebury"].registered.text, wards["Endlebury"].per_100_text) == (
        suppress.HIDDEN, "")


def test_channels_languages_and_the_total(rt, registered):
    found = build(rt)
    assert found.total_text == "21" and found.open  # closes 2027-02-28 (the assembly file)
    channels = {c.label: c.text for c in found.by_channel.cells}
    assert channels == {"Web form": "12", "SMS": suppress.HIDDEN, "Telegram": suppress.FEWER}
    languages = {c.label: c.text for c in found.by_language.cells}
    assert languages == {"English": "12", "Romanian": suppress.HIDDEN,
                         "Polish": suppress.FEWER}
    [draw] = found.draws
    assert (draw.letters, draw.codes, draw.registered.text) == (60, 60, "21")


def test_registration_closes_with_the_draw_or_the_lottery_section(rt, registered, clock):
    add_draw(rt, ["Forest"], closes_at=datetime(2027, 1, 20, tzinfo=UTC))
    assert [d.open for d in build(rt).draws] == [True, True]
    clock.set(datetime(2027, 1, 21, tzinfo=UTC))
    assert [d.open for d in build(rt).draws] == [True, False]
    clock.set(datetime(2027, 3, 1, tzinfo=UTC))  # after the assembly file's closes
    assert not build(rt).open


def test_the_panel_hides_a_small_status_and_what_would_give_it_away(rt, clock):
    clock.set(JANUARY)
    load_registration(rt)
    letters = add_draw(rt, ["Forest"] * 60)
    statuses = ["confirmed"] * 45 + ["declined"] * 2 + ["selected"] * 3 + ["reserve"] * 10
    for letter, status in zip(letters, statuses, strict=True):
        add_registrant(rt, letter, WOMAN, status=status)
    panel = build(rt).panel
    shown = {c.label: c.text for c in panel.statuses.cells}
    assert shown["Confirmed"] == "45" and shown["Reserve"] == "10"
    assert shown["Declined"] == shown["Selected, waiting for an answer"] == suppress.FEWER
    # Seats, not people: 50 - 45 confirmed - 3 waiting, a number though it tells the
    # waiting's 3 (a count by status alone), and the page says why.
    assert (panel.size, panel.to_fill_text, panel.gives_away) == (50, "2", True)
    assert "cannot point at anyone" in panel.note
    tables = standing.tables(build(rt))
    assert tables["panel"].rows[-1] == ("Places to fill", "2")


def test_the_panel_is_the_latest_selections_size(rt, clock):
    """`select --panel 8` makes the panel 8, whatever the assembly file says (50); a
    replacement's run (the places it filled) does not change it."""
    clock.set(JANUARY)
    load_registration(rt)
    letters = add_draw(rt, ["Forest"] * 20)
    statuses = ["confirmed"] * 6 + ["selected"] * 2 + ["registered"] * 12
    for letter, status in zip(letters, statuses, strict=True):
        add_registrant(rt, letter, WOMAN, status=status)
    with transaction(rt.sessions) as session:
        for kind, wanted in (("select", 40), ("select", 8), ("replace", 1)):
            session.add(Run(kind=kind, seed="s", wanted=wanted, algorithm="maximin",
                            library_version="0.12.15"))
    panel = build(rt).panel
    assert (panel.size, panel.to_fill) == (8, 0)
    assert standing.tables(build(rt))["panel"].title == "The panel of 8"


def test_no_panel_before_anyone_is_selected_and_tables_for_every_reader(rt, registered):
    found = build(rt)
    assert found.panel is None
    tables = standing.tables(found)
    assert list(tables) == ["draws", "channels", "languages", "targets", "wards"]
    assert all(len(row) == len(t.columns) for t in tables.values() for row in t.rows)
