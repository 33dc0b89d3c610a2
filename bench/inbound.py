"""Inbound load, side by side: the project, the durable floor and the static ceiling.

Each target runs under the same gunicorn settings as `outreach serve` (2 sync workers),
one after the other, on a fresh database. `wrk` (native; a Python load generator on two
cores would measure itself) opens 8 connections, each replaying its own file of pre-signed
Twilio webhooks in order: one resident after another through the residents' survey, so
each resident's messages stay in order and every MessageSid is new.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from twilio.request_validator import RequestValidator

from bench import reference
from store.db import transaction
from store.migrate import upgrade

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TOKEN = "bench-auth-token"
CONNECTIONS = 8
WORKERS = 2
# One resident's way through the residents' survey. The age is typed in years (an age
# question reads a bare number as an age, never an option's number): 20 is the band the
# option number 3 chose before.
ANSWERS = ["SAFETY", "yes", "4", "2", "1,3", "3", "yes", "2", "3",
           "More officers who know the area and speak our languages", "2", "12", "20", "leyton",
           "1", "4", "no"]
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@dataclass(frozen=True)
class Result:
    target: str
    rate: float  # messages a second
    p50_ms: float
    p99_ms: float
    non_2xx: int
    errors: int
    wrapped: int  # times a connection ran out of fresh requests and started again


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_requests(folder: Path, base_url: str, per_connection: int, batch: str) -> None:
    """One file per connection of signed requests: resident after resident, in order."""
    validator = RequestValidator(TOKEN)
    url = base_url + "/webhooks/twilio"
    folder.mkdir(parents=True, exist_ok=True)
    for connection in range(CONNECTIONS):
        lines, resident = [], 0
        while len(lines) < per_connection:
            sender = f"+4477{connection:02d}{resident:06d}"
            for step, body in enumerate(ANSWERS):
                form = {"MessageSid": f"SM{batch}{connection:02d}{resident:06d}{step:02d}",
                        "AccountSid": "ACbench", "From": sender, "To": "+447700900000",
                        "Body": body, "NumMedia": "0"}
                signature = validator.compute_signature(url, form)
                lines.append(f"/webhooks/twilio\t{signature}\t{urlencode(form)}")
            resident += 1
        (folder / f"requests-{connection}.txt").write_text("\n".join(lines) + "\n")


def serve(spec: str, port: int, env: dict[str, str], cwd: Path,
          extra: tuple[str, ...] = ()) -> subprocess.Popen:
    """A gunicorn with `outreach serve`'s settings (plus `extra`), serving the WSGI app
    `spec`."""
    command = [sys.executable, "-m", "gunicorn", "--workers", str(WORKERS),
               "--bind", f"127.0.0.1:{port}", "--timeout", "30", "--access-logfile", "-",
               "--forwarded-allow-ips", "127.0.0.1", "--pythonpath", str(ROOT), *extra, spec]
    server = subprocess.Popen(command, env=env, cwd=cwd, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
        except urllib.error.HTTPError:
            return server  # it answers (a 404 or 405 is an answer)
        except OSError:
            time.sleep(0.1)
        else:
            return server
    server.kill()
    raise RuntimeError(f"{spec} did not start")


def wrk(port: int, folder: Path, seconds: int) -> dict:
    out = subprocess.run(
        ["wrk", "-t", str(CONNECTIONS), "-c", str(CONNECTIONS), "-d", f"{seconds}s",
         "--timeout", "10s", "-s", str(HERE / "replay.lua"), f"http://127.0.0.1:{port}",
         "--", str(folder)], capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def _postgres_schema(name: str) -> str:
    """A fresh schema in the PostgreSQL database, and a URL that uses it."""
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {name} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {name}"))
    admin.dispose()
    return make_url(POSTGRES_URL).update_query_dict(
        {"options": f"-csearch_path={name}"}).render_as_string(hide_password=False)


def _drop_schema(name: str) -> None:
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {name} CASCADE"))
    admin.dispose()


def _database(kind: str, tmp: Path, name: str) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp / name}.db"
    return _postgres_schema(f"bench_{name}_{os.getpid()}")


def _load_surveys(url: str) -> None:
    from app import create_app
    from surveys import loader, registry

    upgrade(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "TRANSLATOR": "none"})
    rt = app.extensions["outreach"]
    with transaction(rt.sessions) as session:
        for path in sorted((ROOT / "surveys").glob("*.yaml")):
            registry.load_definition(session, loader.load_file(path)[0])
    rt.engine.dispose()


TARGETS = {  # name: (WSGI spec, needs the project's schema)
    "project": ("app:serve_app()", True),  # as `outreach serve` runs it
    "durable floor": ("bench.reference:floor_app()", False),
    "static ceiling": ("bench.reference:static_app()", False),
}


def measure(kind: str, seconds: int = 10, warmup: int = 2,
            per_connection: int = 8000) -> list[Result]:
    """Run each target in turn on `kind` (sqlite | postgresql); one Result per target."""
    results = []
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        for name, (spec, project) in TARGETS.items():
            slug = name.split()[0]
            url = _database(kind, tmp, slug)
            if project:
                _load_surveys(url)
            elif slug == "durable":
                reference.prepare_floor(url)
            port = free_port()
            base = f"http://127.0.0.1:{port}"
            write_requests(tmp / slug / "warm", base, 200, "W")
            write_requests(tmp / slug / "load", base, per_connection, "L")
            env = {k: v for k, v in os.environ.items() if not k.startswith(
                ("DATABASE_URL", "TWILIO", "TELEGRAM", "RATE_LIMIT", "LOOP_LIMIT", "QUIET"))}
            env.update(DATABASE_URL=url, BENCH_DATABASE_URL=url, TWILIO_AUTH_TOKEN=TOKEN,
                       PUBLIC_BASE_URL=base, SECRET_KEY="bench", TRANSLATOR="none",
                       INSTANCE_PATH=str(tmp / "instance"), RATE_LIMIT_PER_MINUTE="100000",
                       LOOP_LIMIT="100000",  # wrk answers at once: not a loop to hold here
                       DEFAULT_SURVEY="neighbourhood-policing")
            server = serve(spec, port, env, tmp)
            try:
                wrk(port, tmp / slug / "warm", warmup)
                figures = wrk(port, tmp / slug / "load", seconds)
            finally:
                server.terminate()
                server.wait(timeout=30)
            if kind == "postgresql":
                _drop_schema(make_url(url).query["options"].split("=", 1)[1])
            results.append(Result(name, figures["requests"] / figures["seconds"],
                                  figures["p50_ms"], figures["p99_ms"], figures["non_2xx"],
                                  figures["errors"], figures["wrapped"]))
    return results


def have_wrk() -> bool:
    return shutil.which("wrk") is not None
