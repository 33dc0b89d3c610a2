"""What every per-language data file of the pack (theme rules, name rules) must be first: a
mapping of known keys whose `language` is the file's name."""

from __future__ import annotations


def header_problems(data: object, stem: str, keys: set[str], expected: str) -> list[str]:
    """Problems with a file's shape: not a mapping, unknown keys, a language not its name."""
    if not isinstance(data, dict):
        return [f"expected a mapping ({expected})"]
    found = [f"unknown key '{k}'" for k in data if k not in keys]
    if data.get("language") != stem:
        found.append(f"language must be '{stem}', as the file is named")
    return found
