"""The Sortition Foundation's library (`sortition-algorithms`) run as a separate program.

The library is GPL-3.0 and this project MIT, so it is never imported: its own console script
(`sortition csv …`) runs from an environment of its own (`make lottery-env` makes
`.venv-lottery`; SORTITION_COMMAND points elsewhere), on CSV files it documents, written to
a temporary folder and read back. Its report on standard output carries each person's
probability of selection (the table "Agent ID  Probability of selection"), read here; when
it cannot meet the targets, its reason is returned in its own words.

Quirks of 0.12.15 met here: `python -m sortition_algorithms` does nothing (its __main__
never calls the command group), so the console script is run; the remaining CSV keeps the
selected people's housemates (the command passes exclude_matching_addresses=False), so a
second run excludes them by `--already-selected-csv`; its committees are sets of ids, so the
same seed draws the same panel only with PYTHONHASHSEED fixed (set here); a settings file it
cannot find is written with its defaults, so one is always written here;
`random_number_seed = 0` means "unseeded", so a seed is never 0; features it cannot read
end in a traceback, whose last line is the reason.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the source tree, where `make lottery-env` runs
VENV = Path(".venv-lottery") / "bin" / "sortition"
DISTRIBUTION = "sortition-algorithms"
ID, HOUSEHOLD = "id", "household"
TIMEOUT = 900  # seconds: 1,000 people take a few; a stuck solver must not hang the command
_PROBABILITY = re.compile(r"^\s*(\S+)\s+(\d+(?:\.\d+)?)%")  # numeric ids are right-aligned
_NOISE = ("Loading ", "Number of features", "No already selected", "Using ", "Running HiGHS",
          "Includes third-party", "Initial:", "Writing ", "Finished writing", "Error: Selection "
          "not successful")


class LibraryMissing(RuntimeError):
    """No `sortition` command where it was looked for: how to get one."""


class LibraryFailed(RuntimeError):
    """The library ran and selected nobody; the message is its reason, in its words."""


@dataclass(frozen=True)
class Outcome:
    selected: tuple[str, ...]  # ids, in the order the library wrote them
    remaining: tuple[str, ...]
    probabilities: dict[str, float] = field(default_factory=dict)  # id -> 0..1, where given
    output: str = ""  # the library's report (ids, categories: never names)


def command(configured: str | None) -> list[str]:
    """The command to run: SORTITION_COMMAND, else `.venv-lottery/bin/sortition` in the
    working directory or beside the code, else `sortition` on PATH; LibraryMissing else."""
    if configured:
        parts = shlex.split(configured)
        found = shutil.which(parts[0])
        if not found:
            raise LibraryMissing(f"SORTITION_COMMAND names {parts[0]!r}, which is not a "
                                 "program here")
        return [found, *parts[1:]]
    for place in (Path.cwd() / VENV, ROOT / VENV):
        if place.is_file():
            return [str(place)]
    found = shutil.which("sortition")
    if found:
        return [found]
    raise LibraryMissing("the Sortition Foundation's library is not installed: run `make "
                         "lottery-env` (it makes .venv-lottery), or set SORTITION_COMMAND to "
                         "its `sortition` command (docs/lottery.md)")


@dataclass(frozen=True)
class Installed:
    version: str  # the library's, from its own metadata
    backend: str  # the solver it is told to use: "mip" (CBC) where installed, else "highspy"


def installed(cmd: Sequence[str]) -> Installed:
    """What the library's environment holds, asked of the interpreter its console script
    runs on (its first line) or the `python` beside it: its version, and whether the `mip`
    extra is there. CBC through `mip` is about five times faster than highspy on 1,000
    people in 0.12.15 (whose highspy backend solves every committee twice)."""
    script = Path(cmd[0])
    python = None
    try:
        first = script.read_bytes()[:300].split(b"\n", 1)[0].decode()
        if first.startswith("#!"):
            python = shlex.split(first[2:])[0]
    except (OSError, UnicodeDecodeError, ValueError, IndexError):
        python = None
    if not python or not Path(python).exists():
        python = str(script.parent / "python")
    code = (f"import importlib.metadata as m, importlib.util as u; "
            f"print(m.version({DISTRIBUTION!r}), 'mip' if u.find_spec('mip') else 'highspy')")
    try:
        done = subprocess.run([python, "-c", code], capture_output=True, text=True,
                              timeout=60, check=True)
        found, backend = done.stdout.split()
    except (OSError, subprocess.SubprocessError, ValueError):
        return Installed("unknown", "highspy")
    return Installed(found, backend)


def seed_number(seed: str) -> int:
    """The library's integer seed for a published seed text: the first 31 bits of its
    SHA-256, plus one (0 would mean "unseeded"); anyone can recompute it."""
    digest = hashlib.sha256(seed.encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big") % (2**31 - 1) + 1


def settings_toml(algorithm: str, seed: int, backend: str = "highspy") -> str:
    """The library's settings: one person per household, the seed, the algorithm."""
    values = {"id_column": ID, "check_same_address": True,
              "check_same_address_columns": [HOUSEHOLD], "columns_to_keep": [HOUSEHOLD],
              "max_attempts": 100, "selection_algorithm": algorithm,
              "solver_backend": backend, "random_number_seed": seed}
    # JSON's strings, lists, booleans and integers are TOML's too
    return "".join(f"{key} = {json.dumps(value)}\n" for key, value in values.items())


