"""The channel table (bot/channels.py) holds together, and it is the only one: no other module
keeps its own table of channels or chain of `if channel == ...` over them."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

from bot import addresses, channels
from bot.channels import CHANNELS
from webhooks.senders import PROVIDERS

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "webhooks", "staff", "store", "surveys", "translations", "demo")
SKIP = (ROOT / "bot" / "channels.py", ROOT / "store" / "migrations")
# Kept on purpose, each with its reason (matched on the end of the path, wherever it lives).
ALLOWED = {
    "demo/shape.py": "made-up volumes per channel for the demo data, not facts about a channel",
}
# Channel names and address schemes: "tel" is one too. "web" alone names many other things
# (a blueprint, a chat-wording key), so a table needs two of these to count.
WORDS = frozenset(channels.NAMES) | {channel.scheme for channel in CHANNELS}


@pytest.mark.parametrize("column", ["name", "scheme", "label"])
def test_names_schemes_and_labels_are_unique(column):
    values = [getattr(channel, column) for channel in CHANNELS]
    assert all(values) and len(set(values)) == len(values)


@pytest.mark.parametrize("channel", CHANNELS, ids=lambda c: c.name)
def test_a_row_holds_together(channel):
    if channel.pushed:
        assert channel.sender in PROVIDERS, "webhooks/senders.py builds no client for it"
        assert channel.rate > 0
        assert addresses.parse(channel.name, channel.example)[0] == channel.scheme
    else:  # a page fetched by the person: nothing is sent to it, broadcast or pack
        assert not (channel.rate or channel.list_column or channel.engagers
                    or channel.reply_window or channel.loop_guard or channel.example)
    assert not channel.prefix or channel.phone
    assert not channel.sms_parts or channel.phone


def test_every_provider_client_sends_on_a_channel():
    assert set(PROVIDERS) == {channel.sender for channel in channels.PUSHED}


def test_lookups_read_the_table():
    for channel in CHANNELS:
        assert channels.get(channel.name) is channel
        assert channels.channel_of(channel.scheme) == channel.name
        assert channels.scheme_of(channel.name) == channel.scheme
        assert channels.label(channel.name) == channel.label
    assert channels.label("pigeon") == "pigeon"
    assert list(channels.labels()) == list(channels.NAMES)


def _sources() -> list[Path]:
    files = [ROOT / "app.py"]
    for package in PACKAGES:
        files += sorted((ROOT / package).rglob("*.py"))
    return [path for path in files
            if not any(path == skip or path.is_relative_to(skip) for skip in SKIP)]


def _word(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and node.value in WORDS:
        return node.value
    return None


def channel_tables(source: str) -> list[str]:
    """Each table of channels in `source`: a dict, set, tuple or list literal naming two or
    more channels (or schemes), and a comparison of one thing with two or more of them
    (`x == "sms" ... x == "telegram"`) within one function, as `line: what`."""
    tree = ast.parse(source)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            named = {_word(key) for key in node.keys} - {None}
        elif isinstance(node, ast.Set | ast.Tuple | ast.List):
            named = {_word(item) for item in node.elts} - {None}
        else:
            continue
        if len(named) >= 2:
            found.append(f"{node.lineno}: {type(node).__name__.lower()} of {sorted(named)}")
    scopes = [tree, *(n for n in ast.walk(tree)
                      if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef))]
    for scope in scopes:
        compared: dict[str, set[str]] = defaultdict(set)
        for node in ast.walk(scope):
            if isinstance(node, ast.Compare) and len(node.comparators) == 1:
                left, right = node.left, node.comparators[0]
                for side, word in ((left, _word(right)), (right, _word(left))):
                    if word is not None:
                        compared[ast.unparse(side)].add(word)
        for what, named in compared.items():
            if len(named) >= 2 and scope is not tree:
                found.append(f"{scope.lineno}: {what} compared with {sorted(named)}")
    return sorted(set(found))


def test_no_other_module_keeps_a_channel_table():
    found = {}
    for path in _sources():
        name = path.relative_to(ROOT).as_posix()
        if any(name.endswith(allowed) for allowed in ALLOWED):
            continue
        tables = channel_tables(path.read_text(encoding="utf-8"))
        if tables:
            found[name] = tables
    assert found == {}, "read bot/channels.py instead"


def test_every_allowance_is_still_needed():
    for allowed in ALLOWED:
        paths = [p for p in _sources() if p.relative_to(ROOT).as_posix().endswith(allowed)]
        assert paths, f"{allowed} is gone: drop it from ALLOWED"
        assert any(channel_tables(p.read_text(encoding="utf-8")) for p in paths)


@pytest.mark.parametrize("source", [
    'RATES = {"sms": 10.0, "telegram": 25.0}',
    'LOOP = {"sms", "whatsapp"}',
    'SCHEMES = ("tel", "whatsapp")',
    'def f(c):\n    return "a" if c == "telegram" else "b" if c == "whatsapp" else "c"',
    'def f(c):\n    if c in ("sms", "whatsapp"):\n        return 1',
    'def f(c):\n    if c.channel == "sms":\n        return 1\n    if c.channel != "web":\n'
    '        return 2',
])
def test_the_scan_finds_a_table(source):
    assert channel_tables(source)


@pytest.mark.parametrize("source", [
    'bp = Blueprint("web", __name__)',
    'KEYS = ("web_token", "web_csrf")',
    'def f(c):\n    return c == "whatsapp"',
    'def f(a, b):\n    return a == "sms" or b == "telegram"',
    'PROVIDERS = {"twilio": 1, "telegram": 2}',
])
def test_the_scan_leaves_other_code_alone(source):
    assert channel_tables(source) == []
