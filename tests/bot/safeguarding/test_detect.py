"""The safeguarding detector: every pattern file valid, every example both ways, disclosures
and topical talk written apart from the files (tests/data/safeguarding), triage order,
the problems a broken file is refused with, and the files shipped in the wheel."""

from __future__ import annotations

import shutil
import tomllib
from fnmatch import fnmatch
from pathlib import Path

import pytest
import yaml

from bot.safeguarding.detect import KIND, Detector, read
from bot.safeguarding.patterns import CATEGORIES, Finding, Severity, compile_pattern, normalise
from translations import data as language_files

ROOT = Path(__file__).resolve().parents[3]
DATA = ROOT / "tests" / "data" / "safeguarding"
OFFERED = {"en", "ro", "ur", "bg", "pl", "tr"}
LOADED, PROBLEMS = read()
DETECTOR = Detector(LOADED)
MUST_MATCH = [(s.language, category, text) for s in LOADED for category, text in s.must_match]
MUST_NOT_MATCH = [(s.language, text) for s in LOADED for text in s.must_not_match]
DISCLOSURES = yaml.safe_load((DATA / "disclosures.yaml").read_text(encoding="utf-8"))
TOPICAL = yaml.safe_load((DATA / "topical.yaml").read_text(encoding="utf-8"))


def test_there_is_a_valid_pattern_file_for_every_offered_language():
    assert PROBLEMS == []
    assert set(DETECTOR.languages) == OFFERED
    for pattern_set in LOADED:
        assert {category for category, _ in pattern_set.must_match} == set(CATEGORIES), \
            f"{pattern_set.language}.yaml: every category needs examples it must catch"


@pytest.mark.parametrize("lang, category, text", MUST_MATCH)
def test_each_must_match_example_is_caught_as_its_category(lang, category, text):
    finding = DETECTOR.check(text)
    assert finding is not None, f"{lang}.yaml: {text!r} is not caught"
    assert finding.category == category, f"{lang}.yaml: {text!r} is caught as {finding}"


@pytest.mark.parametrize("lang, text", MUST_NOT_MATCH)
def test_each_must_not_match_example_raises_nothing(lang, text):
    assert DETECTOR.check(text) is None  # checked against every language's patterns at once


def _disclosures() -> list[tuple[str, str, str]]:
    return [(lang, category, text) for lang, categories in DISCLOSURES.items()
            for category, texts in categories.items() for text in texts]


@pytest.mark.parametrize("lang, category, text", _disclosures())
def test_a_disclosure_not_in_the_files_is_caught_as_its_category(lang, category, text):
    finding = DETECTOR.check(text)
    assert finding is not None and finding.category == category, (lang, text, finding)


@pytest.mark.parametrize("lang, text", [(lang, t) for lang, texts in TOPICAL.items()
                                        for t in texts])
def test_talk_about_policing_not_in_the_files_raises_nothing(lang, text):
    assert DETECTOR.check(text) is None


def test_the_tables_hold_at_least_eight_of_each_kind_per_language_none_from_the_files():
    examples = {normalise(t) for s in LOADED for _, t in s.must_match} \
        | {normalise(t) for s in LOADED for t in s.must_not_match}
    for lang in OFFERED:
        disclosures = [t for texts in DISCLOSURES[lang].values() for t in texts]
        assert len(disclosures) >= 8 and len(TOPICAL[lang]) >= 8, lang
        assert not {normalise(t) for t in disclosures + TOPICAL[lang]} & examples, lang


@pytest.mark.parametrize("text, expected", [
    ("I just want to kill myself", Finding(Severity.AT_RISK, "self_harm", "en")),
    ("my dad is hitting me right now", Finding(Severity.DANGER_NOW, "abuse_at_home", "en")),
    ("I used to self harm", Finding(Severity.CONCERN, "self_harm", "en")),
    ("mujhe ghar mein maarta hai", Finding(Severity.AT_RISK, "abuse_at_home", "ur")),
    ("bie me", Finding(Severity.AT_RISK, "abuse_at_home", "bg")),
    ("KENDİMİ ÖLDÜRMEK İSTİYORUM", Finding(Severity.AT_RISK, "self_harm", "tr")),
    ("chłopak mnie bije", Finding(Severity.AT_RISK, "abuse_at_home", "pl")),
    ("chlopak mnie bije", Finding(Severity.AT_RISK, "abuse_at_home", "pl")),
    # Typed on an Arabic keyboard: Arabic yeh and kaf for the Urdu letters.
    ("ميں خودكشی كرنا چاہتا ہوں", Finding(Severity.AT_RISK, "self_harm", "ur")),
])
def test_a_finding_says_severity_category_and_the_language_of_the_file(text, expected):
    assert DETECTOR.check(text) == expected


