"""In-process figures: the engine's turn and `handle` without a server."""

from __future__ import annotations

import json
import statistics
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

import yaml

from app import create_app
from bench.inbound import ANSWERS
from bot import engine
from bot.conversations import Inbound, handle
from bot.safeguarding import detect as safeguarding
from bot.state import Incoming, State
from store.db import transaction
from store.migrate import upgrade
from surveys import loader, registry
from surveys.model import Questionnaire
from translations import data as language_files
from translations import detect
from translations.catalog import Catalogs

ROOT = Path(__file__).resolve().parent.parent


def _percentiles(samples: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples)
    pick = lambda q: ms[min(len(ms) - 1, int(q * len(ms)))]  # noqa: E731
    return f"p50 {pick(0.5):.2f} ms, p95 {pick(0.95):.2f} ms, max {ms[-1]:.2f} ms"


def bench_engine(rounds: int = 300) -> tuple[float, float]:
    """Microseconds a turn, and the state's JSON size at the end of a survey."""
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
    return elapsed / turns * 1e6, statistics.mean(state_sizes)


def _one_resident(rt, n: int) -> list[float]:
    samples = []
    for i, text in enumerate(ANSWERS):
        started = time.perf_counter()
        handle(rt, Inbound("sms", f"+4477009{n:05d}", text, provider_id=f"SM{n}x{i}"))
        samples.append(time.perf_counter() - started)
    return samples


def bench_handle(residents: int = 40) -> str:
    """`handle` in one process on SQLite, no server: the message path's own cost."""
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
        rt.engine.dispose()
        return (f"{len(samples)} messages, {_percentiles(samples)}; "
                f"peak traced memory {peak / 1e6:.1f} MB")


def bench_detect(rounds: int = 20) -> str:
    """Language detection of realistic first messages."""
    data = yaml.safe_load((ROOT / "tests/data/detect/first-messages.yaml").read_text("utf-8"))
    texts = [text for values in data.values() for text in values]
    offered = language_files.codes()
    detect.warm()
    samples = []
    for _ in range(rounds):
        for text in texts:
            started = time.perf_counter()
            detect.detect(text, offered)
            samples.append(time.perf_counter() - started)
    return (f"{len(texts)} texts, {_percentiles(samples)}, "
            f"mean {statistics.mean(samples) * 1e6:.0f} µs")


def bench_checks(runs: int = 2000) -> str:
    """The safeguarding check of a typical answer, and the language of a huge message (the
    figures tests/bot/test_safeguarding_detect.py and tests/translations/test_detect.py
    once asserted on: a test never times itself)."""
    answer = ("I think the police should do more about the drug dealers in the park near the "
              "station, and the lighting on our road is bad")
    detector = safeguarding.shared()
    detector.check(answer)
    started = time.perf_counter()
    for _ in range(runs):
        detector.check(answer)
    check = (time.perf_counter() - started) / runs
    detect.warm()
    huge = []
    for text in ("a" * 100_000 + " 3", "Dzień dobry " + "x" * 100_000, "ب" * 100_000):
        started = time.perf_counter()
        detect.detect(text, ["en", "ro", "ur", "bg", "pl", "tr"])
        huge.append(time.perf_counter() - started)
    return (f"safeguarding check of a typical answer {check * 1e6:.0f} µs (aim < 100 µs); "
            f"language of a 100,000-character message at most {max(huge) * 1000:.1f} ms")
