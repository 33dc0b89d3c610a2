"""`outreach serve` runs the app under gunicorn, answers /healthz, and its access log never
shows a member's calendar token."""

import gc
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from app import GC_THRESHOLDS, create_app, serve_app
from tests.helpers.calendar_links import calendar_paths, fetch_raw
from tests.helpers.members import import_members

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_answers_healthz_under_gunicorn(tmp_path):
    port = _free_port()
    env = dict({k: v for k, v in os.environ.items() if k != "SAFEGUARDING_LEAD"},
               DATABASE_URL=f"sqlite:///{tmp_path / 'serve.db'}", SECRET_KEY="x",
               INSTANCE_PATH=str(tmp_path))
    subprocess.run([sys.executable, "-m", "app", "db", "upgrade"], cwd=ROOT, env=env,
                   check=True, capture_output=True)  # /healthz is 503 until then
    server = subprocess.Popen(
        [sys.executable, "-m", "app", "serve", "--port", str(port), "--workers", "1"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        body, deadline = None, time.monotonic() + 30
        while body is None and time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    body = (r.status, json.loads(r.read()))
            except OSError:
                time.sleep(0.2)
        assert body[0] == 200 and body[1]["status"] == "ok"
        # No SAFEGUARDING_LEAD here: reported in the body (still ready) and said at start.
        assert body[1]["warnings"][0].startswith("SAFEGUARDING_LEAD is not set")
    finally:
        server.terminate()
        output = server.communicate(timeout=10)[0].decode()
    # `make run` says where links sent to people point, and that this machine will not do
    assert ("warning: PUBLIC_BASE_URL is http://127.0.0.1:5000, this machine: messages with "
            "a link (members' welcome, engagers' links and QR codes) are refused until it "
            "is the public address") in output
    assert "warning: SAFEGUARDING_LEAD is not set" in output


def test_gunicorns_access_log_never_shows_a_calendar_token(tmp_path):
    port = _free_port()
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp_path / 'serve.db'}", SECRET_KEY="x",
               INSTANCE_PATH=str(tmp_path))
    subprocess.run([sys.executable, "-m", "app", "db", "upgrade"], cwd=ROOT, env=env,
                   check=True, capture_output=True)
    app = create_app({k: env[k] for k in ("DATABASE_URL", "SECRET_KEY", "INSTANCE_PATH")})
    [ana] = import_members(app.extensions["outreach"], "Ana Pop,+40712345678,,ro,sms,")
    app.extensions["outreach"].engine.dispose()
    server = subprocess.Popen(
        [sys.executable, "-m", "app", "serve", "--port", str(port), "--workers", "1"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                statuses = [fetch_raw(port, path) for path in calendar_paths(ana.token)]
                break
            except OSError:
                time.sleep(0.2)
        assert statuses[0] == 200  # the calendar was served
    finally:
        server.terminate()
        output = server.communicate(timeout=10)[0].decode()
    assert '"GET /m/<redacted>.ics HTTP/1.1" 200' in output  # gunicorn's own access line
    assert output.count("/m/<redacted>.ics") >= len(statuses)
    assert ana.token not in output and ana.token[3:-3] not in output


def test_the_served_app_keeps_start_up_objects_out_of_the_collectors_way(tmp_path,
                                                                         monkeypatch):
    """The p99 tail under load was the cyclic GC scanning everything made at start-up."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SECRET_KEY", "x")
    before = gc.get_threshold()
    try:
        served = serve_app()
        assert served.name == "app"
        assert gc.get_freeze_count() > 10_000
        assert gc.get_threshold() == GC_THRESHOLDS
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
