"""A minimal stand-in for Twilio's Messages API, for the outbound benchmark.

Served by gunicorn beside the worker(s); every created message's body is appended to the
file BENCH_SENT_LOG (one line each, O_APPEND), so the benchmark can count duplicates across
server processes. Answers as Twilio does: 201 and the message resource as JSON.
"""

from __future__ import annotations

import os
import secrets

from flask import Flask, jsonify, request


def app() -> Flask:
    log = os.open(os.environ["BENCH_SENT_LOG"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    server = Flask(__name__)

    @server.post("/2010-04-01/Accounts/<account>/Messages.json")
    def create(account: str):
        body = request.form.get("Body", "")
        os.write(log, (body.replace("\n", " ") + "\n").encode())
        sid = "SM" + secrets.token_hex(16)
        return jsonify(sid=sid, account_sid=account, status="queued", body=body,
                       to=request.form.get("To"), from_=request.form.get("From")), 201

    return server
