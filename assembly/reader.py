"""Read a YAML data file remembering the line of every mapping and key.

The loader refuses a key written twice (PyYAML would keep the last), and a file that cannot
be read or parsed comes back as a `Problem` at its line, so every report reads FILE:LINE.
Surveys (`surveys.reader`) and place files (`assembly.place`) are read with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml


class LineDict(dict):
    """A mapping that knows the line it starts on and the line of each key."""

    line: int = 0
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class _LineLoader(yaml.SafeLoader):
    def construct_line_mapping(self, node: yaml.MappingNode) -> LineDict:
        mapping = LineDict()
        mapping.line = node.start_mark.line + 1
        mapping.key_lines = {}
        own = {id(k) for k, _ in node.value}  # keys written here, not merged in with <<
        own_keys = set()
        self.flatten_mapping(node)
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if id(key_node) in own:  # PyYAML would silently keep only the last one
                if key in own_keys:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"duplicate key '{key}'", key_node.start_mark)
                own_keys.add(key)
            mapping[key] = self.construct_object(value_node, deep=True)
            mapping.key_lines[key] = key_node.start_mark.line + 1
        return mapping


_LineLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _LineLoader.construct_line_mapping
)


@dataclass(frozen=True)
class Problem:
    """One problem at a line of a file, shown as FILE:LINE: message."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


def read_file(path: Path | str) -> tuple[Any, list[Problem]]:
    """Parse YAML keeping line numbers; a syntax error is reported as a Problem."""
    path = Path(path)
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.load(fh, Loader=_LineLoader), []  # noqa: S506 (a SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        return None, [Problem(str(path), line, f"YAML: {exc.problem or exc}")]
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(str(path), 1, f"cannot read: {exc}")]