def test_the_most_severe_finding_wins_wherever_it_stands_in_the_message():
    text = "I used to self harm, and now my stepdad is beating me right now"
    assert DETECTOR.check(text) == Finding(Severity.DANGER_NOW, "abuse_at_home", "en")
    assert Severity.DANGER_NOW > Severity.AT_RISK > Severity.CONCERN
    assert sorted([Severity.CONCERN, Severity.DANGER_NOW, Severity.AT_RISK], reverse=True)[0] \
        is Severity.DANGER_NOW


@pytest.mark.parametrize("text", ["", "   ", "!!!", "12", "ok", "yes", "stop"])
def test_empty_and_short_answers_raise_nothing(text):
    assert DETECTOR.check(text) is None


def test_patterns_are_whole_words_folded_with_the_shorthands():
    assert compile_pattern("kill* my ...self") == r"ki[lł][lł]\w* my (?:\w+ ){0,4}se[lł]f"
    assert compile_pattern("Don't (go|gò)?") == "dont (go|go)?"
    assert DETECTOR.check("skill myself up") is None  # "kill" is not a word of it


GOOD = """\
language: en
patterns:
  self_harm:
    at_risk: ["kill* myself"]
must_match:
  self_harm: [I want to kill myself]
must_not_match: [knife crime worries me]
"""


@pytest.mark.parametrize("change, problem", [
    (("at_risk:", "urgent:"),
     "self_harm: unknown severity 'urgent' (known: danger_now, at_risk, concern)"),
    (("  self_harm:\n", "  sadness:\n"),
     "unknown category 'sadness' (known: self_harm, abuse_at_home, danger_now, exploitation, "
     "weapon_fear)"),
    (('["kill* myself"]', '["kill* myself", "  "]'), "self_harm/at_risk: '  ' is an empty pattern"),
    (('["kill* myself"]', '["kill* myself", "(a|b"]'),
     "self_harm/at_risk: '(a|b' is not a valid pattern (missing ), unterminated subpattern)"),
    (('["kill* myself"]', '["kill* {me}"]'),
     "self_harm/at_risk: 'kill* {me}' uses {me}, which words does not list"),
    (("[I want to kill myself]", "[I want to kill myself, I feel low]"),
     "must_match self_harm: 'I feel low' is not caught as self_harm"),
    (("[knife crime worries me]", "[knife crime worries me, I could kill myself laughing]"),
     "must_not_match 'I could kill myself laughing' is caught as self_harm by en.yaml"),
    (("language: en", "language: fr"), "language must be 'en', as the file is named"),
    (("must_not_match:", "must_not:"), "unknown key 'must_not'"),
])
def test_a_broken_pattern_file_is_reported_by_name_and_refused(tmp_path, change, problem):
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "safeguarding.yaml").write_text(GOOD.replace(*change), encoding="utf-8")
    _, problems = read(tmp_path)
    assert f"{tmp_path / 'en' / 'safeguarding.yaml'}: {problem}" in problems
    with pytest.raises(ValueError, match="en/safeguarding.yaml"):
        Detector.load(tmp_path)


def test_the_good_file_loads(tmp_path):
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "safeguarding.yaml").write_text(GOOD, encoding="utf-8")
    assert Detector.load(tmp_path).check("gonna kill myself") == \
        Finding(Severity.AT_RISK, "self_harm", "en")


def test_removing_a_pattern_from_the_shipped_files_is_caught_by_its_examples(tmp_path):
    for lang, path in language_files.found(KIND).items():
        (tmp_path / lang).mkdir()
        shutil.copy(path, tmp_path / lang)
    english = tmp_path / "en" / "safeguarding.yaml"
    text = english.read_text(encoding="utf-8")
    assert '      - "kil* {myself}"\n' in text
    english.write_text(text.replace('      - "kil* {myself}"\n', ""), encoding="utf-8")
    _, problems = read(tmp_path)
    assert f"{english}: must_match self_harm: 'I want to kill myself' is not caught as " \
           f"self_harm" in problems


def test_the_pattern_files_are_package_data():
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"]["translations"]
    for path in language_files.found(KIND).values():
        inside = str(path.relative_to(ROOT / "translations"))
        assert any(fnmatch(inside, glob) for glob in package_data), inside
