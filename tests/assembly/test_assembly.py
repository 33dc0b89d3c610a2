"""The assembly file: the shipped one loads; a made-up one (its own place and theme set, by
path) loads as well; each problem is reported at its line."""

from __future__ import annotations

import pytest

import assembly
from assembly import AssemblyError
from tests.helpers.assemblies import ASSEMBLY as GOOD
from tests.helpers.assemblies import made_up as write


def test_the_shipped_assembly_loads():
    shipped = assembly.load()
    assert shipped is assembly.load(assembly.SHIPPED)  # read once
    assert shipped.path == assembly.SHIPPED
    assert shipped.name and shipped.question and shipped.intro
    assert shipped.place.tables  # the place file, loaded and checked
    assert (shipped.themes / "themes.yaml").is_file() and (shipped.themes / "en.yaml").is_file()
    assert shipped.themes.parent == assembly.THEME_SETS
    assert shipped.place.path.parent == assembly.PLACES
    assert (shipped.under, shipped.over) == (0.75, 4 / 3)
    assert isinstance(shipped.target, int) and shipped.target > 0


def test_a_made_up_assembly_loads_with_its_own_place_and_theme_set(tmp_path):
    made_up = assembly.load(write(tmp_path))
    assert made_up.name == "Tiny Borough Assembly on Getting Around"
    assert made_up.question == "How should people get around Tiny Borough?"
    assert made_up.place.name == "Tiny Borough (made up)"
    assert made_up.themes == tmp_path / "transport"
    assert made_up.intro == "What residents said about getting around."
    assert (made_up.target, made_up.under, made_up.over) == (200, 0.8, 1.25)
    assert made_up.path == (tmp_path / "tiny-transport.yaml").resolve()


def test_the_optional_settings_have_defaults(tmp_path):
    text = "\n".join(line for line in GOOD.splitlines()
                     if not line.startswith(("intro", "  ", "target", "under", "over")))
    made_up = assembly.load(write(tmp_path, text))
    assert (made_up.intro, made_up.target) == ("", None)
    assert (made_up.under, made_up.over) == (assembly.UNDER, assembly.OVER) == (0.75, 4 / 3)


def test_a_bare_name_is_a_shipped_place_or_theme_set(tmp_path):
    shipped = assembly.load()
    text = GOOD.replace("place: places/tiny.yaml", f"place: {shipped.place.path.stem}")
    text = text.replace("themes: ./transport", f"themes: {shipped.themes.name}")
    made_up = assembly.load(write(tmp_path, text))
    assert made_up.place is shipped.place and made_up.themes == shipped.themes


@pytest.mark.parametrize(("old", "new", "line", "message"), [
    ("target: 200", "target: 200\ncolour: blue", 9, "unknown key 'colour'"),
    ("name: Tiny Borough Assembly on Getting Around\n", "", 1, "'name' is required"),
    ("question: How should people get around Tiny Borough?", "question: ''", 2,
     "'question' is required"),
    ("place: places/tiny.yaml\n", "", 1, "'place' is required"),
    ("themes: ./transport\n", "", 1, "'themes' is required"),
    ("intro: >-\n  What residents said about\n  getting around.", "intro: [a, b]", 5,
     "intro must be text"),
    ("target: 200", "target: 0", 8, "target must be a positive whole number, not 0"),
    ("target: 200", "target: 12.5", 8, "target must be a positive whole number, not 12.5"),
    ("target: 200", "target: '1,300'", 8, "target must be a positive whole number"),
    ("under: 0.8", "under: 1.2", 9, "under must be a number between 0 and 1"),
    ("under: 0.8", "under: 0", 9, "under must be a number between 0 and 1"),
    ("under: 0.8", "under: lots", 9, "under must be a number between 0 and 1"),
    ("over: 5/4", "over: 1", 10, "over must be a number above 1"),
    ("over: 5/4", "over: 3/0", 10, "over must be a number above 1"),
    ("place: places/tiny.yaml", "place: places/huge.yaml", 3,
     "place 'places/huge.yaml' not found"),
    ("place: places/tiny.yaml", "place: atlantis", 3, "place 'atlantis' not found"),
    ("themes: ./transport", "themes: weather", 4, "theme set 'weather' not found"),
    ("themes: ./transport", "themes: ../nowhere", 4, "theme set '../nowhere' not found"),
    ("target: 200", "target: [200", 9, "YAML: expected ',' or ']'"),  # where it shows
])
def test_each_problem_is_reported_at_its_line(tmp_path, old, new, line, message):
    path = write(tmp_path, GOOD.replace(old, new))
    assert old in GOOD
    with pytest.raises(AssemblyError) as caught:
        assembly.load(path)
    assert f"{path.resolve()}:{line}: {message}" in str(caught.value)


def test_a_broken_place_file_is_reported_with_its_own_lines(tmp_path):
    path = write(tmp_path)
    tiny = tmp_path / "places" / "tiny.yaml"
    tiny.write_text(tiny.read_text(encoding="utf-8").replace("code: E09999999", "code: []"),
                    encoding="utf-8")
    with pytest.raises(AssemblyError) as caught:
        assembly.load(path)
    text = str(caught.value)
    assert f"{path.resolve()}:3: place 'places/tiny.yaml' has problems" in text
    assert f"{tiny.resolve()}:" in text


def test_every_problem_is_reported_at_once(tmp_path):
    path = write(tmp_path, GOOD.replace("target: 200", "target: -1")
                 .replace("themes: ./transport", "themes: weather"))
    with pytest.raises(AssemblyError) as caught:
        assembly.load(path)
    assert len(str(caught.value).splitlines()) == 2


@pytest.mark.parametrize("text", ["- just\n- a list\n", "", "just words\n"])
def test_a_file_that_is_not_a_mapping_is_refused(tmp_path, text):
    with pytest.raises(AssemblyError, match=r":1: "):
        assembly.load(write(tmp_path, text))


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(AssemblyError, match="cannot read"):
        assembly.load(tmp_path / "no-such-assembly.yaml")
