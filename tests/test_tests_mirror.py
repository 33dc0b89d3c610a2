"""The tests mirror the code: a folder of tests stands where the package it tests stands
(tests/bot/members/ for bot/members/), so a newcomer finds a module's tests by its path.
Tests of the whole app (layers, routes, headers, transcripts) stay at the top of tests/;
tests/helpers, tests/fakes, tests/data and tests/transcripts hold what tests share."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = {"helpers", "fakes", "data", "transcripts"}


def strays(root: Path) -> list[str]:
    """Test folders with no package of the same path in the source."""
    tests = root / "tests"
    found = []
    for folder in sorted(p for p in tests.rglob("*") if p.is_dir()):
        relative = folder.relative_to(tests)
        if relative.parts[0] in SHARED or "__pycache__" in relative.parts:
            continue
        if not (root / relative / "__init__.py").is_file():
            found.append(f"tests/{relative.as_posix()}")
    return found


def test_every_test_folder_mirrors_a_package():
    assert strays(ROOT) == []


@pytest.mark.parametrize(("folders", "expected"), [
    (["bot/members"], []),
    (["bot/nowhere"], ["tests/bot/nowhere"]),
    (["helpers/anything"], []),
])
def test_the_check_fails_on_a_folder_with_no_package(tmp_path, folders, expected):
    (tmp_path / "bot" / "members").mkdir(parents=True)
    for package in ("bot", "bot/members"):
        (tmp_path / package / "__init__.py").write_text("")
    for folder in folders:
        (tmp_path / "tests" / folder).mkdir(parents=True)
    assert strays(tmp_path) == expected
