"""`when` / `end_if` conditions: parsing, names(), evaluation, and conditions refused."""

from __future__ import annotations

import pytest

from surveys.conditions import ConditionError, evaluate, names, parse


@pytest.mark.parametrize(("text", "tree"), [
    ("feel_safe <= 2", ("<=", "feel_safe", 2)),
    ("feel_safe<=2", ("<=", "feel_safe", 2)),
    ("contact == yes", ("==", "contact", "yes")),
    ("contact != 'no'", ("!=", "contact", "no")),
    ('ward == "st_james"', ("==", "ward", "st_james")),
    ("age_band == '16_24'", ("==", "age_band", "16_24")),
    ("years > 1.5", (">", "years", 1.5)),
    ("years >= -1", (">=", "years", -1)),
    ("years < 10", ("<", "years", 10)),
    ("trust in [a_lot, 'a little']", ("in", "trust", ("a_lot", "a little"))),
    ("trust in [1]", ("in", "trust", (1,))),
    ("trust not in [a_lot, 2]", ("not in", "trust", ("a_lot", 2))),
    ("not trust in [a_lot]", ("not", ("in", "trust", ("a_lot",)))),
    ("not a == 1", ("not", ("==", "a", 1))),
    ("not not a == 1", ("not", ("not", ("==", "a", 1)))),
    ("a == 1 or b == 2 and c == 3",
     ("or", ("==", "a", 1), ("and", ("==", "b", 2), ("==", "c", 3)))),
    ("a == 1 and b == 2 or c == 3",
     ("or", ("and", ("==", "a", 1), ("==", "b", 2)), ("==", "c", 3))),
    ("(a == 1 or b == 2) and c == 3",
     ("and", ("or", ("==", "a", 1), ("==", "b", 2)), ("==", "c", 3))),
    ("not (a == 1 or b == 2)", ("not", ("or", ("==", "a", 1), ("==", "b", 2)))),
    ("not a == 1 and b == 2", ("and", ("not", ("==", "a", 1)), ("==", "b", 2))),
    ("a == 1 and b == 2 and c == 3",
     ("and", ("==", "a", 1), ("==", "b", 2), ("==", "c", 3))),
    ("((a == 1))", ("==", "a", 1)),
    ("a == 1 and\n  b == 2", ("and", ("==", "a", 1), ("==", "b", 2))),
    ("a == __import__", ("==", "a", "__import__")),  # only ever a string to compare with
])
def test_parse(text, tree):
    assert parse(text) == tree


@pytest.mark.parametrize(("text", "pairs"), [
    ("feel_safe <= 2", [("feel_safe", 2)]),
    ("trust in [a_lot, a_little]", [("trust", "a_lot"), ("trust", "a_little")]),
    ("trust not in [a_lot]", [("trust", "a_lot")]),
    ("not (a == 1 or b != x) and c in [y, 3]",
     [("a", 1), ("b", "x"), ("c", "y"), ("c", 3)]),
])
def test_names(text, pairs):
    assert names(parse(text)) == pairs


@pytest.mark.parametrize("text", [
    "feel_safe <=",
    "x in [",
    "x in []",
    "x in [1,]",
    "x in [1",
    "x in 1",
    "x in [(1)]",
    "x not == 1",
    "x not 1",
    "import os",
    "a == 1 b",
    "a == b == c",
    "__class__",
    "a.__class__ == 1",
    "__import__('os') == 1",
    "a == x()",
    "a == [1]",
    "a",
    "a ==",
    "== 1",
    "a = 1",
    "a === 1",
    "a <> 1",
    "a == 1;",
    "a == 1 # comment",
    "a == `x`",
    "a == 'unclosed",
    "a == .5",
    "a == 1 &&  b == 2",
    "a == 1 and",
    "or a == 1",
    "a and b",
    "(a == 1",
    "a == 1)",
    "a == and",
    "in == 1",
    "a is 1",
    "é == 1",
    "a == 1\nb == 2",
    "",
    "   ",
])
def test_bad_conditions_raise(text):
    with pytest.raises(ConditionError):
        parse(text)


