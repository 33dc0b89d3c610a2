"""The staff pages are registered explicitly (staff.init_app adds each page module's routes
to a blueprint made for that app) and only render: their queries live in query modules."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from app import create_app

STAFF = Path(__file__).resolve().parents[2] / "staff"
PAGE_MODULES = ("views", "signin", "administration", "downloads", "api")


@pytest.mark.parametrize("name", PAGE_MODULES)
def test_a_page_module_runs_no_query_of_its_own(name):
    tree = ast.parse((STAFF / f"{name}.py").read_text(encoding="utf-8"))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names} | {
        node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not {m for m in imported if m.startswith(("sqlalchemy", "store.models"))}


def test_each_app_gets_its_own_staff_pages():
    first, second = (create_app({"DATABASE_URL": "sqlite://", "SECRET_KEY": "x" * 32})
                     for _ in range(2))
    rules = [sorted(r.rule for r in app.url_map.iter_rules() if r.endpoint.startswith("staff."))
             for app in (first, second)]
    assert rules[0] == rules[1] and "/staff/exports" in rules[0] and "/staff/login" in rules[0]
