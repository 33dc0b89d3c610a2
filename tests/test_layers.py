"""The packages form layers: no import cycles, and every import points down.

Every import in the project's own source counts, wherever it stands: at module level, inside
a function, or under `if TYPE_CHECKING:`. Ranks, lowest first: store and assembly (the
place and the assembly as data, imported by surveys and above); surveys and
translations (surveys may use translations, not the other way round); bot; webhooks and
staff (neither uses the other); demo (the made-up data set: it may use anything below app,
and nothing but app imports it); app. A module may import its own package or lower ranks.

Inside bot/ the modules form layers too (BOT_LAYERS, lowest first): a bot module may import
bot modules of its own layer or lower ones, and every bot module must be placed in a layer,
so a new one is ranked when it is added.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from fnmatch import fnmatchcase
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RANK = {"store": 0, "assembly": 0, "surveys": 1, "translations": 1, "bot": 2, "webhooks": 3,
        "staff": 3, "demo": 4, "lottery": 4, "app": 5}
SIDEWAYS = {("surveys", "translations")}  # the one import allowed between equal ranks
SKIP = {ROOT / "store" / "migrations"}  # Alembic loads these by path, not as modules

Edge = tuple[str, str, int]  # (importer, imported, line)

# bot/'s own layers, lowest first: each a name, what it holds, and its modules (fnmatch
# patterns over dotted names). Place every new bot module here.
BOT_LAYERS: list[tuple[str, str, tuple[str, ...]]] = [
    ("pure", "no database, no Flask: data, rules and words worked out in memory", (
        "bot.addresses", "bot.ages", "bot.answers", "bot.call_phrases", "bot.channels",
        "bot.commands", "bot.config", "bot.datafile", "bot.delivery", "bot.engine",
        "bot.engine.*", "bot.letter_codes", "bot.logs", "bot.lottery_state",
        "bot.optout_phrases", "bot.plaintext", "bot.prompt_packs",
        "bot.quiet", "bot.safeguarding", "bot.safeguarding.*", "bot.state", "bot.suppress",
        "bot.members", "bot.members.link_codes", "bot.members.roster_file",
        "bot.members.rules")),
    ("storage", "database work: each module reads and writes its own rows (and runtime, "
                "the service's parts they are given)", (
        "bot.alerts", "bot.contacts", "bot.erasure", "bot.history", "bot.messages",
        "bot.optouts", "bot.outbox", "bot.ratelimit", "bot.runtime", "bot.screened",
        "bot.spool", "bot.youth", "bot.members.checkins", "bot.members.linking",
        "bot.registrants",
        "bot.members.reminders", "bot.members.schedule", "bot.members.removal",
        "bot.members.roster", "bot.members.rsvps", "bot.members.sessions",
        "bot.selection")),
    ("conversation", "carrying a conversation forward: load, resume the engine, apply its "
                     "effects, save", (
        "bot.conversations", "bot.effects")),
    ("jobs", "what the worker (or a command) runs: timers, sending, broadcasts, reminders", (
        "bot.broadcast", "bot.scheduler", "bot.sending", "bot.translating", "bot.worker",
        "bot.members.job")),
    ("commands", "the command line, and the package that registers it", (
        "bot", "bot.alerts_cli", "bot.cli", "bot.members.cli")),
]


def module_files() -> dict[str, Path]:
    """Map each project module's dotted name to its file."""
    files = {"app": ROOT / "app.py"}
    for package in (name for name in RANK if (ROOT / name).is_dir()):
        for path in sorted((ROOT / package).rglob("*.py")):
            if any(path.is_relative_to(skip) for skip in SKIP):
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            files[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return files


def imported_names(source: str, module: str, is_package: bool) -> list[tuple[list[str], int]]:
    """Each name any import in `source` binds: the modules it may be (`a.b` before `a`), line."""
    found: list[tuple[list[str], int]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [([alias.name], node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: count up from the importing module's package
                parts = module.split(".") if is_package else module.split(".")[:-1]
                parts = parts[: len(parts) - (node.level - 1)]
                base = ".".join(parts + ([base] if base else []))
            found += [([f"{base}.{alias.name}", base], node.lineno) for alias in node.names]
    return found


def edges_of(source: str, module: str, is_package: bool, modules: set[str]) -> list[Edge]:
    """The project modules that `module`'s source names, as sorted, unique edges."""
    edges = set()
    for meanings, line in imported_names(source, module, is_package):
        target = next((name for name in meanings if name in modules), None)
        if target is not None:
            edges.add((module, target, line))
    return sorted(edges)


@cache  # one walk of the tree for all the tests here: it reads every file
def project_edges() -> tuple[Edge, ...]:
    """Every import edge between the project's own modules."""
    files = module_files()
    edges: list[Edge] = []
    for module, path in files.items():
        edges += edges_of(path.read_text(), module, path.name == "__init__.py", set(files))
    return tuple(edges)


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm: the graph's strongly connected components."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for succ in sorted(graph.get(node, ())):
            if succ not in index:
                visit(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            component = [stack.pop()]
            while component[-1] != node:
                component.append(stack.pop())
            on_stack.difference_update(component)
            components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return components


def shortest_cycle(graph: dict[str, set[str]], start: str, within: set[str]) -> list[str]:
    """The modules on the shortest way from `start` back to itself through `within`, or []."""
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for succ in sorted(graph.get(node, set()) & within):
                if succ == start:
                    return paths[node]
                if succ not in paths:
                    paths[succ] = [*paths[node], succ]
                    following.append(succ)
        frontier = following
    return []


def cycles(edges: Sequence[Edge]) -> list[str]:
    """Shortest cycles, as `a -> b -> a`, until every module caught in a cycle is in one shown."""
    graph: dict[str, set[str]] = {}
    for source, target, _ in edges:
        graph.setdefault(source, set()).add(target)
    found: list[str] = []
    for component in map(set, strongly_connected(graph)):
        rings = [ring for module in sorted(component)
                 if (ring := shortest_cycle(graph, module, component))]
        covered: set[str] = set()
        for ring in sorted(rings, key=len):  # stable: equal lengths keep module order
            if not covered.issuperset(ring):
                covered.update(ring)
                found.append(" -> ".join([*ring, ring[0]]))
    return found


def package(module: str) -> str:
    """The top-level package (or `app`) a module belongs to."""
    return module.split(".")[0]


def allowed(source: str, target: str) -> bool:
    """Whether module `source` may import module `target`."""
    mine, theirs = package(source), package(target)
    return mine == theirs or RANK[theirs] < RANK[mine] or (mine, theirs) in SIDEWAYS


def violations(edges: Sequence[Edge], of_package: str) -> list[str]:
    """One line per upward or sideways import made by `of_package`'s modules."""
    files = module_files()
    return [f"{files[source].relative_to(ROOT)}:{line}: {source} (rank {RANK[package(source)]})"
            f" -> {target} (rank {RANK[package(target)]})"
            for source, target, line in edges
            if package(source) == of_package and not allowed(source, target)]


def bot_layer(module: str) -> list[int]:
    """The indexes of the BOT_LAYERS that place `module` (exactly one, when all is well)."""
    return [n for n, (_, _, patterns) in enumerate(BOT_LAYERS)
            if any(fnmatchcase(module, pattern) for pattern in patterns)]


def bot_violations(edges: Sequence[Edge]) -> list[str]:
    """One line per import from a bot module to a bot module of a higher layer."""
    found = []
    for source, target, line in edges:
        if package(source) != "bot" or package(target) != "bot":
            continue
        mine, theirs = bot_layer(source), bot_layer(target)
        if len(mine) == 1 and len(theirs) == 1 and theirs[0] > mine[0]:
            found.append(f"{source} ({BOT_LAYERS[mine[0]][0]}) -> {target} "
                         f"({BOT_LAYERS[theirs[0]][0]}), line {line}")
    return found


def unplaced(modules: list[str]) -> list[str]:
    """The bot modules in no layer, or in more than one."""
    return [f"{module}: {', '.join(BOT_LAYERS[n][0] for n in layers) or 'no layer'}"
            for module in modules if package(module) == "bot"
            and len(layers := bot_layer(module)) != 1]


def present_packages() -> list[str]:
    """The ranked packages that exist in the tree now (staff may not yet)."""
    return [name for name in RANK
            if (ROOT / name / "__init__.py").exists() or (ROOT / f"{name}.py").exists()]


def test_no_import_cycles():
    found = cycles(project_edges())
    assert not found, "import cycles:\n  " + "\n  ".join(found)


@pytest.mark.parametrize("of_package", present_packages())
def test_imports_point_down_the_layers(of_package: str):
    found = violations(project_edges(), of_package)
    assert not found, f"{of_package} imports a higher or equal layer:\n  " + "\n  ".join(found)


def test_every_bot_module_has_one_layer():
    found = unplaced(sorted(module_files()))
    assert not found, "place each bot module in one of BOT_LAYERS:\n  " + "\n  ".join(found)


def test_bot_imports_point_down_its_layers():
    found = bot_violations(project_edges())
    assert not found, "bot imports a higher layer:\n  " + "\n  ".join(found)


def test_bot_layers_catch_an_upward_import_and_an_unplaced_module():
    edges = [("bot.state", "bot.outbox", 1), ("bot.outbox", "bot.state", 2),
             ("bot.members.roster", "bot.members.rsvps", 3), ("bot.worker", "bot.cli", 4),
             ("bot.cli", "bot.worker", 5), ("bot.effects", "store.db", 6)]
    assert bot_violations(edges) == ["bot.state (pure) -> bot.outbox (storage), line 1",
                                     "bot.worker (jobs) -> bot.cli (commands), line 4"]
    assert [BOT_LAYERS[n][0] for n in bot_layer("bot.engine.survey")] == ["pure"]
    assert unplaced(["bot.state", "bot.newcomer", "staff.views"]) == ["bot.newcomer: no layer"]


SYNTHETIC = '''
from typing import TYPE_CHECKING

import flask
import pkg.low
from pkg import sub, not_a_module
from pkg.low import thing as alias
from . import sibling
from .sibling import name

if TYPE_CHECKING:
    from pkg.typed import Hint


def later() -> None:
    import pkg.lazy
    from pkg.inner import deep
'''
SYNTHETIC_MODULES = {"pkg", "pkg.low", "pkg.sub", "pkg.sibling", "pkg.typed", "pkg.lazy",
                     "pkg.inner", "pkg.inner.deep", "pkg.here"}


def test_walker_finds_every_kind_of_import():
    found = {target for _, target, _ in
             edges_of(SYNTHETIC, "pkg.here", False, SYNTHETIC_MODULES)}
    assert found == {"pkg", "pkg.low", "pkg.sub", "pkg.sibling", "pkg.typed", "pkg.lazy",
                     "pkg.inner.deep"}


def test_walker_resolves_relative_imports_in_a_package():
    edges = edges_of("from . import low\nfrom .. import top\n", "pkg.sub", True,
                     {"pkg", "pkg.low", "pkg.sub", "pkg.sub.low"})
    assert [target for _, target, _ in edges] == ["pkg", "pkg.sub.low"]


def test_cycles_and_violations_are_reported():
    edges = [("bot.a", "bot.b", 1), ("bot.b", "bot.c", 2), ("bot.c", "bot.a", 3),
             ("bot.c", "bot.b", 4), ("bot.d", "bot.d", 5), ("store.db", "bot.a", 6)]
    assert cycles(edges) == ["bot.b -> bot.c -> bot.b", "bot.a -> bot.b -> bot.c -> bot.a",
                             "bot.d -> bot.d"]
    assert violations(edges, "store") == ["store/db.py:6: store.db (rank 0) -> bot.a (rank 2)"]
    assert allowed("surveys.loader", "translations.catalog")
    assert not allowed("translations.catalog", "surveys.model")
    assert not allowed("webhooks.web", "staff.views")
    assert not allowed("bot.config", "app")


def test_walker_sees_the_real_tree():
    edges = {(source, target) for source, target, _ in project_edges()}
    assert ("bot.engine", "bot.state") in edges
    assert {"app", "bot", "demo", "staff", "store", "surveys", "translations", "webhooks"} <= set(
        module_files())
