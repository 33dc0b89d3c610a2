"""Place files: the made-up borough and the shipped place load, the shipped figures are the
published ones, every problem is reported as FILE:LINE, and categories are found by id,
group, age band and language."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
import yaml

from assembly.place import DIMENSIONS, PlaceError, load, parse_ages

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "tests" / "data" / "places" / "tiny-borough.yaml"
SHIPPED = ROOT / "assembly" / "places" / "waltham-forest.yaml"
# The compiled record the shipped figures were copied from (a verbatim copy of
# ../shared/context/waltham-forest-census-2021-extra.yaml).
EXTRA = ROOT / "tests" / "data" / "places" / "waltham-forest-census-2021-extra.yaml"
SURVEY = ROOT / "surveys" / "neighbourhood-policing.yaml"


@pytest.fixture
def tiny():
    return load(TINY)


def test_the_made_up_borough_loads(tiny):
    assert tiny.name == "Tiny Borough (made up)"
    assert tiny.code == "E09999999"
    assert [t.table for t in tiny.tables_for("language")] == ["TB024", "TB024E"]
    assert tiny.tables_for("disability") == ()
    [ethnic] = tiny.tables_for("ethnic_group")
    assert ethnic.date == "2021-03-21"
    assert ethnic.source == "Made-up census of Tiny Borough, counts"
    assert ethnic.has_figures and ethnic.unit == "count"
    assert ethnic.groups["asian"] == "Asian"
    [wards] = tiny.tables_for("ward")
    assert not wards.has_figures
    assert wards.why_not_compared and all(c.value is None for c in wards.categories)


def test_loading_twice_reads_once(tiny):
    assert load(str(TINY)) is tiny
    assert load(TINY.parent / ".." / "places" / TINY.name) is tiny


def test_a_group_id_stands_for_its_categories(tiny):
    table, categories = tiny.resolve("ethnic_group", ["asian"])
    assert table.table == "TB021"
    assert [c.id for c in categories] == ["asian_indian", "asian_pakistani"]
    assert tiny.resolve("ethnic_group", "asian") == (table, categories)
    _, mixed = tiny.resolve("ethnic_group", ["white_other", "asian"])
    assert [c.id for c in mixed] == ["asian_indian", "asian_pakistani", "white_other"]


@pytest.mark.parametrize(("dimension", "ids", "message"), [
    ("ethnic_group", ["martian"], "'martian' is no ethnic_group category or group"),
    ("gender", ["asian"], "'asian' is no gender category or group"),
    ("language", ["romanian", "not_english_main"], "not all in one language table"),
    ("gender", [], "no gender category named"),
])
def test_resolve_refuses_what_the_place_does_not_hold(tiny, dimension, ids, message):
    with pytest.raises(PlaceError, match=re.escape(message)):
        tiny.resolve(dimension, ids)


def test_bands_for_tiles_ages_exactly_or_not_at_all(tiny):
    table, bands = tiny.bands_for(16, 24)
    assert table.table == "TB007"
    assert [c.id for c in bands] == ["aged_16_17", "aged_18_24"]
    assert [c.id for c in tiny.bands_for(65, math.inf)[1]] == ["aged_65_plus"]
    assert tiny.bands_for(16, 30) is None  # 25-44 runs past 30
    assert tiny.bands_for(13, 17) is None  # 0-15 starts before 13
    assert tiny.bands_for(65, 90) is None  # 65+ has no upper end


def test_for_language_falls_back_to_other(tiny):
    counts, english = tiny.tables_for("language")
    assert tiny.for_language(counts, "ro").id == "romanian"
    assert tiny.for_language(counts, "ur").id == "other_languages"
    assert tiny.for_language(english, "en").id == "english_main"
    assert tiny.for_language(english, "pl").id == "not_english_main"
    [sex] = tiny.tables_for("gender")
    assert tiny.for_language(sex, "ro") is None


@pytest.mark.parametrize(("written", "expected"), [
    ("25-29", (25, 29)), ("85+", (85, math.inf)), (16, (16, 16)), (" 0 - 4 ", (0, 4)),
    ("30-25", None), ("old", None), (True, None), (None, None),
])
def test_parse_ages(written, expected):
    assert parse_ages(written) == expected


@pytest.fixture(scope="module")
def extra():
    return yaml.safe_load(EXTRA.read_text(encoding="utf-8"))


def test_the_shipped_place_loads():
    place = load(SHIPPED)
    assert (place.name, place.code) == ("London Borough of Waltham Forest", "E09000031")
    assert {t.dimension for t in place.tables} == set(DIMENSIONS)
    assert all(t.date == "2021-03-21" for t in place.tables if t.has_figures)
    assert all(t.url.startswith("https://") and t.source for t in place.tables)


def _ts021(extra) -> list[dict]:
    return extra["ts021_ethnic_group"]["detailed_19"]["groups"]


def _figures(place, dimension: str, table: int = 0) -> dict[str, float | None]:
    return {c.id: c.value for c in place.tables_for(dimension)[table].categories}


def test_a_handful_of_shipped_figures_are_the_published_ones(extra):
    place = load(SHIPPED)
    ethnic = {g["label"]: g["count"] for g in _ts021(extra)}
    assert _figures(place, "ethnic_group")["asian_pakistani"] == 28740 == ethnic[
        "Asian, Asian British or Asian Welsh: Pakistani"]
    assert _figures(place, "gender")["female"] == 141951 == extra["ts008_sex"][
        "exact_counts"]["female"]
    assert _figures(place, "disability")["disabled"] == 36762 == extra["ts038_disability"][
        "disabled_under_the_equality_act"]
    assert _figures(place, "language")["romanian"] == 10573 == extra["ts024_main_language"][
        "exact_counts"]["romanian"]


def test_every_shipped_figure_is_in_the_compiled_record(extra):
    place = load(SHIPPED)
    [ethnic] = place.tables_for("ethnic_group")
    published = {g["label"]: g["count"] for g in _ts021(extra)}
    assert {c.label: c.value for c in ethnic.categories} == published
    sex = extra["ts008_sex"]["exact_counts"]
    assert _figures(place, "gender") == {"female": sex["female"], "male": sex["male"]}
    disability = extra["ts038_disability"]
    assert _figures(place, "disability") == {
        "disabled": disability["disabled_under_the_equality_act"],
        "not_disabled": disability["not_disabled_under_the_equality_act"]}
    assert _figures(place, "age") == extra["age"]["five_year_bands_rounded"]["persons"]
    counts = extra["ts024_main_language"]["exact_counts"]
    numbers = {k: v for k, v in counts.items() if isinstance(v, int)}
    assert _figures(place, "language") == numbers | counts["also_in_source_not_requested"]
    english = extra["ts024_main_language"]["english_main_language"]
    assert _figures(place, "language", 1) == {
        "english": english["percent_of_residents_aged_3_plus_with_english_main_language"],
        "not_english": english["percent_without_english_main_language"]}


def test_the_shipped_groups_and_bands(extra):
    place = load(SHIPPED)
    _, asian = place.resolve("ethnic_group", ["asian"])
    assert [c.id for c in asian] == ["asian_bangladeshi", "asian_chinese", "asian_indian",
                                     "asian_pakistani", "asian_other"]
    [ethnic] = place.tables_for("ethnic_group")
    labels = [g["label"] for g in _ts021(extra)]
    headings = dict.fromkeys(label.split(": ")[0] for label in labels)
    assert list(ethnic.groups.values()) == list(headings)  # the published headings
    assert all(c.label.startswith(ethnic.groups[c.within] + ": ") for c in ethnic.categories)
    _, bands = place.bands_for(25, 34)
    assert [c.id for c in bands] == ["aged_25_29", "aged_30_34"]
    assert place.bands_for(16, 24) is None
    assert [c.id for c in place.bands_for(75, math.inf)[1]] == [
        "aged_75_79", "aged_80_84", "aged_85_plus"]


def test_the_shipped_languages_fall_back_to_other():
    place = load(SHIPPED)
    counts, english = place.tables_for("language")
    assert place.for_language(counts, "ur").value == 4786
    assert place.for_language(counts, "en") is None  # the source counts no English
    assert place.for_language(english, "en").id == "english"
    assert place.for_language(english, "ro").id == "not_english"


def test_the_shipped_wards_are_the_surveys_wards():
    [wards] = load(SHIPPED).tables_for("ward")
    assert not wards.has_figures and "TS001" in wards.why_not_compared
    survey = yaml.safe_load(SURVEY.read_text(encoding="utf-8"))
    asked = {(c["id"], c["text"]) for q in survey["questions"] if q["id"].startswith("ward_")
             for c in q["choices"]}
    assert {(c.id, c.label) for c in wards.categories} == asked
    assert len(asked) == 22


# A good file to break one line at a time: `BROKEN` swaps a line for another and names the
# line (1-based, in the result) where the problem must be reported.
GOOD = """\
place: Small Town
code: E00000001
sources:
  S1: {what: A census, url: "https://example.org"}
