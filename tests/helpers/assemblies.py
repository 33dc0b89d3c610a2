"""A made-up assembly for tests: its own file, the tiny test borough as its place (by path),
and a two-theme set with English and Polish rules (by path), all written into a folder."""

from __future__ import annotations

import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "tests" / "data" / "places" / "tiny-borough.yaml"
THEMES = """
parks:
  title: Parks
  about: green spaces and playgrounds
buses:
  title: Buses
  about: routes, fares and how often they come
"""
ENGLISH = """
language: en
words:
  bus: [bus, buses]
themes:
  parks: ["(park|parks|playground*)"]
  buses: ["{bus}", "more ...{bus}"]
must_match:
  parks: [The park needs benches]
  buses: [More night buses please]
must_not_match:
  parks: [Parking is hard]
"""
POLISH = """
language: pl
themes:
  parks: ["(parku|parkow|parki)"]
  buses: ["autobus*"]
must_match:
  parks: [Wiecej parkow]
  buses: [Autobusy sa za rzadko]
must_not_match: {}
"""
ASSEMBLY = """\
name: Tiny Borough Assembly on Getting Around
question: How should people get around Tiny Borough?
place: places/tiny.yaml
themes: ./transport
intro: >-
  What residents said about
  getting around.
target: 200
under: 0.8
over: 5/4
"""


def theme_set(folder: Path, themes: str = THEMES, **rules: str) -> Path:
    """A theme set in `folder`: themes.yaml and one `<lang>.yaml` per keyword."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "themes.yaml").write_text(textwrap.dedent(themes), encoding="utf-8")
    for lang, text in rules.items():
        (folder / f"{lang}.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    return folder


def made_up(folder: Path, text: str = ASSEMBLY) -> Path:
    """The made-up assembly file in `folder` (its place and theme set beside it): its path."""
    (folder / "places").mkdir(parents=True, exist_ok=True)
    (folder / "places" / "tiny.yaml").write_text(TINY.read_text(encoding="utf-8"),
                                                 encoding="utf-8")
    theme_set(folder / "transport", en=ENGLISH, pl=POLISH)
    path = folder / "tiny-transport.yaml"
    path.write_text(text, encoding="utf-8")
    return path
