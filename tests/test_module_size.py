"""No module of the project is longer than LIMIT lines: one that grows past it is split by
concern (issue 19), so that each can be read in one sitting.

Counted: app.py and every .py file in the packages below, but Alembic's generated migrations.
Tests are not counted (a table of cases may run long).
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LIMIT = 400
PLACES = ("app.py", "bot", "webhooks", "staff", "store", "surveys", "translations", "bench",
          "demo")
SKIP = ("store/migrations/versions",)  # written by Alembic's autogenerate, not by hand



def modules(root: Path) -> list[str]:
    """Every counted module under `root`, as a path relative to it."""
    found = []
    for place in (root / name for name in PLACES):
        files = [place] if place.is_file() else sorted(place.rglob("*.py"))
        found += [path.relative_to(root).as_posix() for path in files
                  if not any(path.is_relative_to(root / skip) for skip in SKIP)]
    return found


def length(path: Path) -> int:
    """The number of lines in a file, as `wc -l` counts them for a file ending in a newline."""
    return len(path.read_text(encoding="utf-8").splitlines())


def problems(root: Path) -> list[str]:
    """One line per module over LIMIT."""
    return [f"{name}: {n} lines (at most {LIMIT}): split it by concern"
            for name in modules(root) if (n := length(root / name)) > LIMIT]


def test_every_module_is_at_most_the_limit():
    found = problems(ROOT)
    assert not found, "\n  ".join(["module size:", *found])


def write(root: Path, name: str, lines: int) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("x = 1\n" * lines, encoding="utf-8")


@pytest.mark.parametrize(("files", "expected"), [
    ({"bot/short.py": LIMIT}, []),
    ({"bot/long.py": LIMIT + 1},
     [f"bot/long.py: {LIMIT + 1} lines (at most {LIMIT}): split it by concern"]),
    ({"app.py": LIMIT + 1},
     [f"app.py: {LIMIT + 1} lines (at most {LIMIT}): split it by concern"]),
    ({"demo/long.py": LIMIT + 1},
     [f"demo/long.py: {LIMIT + 1} lines (at most {LIMIT}): split it by concern"]),
    ({"store/migrations/versions/0001_x.py": LIMIT + 1}, []),
    ({"tests/test_long.py": LIMIT + 1, "docs/long.py": LIMIT + 1}, []),
], ids=["at-limit", "over", "app-over", "demo-over", "migrations-skipped", "outside-places"])
def test_the_check_fails_on_a_long_module(tmp_path, files, expected):
    for name, lines in files.items():
        write(tmp_path, name, lines)
    assert problems(tmp_path) == expected
