"""Read a survey YAML file remembering the line of every mapping and key.

The line-keeping reader itself is `assembly.reader` (place files use it too): it refuses a
key written twice, and a file that cannot be read or parsed comes back as a `Problem` at its
line, so every report reads FILE:LINE. Here: what only surveys need of it.
"""

from __future__ import annotations

from typing import Any

from assembly.reader import LineDict, Problem, read_file

__all__ = ["LineDict", "Problem", "plain", "read_file", "text_lines"]


def plain(value: Any) -> Any:
    """Turn LineDicts into ordinary dicts (JSON-ready)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def text_lines(data: LineDict) -> dict[str, int]:
    """The line of each text in a valid definition, by its catalogue context (slug/id...)."""
    slug = data["slug"]
    lines = {f"{slug}/{k}": data.line_of(k) for k in ("title", "intro", "consent", "outro",
                                                       "screen_out")}
    for q in data["questions"]:
        lines[f"{slug}/{q['id']}"] = q.line_of("text")
        for c in q.get("choices") or []:
            lines[f"{slug}/{q['id']}/{c['id']}"] = c.line_of("text")
    return lines