dimensions:
  ethnic_group:
    - table: T1
      title: Ethnic group
      date: 2021-03-21
      base: all usual residents
      unit: count
      source: S1
      url: https://example.org/t1
      groups: {asian: Asian, white: White}
      categories:
        - {id: asian_indian, label: Indian, within: asian, value: 10}
        - {id: white_british, label: British, within: white, value: 20}
  age:
    - table: T2
      title: Age
      date: 2021-03-21
      base: all usual residents
      unit: percent
      source: S1
      url: https://example.org/t2
      categories:
        - {id: young, label: Young, ages: 0-39, value: 60}
        - {id: old, label: Old, ages: 40+, value: 40}
  language:
    - table: T3
      title: Language
      date: 2021-03-21
      base: usual residents aged 3 and over
      unit: count
      source: S1
      url: https://example.org/t3
      categories:
        - {id: english, label: English, language: en, value: 70}
        - {id: other_languages, label: Other, language: other, value: 30}
  ward:
    - table: Wards
      title: Wards
      date: 2022-05-05
      base: wards
      unit: none
      source: S1
      url: https://example.org/wards
      why_not_compared: No ward populations here.
      categories:
        - {id: north, label: North}
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "place.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _line(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def test_the_good_file_loads(tmp_path):
    place = load(_write(tmp_path, GOOD))
    assert [t.dimension for t in place.tables] == ["ethnic_group", "age", "language", "ward"]


