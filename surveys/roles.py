"""Check what a survey's questions say they are for (`role:`), every problem at its line.

A role fits some question types (ROLE_TYPES); `age`, `headline` and `participants` sit on
one question at most; a headline names its `measure`; `ages` and `reference` belong to the
choices of the questions whose role calls for them. Given the place (`assembly.place`),
each choice's `reference` must name categories of one table of the role's dimension, an age
band without one is mapped by its `ages`, and two choices of one table stand for the same
categories or for none in common — so that each answer is counted in one group at most.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from assembly.place import Place, PlaceError
from surveys.model import DIMENSION_ROLES, ROLES, age_text, parse_ages, references
from surveys.reader import LineDict

Add = Callable[[int, str], None]  # report a problem at a line of the file
ROLE_TYPES = {**dict.fromkeys(DIMENSION_ROLES, ("choice",)), "age": ("number", "choice"),
              "themes": ("text",), "headline": ("scale", "choice"), "participants": ("number",),
              "name": ("text",), "phone": ("text",), "access": ("text",),
              "availability": ("multi",)}
# on one question of a survey at most
ONE_QUESTION = ("age", "headline", "participants", "name", "phone", "access", "availability")


def check(add: Add, questions: list, ages: tuple[int, float], place: Place | None) -> None:
    """Every problem with the roles of a survey's questions (`ages`: whom it is for)."""
    owners: dict[str, str] = {}
    for q in questions:
        if not isinstance(q, LineDict):
            continue
        role, qtype = q.get("role"), q.get("type")
        if role is not None and role not in ROLES:
            add(q.line_of("role"), f"unknown role '{role}' (use {', '.join(ROLES)})")
            continue
        _check_measure(add, q, role)
        _check_choice_keys(add, q, role)
        if role is None:
            continue
        if role in ONE_QUESTION and role in owners:
            add(q.line_of("role"), f"role '{role}' is already {owners[role]}'s")
        owners.setdefault(role, str(q.get("id")))
        if qtype not in ROLE_TYPES[role]:
            article = "an" if role[0] in "aeiou" else "a"
            add(q.line_of("role"), f"{article} {role} question is a "
                f"{' or a '.join(ROLE_TYPES[role])} question")
        elif role == "age" and qtype == "choice":
            _check_bands(add, q, ages)
    if place is not None:
        _check_mapping(add, questions, place)


def _check_measure(add: Add, q: LineDict, role: Any) -> None:
    """A headline names what it measures, in a few words; no other question does."""
    if "measure" not in q:
        if role == "headline":
            add(q.line_of("role"), "a headline question says what it measures "
                "(measure: a short name, shown with its results)")
    elif role != "headline":
        add(q.line_of("measure"), "'measure' belongs to the question with role: headline")
    elif not isinstance(q["measure"], str) or not q["measure"].strip():
        add(q.line_of("measure"), "'measure' must be some text")


def _check_choice_keys(add: Add, q: LineDict, role: Any) -> None:
    """`ages` only on an age question's choices; `reference` only on a dimension's."""
    for c in q.get("choices") or []:
        if not isinstance(c, LineDict):
            continue
        if "ages" in c and role != "age":
            add(c.line_of("ages"), "'ages' belongs to the choices of a question with role: age")
        if "reference" not in c:
            continue
        if role not in DIMENSION_ROLES:
            add(c.line_of("reference"), "'reference' belongs to the choices of a question "
                f"with one of the roles {', '.join(DIMENSION_ROLES)}")
        elif not _ids(c["reference"]):
            add(c.line_of("reference"), "'reference' must be a category or group id of the "
                "place, or a list of them")


def _ids(value: Any) -> bool:
    """Whether a `reference` is one id or a non-empty list of ids."""
    values = value if isinstance(value, list) else [value]
    return bool(values) and all(isinstance(v, str) and v.strip() for v in values)


def _check_bands(add: Add, q: LineDict, ages: tuple[int, float]) -> None:
    """An age question's bands say their `ages` (a choice without is no age, such as
    "Prefer not to say"): bands that do not overlap, none across an end of the survey's
    `ages` (so that each answer either is for the survey or is not)."""
    bands: list[tuple[tuple[int, float], str]] = []
    unread = False
    for c in q.get("choices") or []:
        if not isinstance(c, LineDict) or c.get("ages") is None:
            continue
        band = parse_ages(c["ages"])
        if band is None:
            add(c.line_of("ages"), "'ages' must be a range such as 13-15, 75+ or 16")
            unread = True
            continue
        for edge in (ages[0], ages[1] + 1) if ages[1] != math.inf else (ages[0],):
            if band[0] < edge <= band[1]:
                add(c.line_of("ages"), f"choice '{c.get('id')}' ({c['ages']}) spans "
                    f"age {age_text(edge)}, where the survey's ages begin or end: split it")
        for other, other_id in bands:
            if band[0] <= other[1] and other[0] <= band[1]:
                add(c.line_of("ages"), f"choice '{c.get('id')}' ({c['ages']}) "
                    f"overlaps '{other_id}'")
        bands.append((band, str(c.get("id"))))
    if not bands:
        add(q.line_of("role"), "an age question's choices say their ages "
            "(ages: 0-12, 13-15, 75+ ...)")
    for low, high in _uncovered(band for band, _ in bands) if bands and not unread else ():
        said = f"{age_text(low)}+" if high == math.inf else (
            age_text(low) if low == high else f"{age_text(low)}-{age_text(high)}")
        add(q.line_of("role"), f"no choice covers ages {said}: someone who types such an age "
            "is asked again, and a child under 13 is never thanked and let go; add a band "
            f"(ages: {said})")


def _uncovered(bands) -> list[tuple[int, float]]:
    """The ages from 0 up that no band covers, as ranges."""
    gaps, next_age = [], 0
    for low, high in sorted(bands):
        if low > next_age:
            gaps.append((next_age, low - 1))
        next_age = max(next_age, high + 1)
    if next_age != math.inf:
        gaps.append((next_age, math.inf))
    return gaps


def _check_mapping(add: Add, questions: list, place: Place) -> None:
    """Each choice's reference resolves in the place; within one table of a dimension the
    choices (of all its questions, asked in turn) stand for equal or disjoint categories."""
    mapped: dict[tuple[str, str], list[tuple[frozenset[str], str]]] = {}
    for q in questions:
        if not isinstance(q, LineDict) or q.get("role") not in DIMENSION_ROLES:
            continue
        dimension = q["role"]
        for c in q.get("choices") or []:
            if not isinstance(c, LineDict):
                continue
            cid, line = str(c.get("id")), c.line_of("reference")
            if "reference" in c:
                if not _ids(c["reference"]):
                    continue  # reported above
                try:
                    table, categories = place.resolve(dimension, references(c["reference"]))
                except PlaceError as exc:
                    add(line, f"choice '{cid}': {exc}")
                    continue
            else:
                band = parse_ages(c.get("ages")) if dimension == "age" else None
                found = place.bands_for(*band) if band is not None else None
                if found is None:
                    continue  # not compared
                (table, categories), line = found, c.line_of("ages")
            these = frozenset(category.id for category in categories)
            earlier = mapped.setdefault((dimension, table.table), [])
            for other, other_id in earlier:
                if these != other and these & other:
                    add(line, f"choice '{cid}' shares some of {table.table}'s categories "
                        f"with '{other_id}' ({', '.join(sorted(these & other))}): map both "
                        "to the same categories, or to none in common")
            earlier.append((these, cid))