@pytest.mark.parametrize("value", [None, 3, ["a == 1"], b"a == 1"])
def test_non_text_raises(value):
    with pytest.raises(ConditionError):
        parse(value)


ANSWERS = {
    "feel_safe": 2,
    "years": 12.5,
    "contact": "yes",
    "trust": "a_little",
    "safer": ["lighting", "youth"],
    "comment": "more lights",
}


@pytest.mark.parametrize(("text", "expected"), [
    # numbers
    ("feel_safe <= 2", True),
    ("feel_safe < 2", False),
    ("feel_safe == 2", True),
    ("feel_safe == 2.0", True),
    ("feel_safe != 2", False),
    ("feel_safe > 1", True),
    ("feel_safe >= 3", False),
    ("years > 12", True),
    ("years <= 12.5", True),
    ("feel_safe in [1, 2]", True),
    ("feel_safe not in [1, 2]", False),
    ("feel_safe == '2'", False),  # a string is not the number
    ("feel_safe < high", False),  # ordering against a string is never true
    # strings
    ("contact == yes", True),
    ("contact == 'yes'", True),
    ("contact == no", False),
    ("contact != no", True),
    ("contact > 1", False),  # ordering a string is never true
    ("trust in [a_lot, a_little]", True),
    ("trust in [a_lot]", False),
    ("trust not in [a_lot]", True),
    ("trust not in [a_little, a_lot]", False),
    ("comment == 'more lights'", True),
    # multi-choice: == includes, != does not include, in includes any, not in includes none
    ("safer == lighting", True),
    ("safer == cctv", False),
    ("safer != cctv", True),
    ("safer != youth", False),
    ("safer in [cctv, youth]", True),
    ("safer in [cctv, patrols]", False),
    ("safer not in [cctv, patrols]", True),
    ("safer not in [cctv, youth]", False),
    ("safer > 1", False),
    # unanswered questions: every comparison on them is false
    ("missing == 1", False),
    ("missing != 1", False),
    ("missing < 1", False),
    ("missing in [1, 2]", False),
    ("missing not in [1, 2]", False),  # like !=
    ("not missing == 1", True),  # `not` negates the false comparison
    ("not missing in [1]", True),
    ("skipped == 1", False),
    ("skipped != 1", False),
    # and / or / not, precedence and parentheses
    ("feel_safe <= 2 and contact == yes", True),
    ("feel_safe <= 2 and contact == no", False),
    ("feel_safe > 2 or contact == yes", True),
    ("feel_safe > 2 or contact == no", False),
    ("contact == yes or feel_safe > 2 and trust == a_lot", True),
    ("(contact == yes or feel_safe > 2) and trust == a_lot", False),
    ("contact == no and feel_safe > 2 or trust == a_little", True),
    ("contact == no and (feel_safe > 2 or trust == a_little)", False),
    ("not contact == yes", False),
    ("not (contact == no or feel_safe > 2)", True),
    ("not not contact == yes", True),
    ("missing == 1 or contact == yes", True),
    ("missing == 1 and contact == yes", False),
])
def test_evaluate(text, expected):
    answers = dict(ANSWERS, skipped=None)
    assert evaluate(parse(text), answers) is expected


def test_evaluate_bool_answer_is_not_ordered_like_a_number():
    assert evaluate(parse("flag > 0"), {"flag": True}) is False
    assert evaluate(parse("flag == 1"), {"flag": 1}) is True


@pytest.mark.parametrize("text, answers, expected", [
    ("age_band == 16_24", {"age_band": "16_24"}, True),
    ("age_band in [13_15, 16_17]", {"age_band": "16_17"}, True),
    ("age_band in [13_15, 16_17]", {"age_band": "18_24"}, False),
    ("age_band != 75_plus and years >= 10", {"age_band": "65_74", "years": 12}, True),
])
def test_choice_ids_may_start_with_digits(text, answers, expected):
    assert evaluate(parse(text), answers) is expected
