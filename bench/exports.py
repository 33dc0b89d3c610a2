"""Exports at scale: 1,000,000 answers (the residents' survey, every question answered) to
CSV and XLSX through `outreach export responses`, on SQLite and PostgreSQL.

The answers are seeded with bulk Core inserts (tests/helpers/responses.py). Each export
runs the real command in a process of its own, so that its peak memory (the process's
peak resident set, VmHWM: Python, the app and the export together) is its own.
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

from bench.inbound import ROOT, _drop_schema, _postgres_schema
from store.migrate import upgrade

SURVEY = "neighbourhood-policing"


@dataclass(frozen=True)
class Exported:
    database: str
    kind: str
    responses: int
    seconds: float
    peak_mb: float
    size_mb: float


def _env(url: str, folder: Path) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench", "TRANSLATOR": "none",
            "INSTANCE_PATH": str(folder / "instance"), "PYTHONPATH": str(ROOT)}


def _seed(url: str, folder: Path, answers: int) -> int:
    """Load the surveys and seed `answers` answers; returns the number of responses."""
    from app import create_app
    from tests.helpers.responses import seed
    from tests.helpers.surveys import load_surveys

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "TRANSLATOR": "none",
                      "INSTANCE_PATH": str(folder / "instance")})
    rt = app.extensions["outreach"]
    try:
        per_response = len(load_surveys(rt)[SURVEY].questions)
        responses = -(-answers // per_response)
        seed(rt.sessions, SURVEY, responses, batch=5000)
        with rt.engine.connect() as conn:  # what autovacuum does on a live database: without
            conn.exec_driver_sql("ANALYZE")  # statistics, PostgreSQL reads all the answers
            conn.commit()                    # for every chunk
        return responses
    finally:
        rt.engine.dispose()


def measure(kind: str, answers: int = 1_000_000) -> list[Exported]:
    """Seed a fresh database, then export it to CSV and to XLSX."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        schema = f"bench_exports_{os.getpid()}"
        url = f"sqlite:///{folder / 'bench.db'}" if kind == "sqlite" else _postgres_schema(
            schema)
        try:
            upgrade(url)
            responses = _seed(url, folder, answers)
            return [_export(kind, url, folder, fmt, responses) for fmt in ("csv", "xlsx")]
        finally:
            if kind != "sqlite":
                _drop_schema(schema)


def _export(kind: str, url: str, folder: Path, fmt: str, responses: int) -> Exported:
    out = folder / f"export.{fmt}"
    child = subprocess.run(
        [sys.executable, "-m", "bench.exports", "--child", SURVEY, fmt, str(out)],
        env=_env(url, folder), cwd=folder, capture_output=True, text=True, check=False)
    if child.returncode != 0:
        raise RuntimeError(child.stderr.strip().splitlines()[-1] if child.stderr else "failed")
    figures = json.loads(child.stdout.strip().splitlines()[-1])
    return Exported(kind, fmt, responses, figures["seconds"], figures["peak_mb"],
                    out.stat().st_size / 2**20)


def _child(slug: str, fmt: str, out: str) -> None:
    """In the export's own process: run `outreach export responses`, print its figures."""
    from app import main

    started = time.perf_counter()
    main(["export", "responses", "--survey", slug, "--format", fmt, "--out", out],
         standalone_mode=False)
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "peak_mb": _high_water_kb() / 1024}))


def _high_water_kb() -> int:
    """This process's peak resident set (VmHWM). Not getrusage's ru_maxrss: on Linux that
    keeps the parent's peak across fork and exec, so a child of the seeding process would
    report the seeding's memory."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # not Linux: the best there is


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        _child(*sys.argv[2:5])
    else:
        for kind in ("sqlite", "postgresql"):
            for result in measure(kind, int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000):
                print(result)
