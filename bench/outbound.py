"""Outbound throughput: 10,000 queued messages through the worker to a local fake Twilio.

The fake (bench/fake_provider.py) runs under gunicorn (threaded, keeping connections
alive as Twilio's API does); each worker is a process of its own
running the real worker rounds (`bot.worker.run_once`) with the real Twilio client and the
send-rate limit off, until the outbox is empty. Every body is unique, so the fake's log
shows whether any message was sent twice.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench.inbound import ROOT, _drop_schema, _postgres_schema, free_port, serve
from store.migrate import upgrade

ACCOUNT, TOKEN = "ACbench", "bench-auth-token"


@dataclass(frozen=True)
class Outbound:
    database: str
    workers: int
    messages: int
    rate: float
    sent_twice: int
    missing: int


def _config(url: str, fake: str) -> dict[str, str]:
    return {"DATABASE_URL": url, "SECRET_KEY": "bench", "TRANSLATOR": "none",
            "TWILIO_ACCOUNT_SID": ACCOUNT, "TWILIO_AUTH_TOKEN": TOKEN,
            "TWILIO_SMS_FROM": "+447700900000", "TWILIO_API_BASE_URL": fake,
            "QUIET_HOURS": "off"}


def _queue(url: str, fake: str, count: int) -> None:
    from app import create_app
    from bot.outbox import enqueue
    from bot.state import Reply
    from store.db import transaction

    rt = create_app(_config(url, fake)).extensions["outreach"]
    now = datetime.now(UTC)
    with transaction(rt.sessions) as session:
        for i in range(count):
            enqueue(session, "sms", f"+4477{i % 100:02d}{i:06d}", Reply(f"bench message {i}"),
                    now)
    rt.engine.dispose()


def work(url: str, fake: str) -> None:
    """One worker process: rounds until a round finds nothing; prints its start and end."""
    from app import create_app
    from bot import worker

    rt = create_app(_config(url, fake)).extensions["outreach"]
    senders = rt.senders()
    pace = worker.Pacer(rates={})
    started = time.time()
    sent = 0
    try:
        while done := worker.run_once(rt, senders, rt.now(), pace).sent:
            sent += done
    finally:
        worker.close(senders)
        rt.engine.dispose()
    print(json.dumps({"started": started, "ended": time.time(), "sent": sent}))


def measure(kind: str, workers: int, count: int = 10_000) -> Outbound:
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        schema = f"bench_out_{os.getpid()}"
        url = f"sqlite:///{tmp / 'out.db'}" if kind == "sqlite" else _postgres_schema(schema)
        upgrade(url)
        log = tmp / "sent.log"
        port = free_port()
        fake = f"http://127.0.0.1:{port}"
        env = dict(os.environ, BENCH_SENT_LOG=str(log))
        # Threaded workers keep connections alive, as Twilio's API does.
        provider = serve("bench.fake_provider:app()", port, env, tmp,
                         ("--worker-class", "gthread", "--threads", "4", "--keep-alive", "30"))
        try:
            _queue(url, fake, count)
            procs = [subprocess.Popen([sys.executable, "-m", "bench.outbound", url, fake],
                                      cwd=ROOT, stdout=subprocess.PIPE, text=True)
                     for _ in range(workers)]
            reports = [json.loads(p.communicate()[0].strip().splitlines()[-1]) for p in procs]
        finally:
            provider.terminate()
            provider.wait(timeout=30)
        if kind == "postgresql":
            _drop_schema(schema)
        bodies = Counter(log.read_text().splitlines())
    span = max(r["ended"] for r in reports) - min(r["started"] for r in reports)
    return Outbound(kind, workers, count, count / span,
                    sum(n - 1 for n in bodies.values() if n > 1), count - len(bodies))


if __name__ == "__main__":
    work(sys.argv[1], sys.argv[2])