SECOND_TABLE = """\
    - table: T1B
      title: Ethnic group, broad
      date: 2021-03-21
      base: all usual residents
      unit: count
      source: S1
      url: https://example.org/t1b
      groups: {asian: Asian}
      categories:
        - {id: asian_all, label: Asian, within: asian, value: 10}
"""
# (what to replace, its replacement, the problem's words, a text on the problem's line:
# None for the replacement's last line).
BROKEN = [
    ("  age:\n", "  income:\n", "unknown dimension 'income'", None),
    ("      base: all usual residents\n      unit: count\n", "      unit: count\n",
     "missing 'base'", "- table: T1"),
    ("      url: https://example.org/t1\n",
     "      url: https://example.org/t1\n      colour: red\n", "unknown key 'colour'", None),
    ("      unit: percent\n", "      unit: people\n",
     "unit must be one of count, percent, none", None),
    ("ages: 40+, value: 40}", "ages: 40+}", "'old' needs a value", None),
    ("{id: north, label: North}", "{id: north, label: North, value: 3}",
     "a table with unit none has no values", None),
    ("      why_not_compared: No ward populations here.\n", "",
     "unit none needs 'why_not_compared'", "- table: Wards"),
    ("      unit: count\n      source: S1\n      url: https://example.org/t1\n",
     "      unit: count\n      source: S9\n      url: https://example.org/t1\n",
     "no source 'S9' under 'sources'", "source: S9"),
    ("{id: white_british,", "{id: asian_indian,", "id 'asian_indian' used twice",
     "label: British"),
    ("within: white", "within: black", "within 'black' is no group of this table", None),
    ("within: white", "within: [white]", "within '['white']' is no group of this table", None),
    ("      source: S1\n      url: https://example.org/t2\n",
     "      source: [S1]\n      url: https://example.org/t2\n", "no source '['S1']'",
     "source: [S1]"),
    ("ages: 40+", "ages: forty", "'old' needs ages such as 25-29 or 85+", None),
    ("ages: 40+", "ages: 39+", "ages of 'old' overlap 'young'", None),
    ("ages: 40+, value: 40", "ages: 40+, value: 140", "'old' is over 100 percent", None),
    ("ages: 40+, value: 40", "ages: 40+, value: -4", "'old' needs a value, a number 0 or more",
     None),
    ("{id: white_british,", "{id: asian,", "id 'asian' is also a group", None),
    ("{id: white_british,", "{id: White British,", "id 'White British' must be snake_case",
     None),
    ("{id: young,", "{id: [young],", "id '['young']' must be snake_case", None),
    ("language: other", "language: en", "language 'en' named twice", "label: Other"),
    ("language: other", "language: Other Tongues", "language 'Other Tongues' must be a code",
     None),
    ("{id: asian_indian, label: Indian,", "{id: asian_indian, label: Indian, language: hi,",
     "'language' only in the language dimension", None),
    ("{id: north, label: North}", "{id: north, label: North, ages: 0-4}",
     "'ages' only in the age dimension", None),
    ("code: E00000001\n", "code: E00000001\ncode: E00000002\n", "duplicate key 'code'", None),
    ("white, value: 20}\n", "white, value: 20}\n" + SECOND_TABLE, "group 'asian' in two tables",
     "groups: {asian: Asian}"),
]


