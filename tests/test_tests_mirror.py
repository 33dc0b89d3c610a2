"""The tests mirror the code: a folder of tests stands where the package it tests stands
(tests/bot/members/ for bot/members/), so a newcomer finds a module's tests by its path.
Tests of the whole app (layers, routes, headers, transcripts) stay at the top of tests/;
tests/helpers, tests/fakes, tests/data and tests/transcripts hold what tests share, and no
test module imports another: what two test modules share lives in tests/helpers."""

from __future__ import annotations

import ast
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


def cross_imports(root: Path) -> list[str]:
    """Imports, anywhere under tests/, of a test module (a module path with a `test_` part)."""
    found = []
    for path in sorted((root / "tests").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            tests = [m for m in _imported(node)
                     if any(part.startswith("test_") for part in m.split("."))]
            if tests:  # one line per import statement, naming the first test module
                found.append(f"{path.relative_to(root).as_posix()}:{node.lineno} {tests[0]}")
    return found


def _imported(node: ast.AST) -> list[str]:
    """The modules an import statement may load; `from tests.x import test_y` loads test_y."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if not isinstance(node, ast.ImportFrom):
        return []
    module = "." * node.level + (node.module or "")
    if node.level == 0 and module.split(".")[0] != "tests":
        return [module]  # another package's names are not test modules
    return [module, *(f"{module.rstrip('.')}.{alias.name}" for alias in node.names)]


def test_no_test_module_imports_another():
    assert cross_imports(ROOT) == []


@pytest.mark.parametrize(("line", "expected"), [
    ("from tests.helpers.twilio import post", []),
    ("from tests.helpers import twilio as tw", []),
    ("from pytest import approx", []),
    ("from tests.webhooks.test_twilio import post", ["tests.webhooks.test_twilio"]),
    ("from tests.webhooks import test_twilio as tw", ["tests.webhooks.test_twilio"]),
    ("import tests.webhooks.test_twilio", ["tests.webhooks.test_twilio"]),
    ("from .test_twilio import said", [".test_twilio"]),
    ("from . import test_twilio", [".test_twilio"]),
])
def test_the_check_fails_on_a_test_module_importing_another(tmp_path, line, expected):
    (tmp_path / "tests" / "webhooks").mkdir(parents=True)
    (tmp_path / "tests" / "webhooks" / "test_junk.py").write_text(
        f'"""A test module."""\n\nimport pytest\n{line}\n')
    assert cross_imports(tmp_path) == [
        f"tests/webhooks/test_junk.py:4 {module}" for module in expected]
