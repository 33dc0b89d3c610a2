"""What every per-language data file people review must be first — opt-out phrases,
safeguarding patterns, prompt packs, the evidence pack's theme and name rules: a mapping of
known keys whose `language` is the file's name."""

from __future__ import annotations


def header_problems(data: object, stem: str, keys: set[str], expected: str = "") -> list[str]:
    """Problems with a file's shape: not a mapping (then nothing else is checked), unknown
    keys, a language not its name. `expected` names the keys in the first message."""
    if not isinstance(data, dict):
        return [f"expected a mapping ({expected})" if expected else "expected a mapping"]
    found = [f"unknown key '{k}'" for k in data if k not in keys]
    if data.get("language") != stem:
        found.append(f"language must be '{stem}', as the file is named")
    return found