@pytest.mark.parametrize(("old", "new", "message", "at"), BROKEN, ids=[b[2] for b in BROKEN])
def test_every_problem_is_reported_at_its_line(tmp_path, old, new, message, at):
    assert GOOD.count(old) == 1, old
    text = GOOD.replace(old, new)
    path = _write(tmp_path, text)
    with pytest.raises(PlaceError) as caught:
        load(path)
    expected = f"{path.resolve()}:{_line(text, at or new.splitlines()[-1])}: "
    assert any(line.startswith(expected) and message in line
               for line in str(caught.value).splitlines()), str(caught.value)


def test_bands_with_a_gap_tile_nothing_across_it(tmp_path):
    assert [c.id for c in load(_write(tmp_path, GOOD)).bands_for(0, math.inf)[1]] == [
        "young", "old"]
    gap_file = tmp_path / "gap.yaml"
    gap_file.write_text(GOOD.replace("ages: 40+", "ages: 45+"), encoding="utf-8")
    gap = load(gap_file)  # 40 to 44 in no band
    assert gap.bands_for(0, math.inf) is None
    assert [c.id for c in gap.bands_for(45, math.inf)[1]] == ["old"]


def test_every_problem_is_reported_at_once(tmp_path):
    text = GOOD.replace("unit: percent", "unit: people").replace("within: white", "within: x")
    with pytest.raises(PlaceError) as caught:
        load(_write(tmp_path, text))
    assert len(caught.value.problems) == 2


def test_a_file_that_is_no_mapping_or_no_yaml(tmp_path):
    for text, message in [("- a list\n", ":1: expected a mapping"), ("place: [\n", ":2: YAML:")]:
        path = _write(tmp_path, text)
        with pytest.raises(PlaceError) as caught:
            load(path)
        assert str(caught.value).startswith(f"{path.resolve()}{message}")


def test_the_dimensions_are_the_roles_a_survey_can_give():
    assert DIMENSIONS == ("age", "gender", "ethnic_group", "disability", "ward", "language")
    assert yaml.safe_load(TINY.read_text())["dimensions"].keys() <= set(DIMENSIONS)
