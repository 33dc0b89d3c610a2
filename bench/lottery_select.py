"""The lottery's selection at scale: 1,000 made-up registrants (tests/helpers/lottery_pool.py,
the made-up registration survey's six dimensions), 50 selected and 10 reserves through
`outreach lottery select`, on SQLite. Aims (issue 21): under 60 s, under 1 GB.

The registrants are seeded in a process of their own; the selection runs in another, which
runs the Sortition Foundation's library as a program of its own (twice: panel, reserves).
Its memory: the command's own peak resident set (VmHWM) and the library's (the largest
waited-for child, getrusage(RUSAGE_CHILDREN)); their sum bounds what they held at once.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.inbound import ROOT

AIM_SECONDS, AIM_MB = 60.0, 1024.0
SEED = "bench lottery 2027"


@dataclass(frozen=True)
class Selected:
    registrants: int
    panel: int
    reserves: int
    seconds: float
    command_mb: float
    library_mb: float

    @property
    def peak_mb(self) -> float:
        return self.command_mb + self.library_mb


def _env(url: str, folder: Path) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench", "TRANSLATOR": "none",
            "INSTANCE_PATH": str(folder / "instance"), "PYTHONPATH": str(ROOT)}


def measure(registrants: int = 1000, panel: int = 50, reserves: int = 10) -> Selected:
    """Seed a fresh database with `registrants` and their targets, then select."""
    from store.migrate import upgrade

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url = f"sqlite:///{folder / 'bench.db'}"
        upgrade(url)
        _run(url, folder, "--seed-child", str(registrants), str(panel))
        figures = _run(url, folder, "--child", str(panel), str(reserves))
        return Selected(registrants, figures["selected"], figures["reserves"],
                        figures["seconds"], figures["command_mb"], figures["library_mb"])


def _run(url: str, folder: Path, *args: str) -> dict:
    child = subprocess.run([sys.executable, "-m", "bench.lottery_select", *args],
                           env=_env(url, folder), cwd=folder, capture_output=True, text=True,
                           check=False)
    if child.returncode != 0:
        raise RuntimeError((child.stderr or child.stdout).strip().splitlines()[-1])
    return json.loads(child.stdout.strip().splitlines()[-1])


def _seed_child(registrants: int, panel: int) -> None:
    """In a process of its own: the registrants (one household in ten has two), the
    targets proposed for five dimensions and set by hand for the wards, loaded."""
    from app import create_app, main
    from store.db import transaction
    from tests.helpers.lottery_pool import add_pool, answers, load_registration

    app = create_app()
    rt = app.extensions["outreach"]
    with transaction(rt.sessions) as session:
        load_registration(session)
        households = [n - n % 2 if n % 10 < 2 else n for n in range(registrants)]
        add_pool(session, answers(registrants, seed=7), households)
    rt.engine.dispose()
    targets = Path("targets.csv")
    main(["lottery", "targets", "--panel", str(panel), "--out", str(targets)],
         standalone_mode=False)
    wards = ("cann_hall", "cathall", "forest", "leyton", "valley")
    each = panel / len(wards)
    with targets.open("a") as out:  # the shipped place has no ward figures: set by hand
        out.writelines(f"ward,{w},{int(each) - 2},{int(each) + 2},,\n" for w in wards)
    main(["lottery", "targets", "--load", str(targets), "--panel", str(panel)],
         standalone_mode=False)
    print(json.dumps({"registrants": registrants}))


def _child(panel: int, reserves: int) -> None:
    """In the selection's own process: run `outreach lottery select`, print its figures."""
    from sqlalchemy import func, select

    from app import create_app, main
    from store.models import Registrant

    started = time.perf_counter()
    main(["lottery", "select", "--panel", str(panel), "--reserves", str(reserves),
          "--seed", SEED, "--report", "report.html"], standalone_mode=False)
    seconds = time.perf_counter() - started
    rt = create_app().extensions["outreach"]
    with rt.sessions() as session:
        counts = dict(session.execute(select(Registrant.status, func.count())
                                      .group_by(Registrant.status)).all())
    library_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(json.dumps({"seconds": seconds, "command_mb": _high_water_kb() / 1024,
                      "library_mb": library_kb / 1024, "selected": counts.get("selected", 0),
                      "reserves": counts.get("reserve", 0)}))


def _high_water_kb() -> int:
    """This process's peak resident set (VmHWM), not getrusage's (which keeps the parent's
    peak across fork and exec)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def report(result: Selected) -> str:
    """One line against the aims."""
    met = result.seconds < AIM_SECONDS and result.peak_mb < AIM_MB
    return (f"lottery select: {result.registrants:,} registrants, {result.panel} selected + "
            f"{result.reserves} reserves, 6 dimensions: {result.seconds:.1f} s, "
            f"{result.command_mb:.0f} MB command + {result.library_mb:.0f} MB library "
            f"(aim < {AIM_SECONDS:.0f} s, < {AIM_MB:.0f} MB: {'met' if met else 'NOT met'})")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--seed-child"]:
        _seed_child(int(sys.argv[2]), int(sys.argv[3]))
    elif sys.argv[1:2] == ["--child"]:
        _child(int(sys.argv[2]), int(sys.argv[3]))
    else:
        print(report(measure(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)))
