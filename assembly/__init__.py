"""The assembly the outreach gathers evidence for, as settings: one YAML file names it, says
its question, the place whose residents it hears (`assembly/places/`, assembly.place), the
theme set free text is coded to (`assembly/themes/<set>/`: themes.yaml and one rules file per
language, read by staff/evidence/coding.py), the evidence pack's introduction, the number of
responses aimed for, the thresholds for "under-" and "over-represented", and the civic
lottery's settings (`lottery:`, assembly/lottery.py).

`place:` and `themes:` are a bare name (`waltham-forest`: the shipped file or folder of that
name) or a path relative to the assembly file. `load(path)` checks it all and raises
AssemblyError listing every problem as FILE:LINE. The setting ASSEMBLY_FILE names the file
(bot/config.py); SHIPPED is the default. A second assembly adds files, not code.

Imports only the standard library and PyYAML: surveys, the bot and the staff pages read it.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from assembly import lottery as lotteries
from assembly import place as places
from assembly.reader import LineDict, read_file

ROOT = Path(__file__).resolve().parent
SHIPPED = ROOT / "assemblies" / "waltham-forest-policing.yaml"
PLACES, THEME_SETS = ROOT / "places", ROOT / "themes"
THEMES_FILE = "themes.yaml"  # in a theme set: the themes, their order, titles and `about`
KEYS = ("name", "question", "place", "themes", "intro", "target", "under", "over", "lottery")
REQUIRED = ("name", "question", "place", "themes")
UNDER, OVER = 0.75, 4 / 3
_BARE = re.compile(r"[a-z0-9][a-z0-9_-]*")  # a shipped file's name, not a path


class AssemblyError(ValueError):
    """An assembly file that cannot be used; the message lists every problem, FILE:LINE."""


@dataclass(frozen=True)
class Assembly:
    name: str
    question: str
    place: places.Place
    themes: Path  # the theme set's folder: themes.yaml and <lang>.yaml rules
    intro: str  # the evidence pack's introduction, in English
    target: int | None  # how many responses the outreach aims for
    path: Path
    under: float = UNDER  # a group heard less than under × its reference share is missing
    over: float = OVER  # ... and more than over × its share, over-represented
    lottery: lotteries.Lottery = lotteries.Lottery()  # the civic lottery's settings


def load(path: Path | str | None = None) -> Assembly:
    """The assembly file at `path` (default SHIPPED), checked; cached by its resolved path."""
    return _load(Path(path if path is not None else SHIPPED).resolve())


@functools.cache
def _load(path: Path) -> Assembly:
    data, lines, problems = _read(path)
    if problems:
        raise AssemblyError("\n".join(problems))
    at = {key: f"{path}:{lines.get(key, 1)}" for key in KEYS}
    problems += [f"{path}:{line}: unknown key '{key}' (known: {', '.join(KEYS)})"
                 for key, line in lines.items() if key not in KEYS]
    for key in REQUIRED:
        if not isinstance(data.get(key), str) or not data[key].strip():
            problems.append(f"{at[key]}: '{key}' is required (text)")
    if not isinstance(data.get("intro") or "", str):
        problems.append(f"{at['intro']}: intro must be text (a paragraph)")
    target = data.get("target")
    if target is not None and (type(target) is not int or target < 1):
        problems.append(f"{at['target']}: target must be a positive whole number, "
                        f"not {target!r}")
    under, over = _number(data.get("under", UNDER)), _number(data.get("over", OVER))
    if under is None or not 0 < under < 1:
        problems.append(f"{at['under']}: under must be a number between 0 and 1 (0 < under "
                        f"< 1 < over), not {data.get('under')!r}")
    if over is None or not over > 1:
        problems.append(f"{at['over']}: over must be a number above 1 (0 < under < 1 < "
                        f"over), not {data.get('over')!r}")
    place = _place(path, data.get("place"), at["place"], problems)
    themes = _theme_set(path, data.get("themes"), at["themes"], problems)
    lottery = lotteries.read(data.get("lottery"), at["lottery"], problems)
    if problems:
        raise AssemblyError("\n".join(problems))
    return Assembly(name=data["name"].strip(), question=data["question"].strip(), place=place,
                    themes=themes, intro=(data.get("intro") or "").strip(), target=target,
                    path=path, under=under, over=over, lottery=lottery)


def _read(path: Path) -> tuple[dict, dict[str, int], list[str]]:
    """The file's mapping, the line of each top-level key, and problems reading it."""
    data, problems = read_file(path)
    if problems:
        return {}, {}, [str(p) for p in problems]
    if not isinstance(data, LineDict):
        return {}, {}, [f"{path}:1: expected a mapping of {', '.join(KEYS)}"]
    return data, {str(key): data.line_of(key) for key in data}, []


def _number(value: object) -> float | None:
    """A threshold: a number, or a fraction written `4/3`; None when it is neither."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(Fraction(str(value).replace(" ", "")))
    except (ValueError, ZeroDivisionError):
        return None


def _named(path: Path, value: str, shipped: Path, suffix: str) -> Path:
    """A bare name's shipped file or folder, or a path relative to the assembly file."""
    if _BARE.fullmatch(value):
        return shipped / f"{value}{suffix}"
    return (path.parent / value).resolve()


def _place(path: Path, value: object, at: str, problems: list[str]) -> places.Place | None:
    if not isinstance(value, str) or not value.strip():
        return None  # reported as missing
    found = _named(path, value.strip(), PLACES, ".yaml")
    if not found.is_file():
        problems.append(f"{at}: place '{value}' not found (no file {found})")
        return None
    try:
        return places.load(found)
    except places.PlaceError as exc:
        problems.append(f"{at}: place '{value}' has problems:\n{exc}")
        return None


def _theme_set(path: Path, value: object, at: str, problems: list[str]) -> Path | None:
    if not isinstance(value, str) or not value.strip():
        return None  # reported as missing
    found = _named(path, value.strip(), THEME_SETS, "")
    if not (found / THEMES_FILE).is_file():
        problems.append(f"{at}: theme set '{value}' not found (no file {found / THEMES_FILE})")
        return None
    return found