def run(cmd: Sequence[str], targets: Iterable[tuple[str, str, int, int]],
        people: Sequence[Mapping[str, str]], dimensions: Sequence[str], wanted: int,
        algorithm: str, seed: int, already: Sequence[Mapping[str, str]] = (),
        backend: str = "highspy") -> Outcome:
    """Select `wanted` of `people` (rows with id, household and one column per dimension)
    meeting `targets` (dimension, category, min, max); `already`: people selected before,
    whose households are left out. LibraryFailed with the library's reason."""
    columns = [ID, HOUSEHOLD, *dimensions]
    with tempfile.TemporaryDirectory(prefix="lottery-") as folder:
        work = Path(folder)
        _write(work / "features.csv", ["feature", "value", "min", "max"],
               [dict(zip(("feature", "value", "min", "max"), t, strict=True)) for t in targets])
        _write(work / "people.csv", columns, people)
        (work / "settings.toml").write_text(settings_toml(algorithm, seed, backend),
                                            encoding="utf-8")
        args = [*cmd, "csv", "-S", "settings.toml", "-f", "features.csv", "-p", "people.csv",
                "-s", "selected.csv", "-r", "remaining.csv", "-n", str(wanted), "--no-progress"]
        if already:
            _write(work / "already.csv", [ID, HOUSEHOLD], already)
            args[-3:-3] = ["-a", "already.csv"]
        # its committees are sets of ids: without a fixed hash seed their order, and so
        # the panel a seed draws, changes from one run to the next
        environment = {**os.environ, "PYTHONHASHSEED": "0"}
        try:
            done = subprocess.run(args, cwd=work, capture_output=True, text=True,
                                  timeout=TIMEOUT, env=environment)
        except subprocess.TimeoutExpired as exc:
            raise LibraryFailed(f"the library did not finish within {TIMEOUT} seconds") from exc
        if done.returncode != 0 or not (work / "selected.csv").is_file():
            raise LibraryFailed(reason(done.stdout, done.stderr))
        return Outcome(_ids(work / "selected.csv"), _ids(work / "remaining.csv"),
                       probabilities(done.stdout), done.stdout)


def _write(path: Path, columns: Sequence[str], rows: Iterable[Mapping]) -> None:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def _ids(path: Path) -> tuple[str, ...]:
    with path.open(newline="", encoding="utf-8") as source:
        return tuple(row[ID] for row in csv.DictReader(source))


def probabilities(output: str) -> dict[str, float]:
    """Each person's probability of selection from the library's report table (maximin,
    nash, leximin; the legacy algorithm prints none)."""
    found: dict[str, float] = {}
    inside = False
    for line in output.splitlines():
        if "Agent ID" in line and "Probability of selection" in line:
            inside = True
        elif inside and not line.strip():
            inside = False
        elif inside:
            match = _PROBABILITY.match(line)
            if match:
                found[match[1]] = float(match[2]) / 100
    return found


def reason(stdout: str, stderr: str) -> str:
    """Why the library selected nobody, in its words: the exception it raised (its last
    line, without the class), else what it printed after its tables."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    if any(line.startswith("Traceback") for line in lines):
        last = lines[-1]
        return last.split(": ", 1)[1] if re.match(r"^[\w.]+(Error|Exception): ", last) else last
    said = []
    for block in re.split(r"\n\s*\n", stdout):
        rows = block.strip().splitlines()
        if any(set(row.strip()) <= {"-", " "} and row.strip() for row in rows):
            said = []  # a table: what matters comes after the last one
            continue
        said += [row.strip() for row in rows if row.strip() and not row.startswith(_NOISE)]
    said += [line.removeprefix("Error: ") for line in lines
             if "Selection not successful" not in line]
    return " ".join(said) or "the library gave no reason (run it by hand to see its output)"
