"""docs/architecture.md names every module of the project, and no module that is gone.

The rule: each module is named by its path from the project's root, in backticks
(`bot/engine/survey.py`, `bot/members/__init__.py`, `app.py`), as its row in the table of
every package and module shows it. Counted: app.py and every .py file of the packages below,
but Alembic's migrations (`store/migrations/versions/`). A path in backticks under one of
those packages that names no file fails too, so a moved module is not left behind.

Data files are named the same way (`bot/members/rules.yaml`), but the surveys
(`surveys/*.yaml`) and a language folder's files, named by their kind (`<kind>.yaml`).
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "architecture.md"
PACKAGES = ("assembly", "bot", "webhooks", "staff", "store", "surveys", "translations", "demo",
            "bench")
SKIP = ("store/migrations/versions",)  # written by Alembic, not modules anyone reads
PATH = re.compile(rf"`((?:{'|'.join(PACKAGES)})/[\w/.-]+\.(?:py|yaml))`")


def project_files(suffix: str) -> list[str]:
    """Every file ending in `suffix` under the packages, as paths from the root."""
    found = [path.relative_to(ROOT).as_posix() for package in PACKAGES
             for path in sorted((ROOT / package).rglob(f"*{suffix}"))]
    return [name for name in found if not name.startswith(SKIP)]


def named(doc: str) -> set[str]:
    """The paths the doc names in backticks (or `app.py`)."""
    return set(re.findall(r"`([\w/.*<>-]+\.(?:py|yaml))`", doc))


def missing_modules(doc: str, modules: list[str]) -> list[str]:
    """The modules the doc does not name by their path."""
    return [module for module in modules if module not in named(doc)]


def gone(doc: str) -> list[str]:
    """The paths the doc names under a package that are no file in the tree."""
    return sorted({path for path in PATH.findall(doc) if not (ROOT / path).is_file()})


def data_files() -> list[str]:
    """The data files that must be named by path: none in a language's folder (named by
    kind) and none of the surveys (named as `surveys/*.yaml`)."""
    return [name for name in project_files(".yaml")
            if not re.fullmatch(r"translations/[^/]+/.+|surveys/[^/]+", name)]


def test_every_module_is_in_the_table():
    modules = ["app.py", *project_files(".py")]
    missing = missing_modules(DOC.read_text(encoding="utf-8"), modules)
    assert not missing, ("add a row to docs/architecture.md's table for:\n  "
                         + "\n  ".join(missing))


def test_every_data_file_is_named():
    from translations.data import KINDS

    doc = DOC.read_text(encoding="utf-8")
    wanted = [*data_files(), "surveys/*.yaml", *(f"{kind}.yaml" for kind in KINDS)]
    missing = [name for name in wanted if name not in named(doc)]
    assert not missing, "name in docs/architecture.md:\n  " + "\n  ".join(missing)


def test_no_path_in_the_doc_is_gone():
    found = gone(DOC.read_text(encoding="utf-8"))
    assert not found, "docs/architecture.md names files that are gone:\n  " + "\n  ".join(found)


def test_the_rule_reads_paths_in_backticks_only():
    doc = "| `bot/state.py` | … | bot/quiet.py, and `staff/demo/seed.py` |"
    assert missing_modules(doc, ["bot/state.py", "bot/quiet.py"]) == ["bot/quiet.py"]
    assert gone(doc) == ["staff/demo/seed.py"]
