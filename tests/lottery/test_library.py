"""Running the Sortition Foundation's library as a program: finding it, the seed it is given,
and reading back its probabilities and its reasons (samples of its 0.12.15 output)."""

from __future__ import annotations

import hashlib

from app import create_app
from lottery import library
from tests.helpers.cli import outreach

REPORT = """
Agent ID      Probability of selection      Included in # of committees
----------  --------------------------  -----------------------------
         7  4.3478%                                                 1
        12  47.8261%                                               11
p3          0.0000%                                                 0

SUCCESS!! Final:
"""
INFEASIBLE = """
Loading features from file features.csv.
Number of features found: 2

No already selected file provided or file does not exist, using empty data.
Using maximin algorithm.
Initial: (selected = 0)

Category    Category Value      Initially  Want
----------  ----------------  -----------  ------
gender      female                      5  [3,3]

It is not possible to hit all the targets with the current set of people. I suggest the following steps:
age:young maximum target -> change from  1 to 3.
"""  # noqa: E501 - the library's own line


def test_the_seed_number_is_reproducible_by_anyone():
    digest = hashlib.sha256(b"Council meeting, 1 March 2027").digest()
    expected = int.from_bytes(digest[:4], "big") % (2**31 - 1) + 1
    assert library.seed_number("Council meeting, 1 March 2027") == expected
    assert library.seed_number("a") != library.seed_number("b")
    assert all(library.seed_number(str(n)) > 0 for n in range(200))  # 0 would be unseeded


def test_probabilities_are_read_with_right_aligned_ids():
    assert library.probabilities(REPORT) == {"7": 0.043478, "12": 0.478261, "p3": 0.0}


def test_the_reason_is_the_library_s_own_words():
    said = library.reason(INFEASIBLE, "Error: Selection not successful, no files written.\n")
    assert said.startswith("It is not possible to hit all the targets")
    assert "age:young maximum target -> change from  1 to 3." in said
    assert "Loading" not in said and "Selection not successful" not in said
    crashed = ("Traceback (most recent call last):\n  File \"x\", line 1\n"
               "sortition_algorithms.errors.SelectionMultilineError: Minimum for feature "
               "gender (7) is more than number to select (6)\n")
    assert library.reason("", crashed) == ("Minimum for feature gender (7) is more than "
                                           "number to select (6)")


def test_a_missing_command_says_how_to_get_one(config):
    app = create_app({**config, "SORTITION_COMMAND": "no-such-sortition --flag"})
    result = outreach(app, "lottery", "select", "--seed", "s")
    assert result.exit_code == 1
    assert "SORTITION_COMMAND names 'no-such-sortition', which is not a program here" in (
        result.output)


def test_settings_are_the_library_s_toml():
    text = library.settings_toml("maximin", 42, "mip")
    assert 'check_same_address_columns = ["household"]' in text
    assert "random_number_seed = 42" in text and 'solver_backend = "mip"' in text
