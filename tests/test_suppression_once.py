"""Hiding small counts is written once: in bot/suppress.py. Every other module asks it.

A module that compares a count with `THRESHOLD` itself, spells "fewer than 5" in a string
(docstrings and comments may explain the rule), or keeps its own constant for it, writes the
rule a second time; so does a template that spells the number. Each is found here.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# translations/ is left out: its texts are wording to translate ("fewer than 5" is a message
# the engine picks, and a translator words), not the rule.
SOURCES = ("app.py", "bot", "webhooks", "surveys", "store", "staff", "demo")
HOME = ROOT / "bot" / "suppress.py"
WORDS = re.compile(r"fewer than 5|1 to 4", re.IGNORECASE)
CONSTANT = re.compile(r"THRESHOLD|SMALL|FEWER|MIN_COUNT", re.IGNORECASE)


def python_files() -> list[Path]:
    found: list[Path] = []
    for name in SOURCES:
        path = ROOT / name
        found += [path] if path.is_file() else sorted(path.rglob("*.py")) if path.is_dir() else []
    return [p for p in found if p != HOME and "migrations" not in p.parts]


def docstrings(tree: ast.AST) -> set[int]:
    """The ids of the string nodes that are docstrings."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def _names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)} | {
        n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)}


def rewrites(source: str) -> list[tuple[int, str]]:
    """(line, what) for each place `source` writes the suppression rule itself."""
    tree = ast.parse(source)
    skip = docstrings(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare) and "THRESHOLD" in _names(node):
            found.append((node.lineno, "compares a count with THRESHOLD"))
        elif (isinstance(node, ast.Constant) and isinstance(node.value, str)
              and id(node) not in skip and WORDS.search(node.value)):
            found.append((node.lineno, f"spells the rule: {node.value!r}"))
        elif (isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
              and node.value.value in (4, 5) and any(
                  isinstance(t, ast.Name) and CONSTANT.search(t.id) for t in node.targets)):
            found.append((node.lineno, "keeps its own threshold"))
    return sorted(found)


def test_no_module_but_bot_suppress_writes_the_rule():
    found = {}
    for path in python_files():
        places = rewrites(path.read_text(encoding="utf-8"))
        name = str(path.relative_to(ROOT))
        if places:
            found[name] = places
    assert not found, f"the suppression rule outside bot/suppress.py: {found}"


def test_no_template_spells_the_threshold():
    found = [f"{path.relative_to(ROOT)}:{n}" for name in ("staff", "webhooks")
             for path in sorted((ROOT / name).rglob("*.html"))
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if WORDS.search(line)]
    assert not found, "write {{ threshold }} (bot/suppress.py's) instead: " + ", ".join(found)


@pytest.mark.parametrize(("source", "caught"), [
    ("def f(n):\n    return n < suppress.THRESHOLD\n", True),
    ("def f(n):\n    return 'fewer than 5' if n < 5 else str(n)\n", True),
    ("SMALL = 5\n", True),
    ('def f(n):\n    """Under 5 it reads fewer than 5."""\n    return suppress.count_text(n)\n',
     False),
    ("FEWER = suppress.FEWER\n", False),
])
def test_the_scan_finds_a_second_copy(source, caught):
    assert bool(rewrites(source)) is caught
