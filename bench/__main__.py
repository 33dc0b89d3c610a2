"""`make bench`: how fast the engine and the whole message path are, and how big state is.

Prints figures only. Targets (see docs/architecture.md): a webhook's work (store the answer,
reply) well under 100 ms on SQLite on a laptop; the engine itself well under 1 ms a turn.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

from app import create_app
from bot import engine
from bot.conversations import Inbound, handle
from bot.state import Incoming, State
from store.db import transaction
from store.migrate import upgrade
from surveys import loader, registry
from surveys.model import Questionnaire
from translations import detect
from translations.catalog import Catalogs

ROOT = Path(__file__).resolve().parent.parent
ANSWERS = ["SAFETY", "yes", "4", "2", "1,3", "3", "yes", "2", "3",
           "More officers who know the area and speak our languages", "2", "12", "3", "leyton",
           "1", "4", "no"]


def _percentiles(samples: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples)
    pick = lambda q: ms[min(len(ms) - 1, int(q * len(ms)))]  # noqa: E731
    return f"p50 {pick(0.5):.2f} ms, p95 {pick(0.95):.2f} ms, max {ms[-1]:.2f} ms"


def bench_engine(rounds: int = 300) -> None:
    surveys = {}
    for path in sorted((ROOT / "surveys").glob("*.yaml")):
        data, _ = loader.load_file(path)
        survey = Questionnaire.from_definition(data, version=1)
        surveys[survey.slug] = survey
    env = engine.Env(surveys=surveys, catalogs=Catalogs.load(ROOT / "translations"),
                     detect=detect.detect)
    detect.warm()
    now = datetime(2026, 3, 2, 10, tzinfo=UTC)
    turns, started = 0, time.perf_counter()
    state_sizes = []
    for _ in range(rounds):
        state = State()
        for text in ANSWERS:
            state = engine.resume(state, Incoming(text), now, env).state
            turns += 1
        state_sizes.append(len(json.dumps(state.to_json())))
    elapsed = time.perf_counter() - started
    print(f"engine: {turns} turns in {elapsed:.2f} s = {elapsed / turns * 1e6:.0f} µs a turn; "
          f"state JSON {statistics.mean(state_sizes):.0f} bytes at the end of a survey")


def _one_resident(rt, n: int) -> list[float]:
    samples = []
    for i, text in enumerate(ANSWERS):
        started = time.perf_counter()
        handle(rt, Inbound("sms", f"+4477009{n:05d}", text, provider_id=f"SM{n}x{i}"))
        samples.append(time.perf_counter() - started)
    return samples


def bench_handle(residents: int = 40) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        upgrade(url)
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "INSTANCE_PATH": tmp,
                          "TRANSLATOR": "none", "RATE_LIMIT_PER_MINUTE": "1000",
                          "LOOP_LIMIT": "1000"})
        rt = app.extensions["outreach"]
        with transaction(rt.sessions) as session:
            for path in sorted((ROOT / "surveys").glob("*.yaml")):
                registry.load_definition(session, loader.load_file(path)[0])
        detect.warm()
        samples = []
        for n in range(residents):
            samples += _one_resident(rt, n)
        tracemalloc.start()  # a second pass to measure memory (tracing slows it down)
        for n in range(residents, residents + 5):
            _one_resident(rt, n)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"handle (SQLite, store + reply): {len(samples)} messages, "
              f"{_percentiles(samples)}; peak traced memory {peak / 1e6:.1f} MB")
        rt.engine.dispose()


if __name__ == "__main__":
    bench_engine()
    bench_handle()
