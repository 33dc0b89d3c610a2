"""The two reference apps `make bench` measures the project against, under the same server.

- `floor_app()`: the least a webhook can do and still be safe — check Twilio's signature,
  commit one row (unique on the MessageSid, so a retry changes nothing) with the project's
  own engine settings (SQLite WAL, busy timeout, BEGIN IMMEDIATE; or PostgreSQL), answer
  empty TwiML. The project cannot be faster than this and keep its guarantees.
- `static_app()`: a fixed TwiML answer, no check, no database: the server's own ceiling.

Both read BENCH_DATABASE_URL and TWILIO_AUTH_TOKEN / PUBLIC_BASE_URL from the environment.
"""

from __future__ import annotations

import os

from flask import Flask, Response, abort, request
from sqlalchemy import Column, Integer, MetaData, String, Table, Text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from twilio.request_validator import RequestValidator

from store.db import make_engine

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response />'
metadata = MetaData()
floor_messages = Table(
    "floor_messages", metadata,
    Column("id", Integer, primary_key=True),
    Column("sid", String(64), unique=True, nullable=False),
    Column("sender", String(64), nullable=False),
    Column("body", Text, nullable=False),
)


def prepare_floor(url: str) -> None:
    """The floor's one table (made before the server starts: its workers would race)."""
    engine = make_engine(url)
    metadata.create_all(engine)
    engine.dispose()


def floor_app() -> Flask:
    """Signature check and one committed row per message."""
    engine = make_engine(os.environ["BENCH_DATABASE_URL"])
    insert = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert
    validator = RequestValidator(os.environ["TWILIO_AUTH_TOKEN"])
    base = os.environ["PUBLIC_BASE_URL"].rstrip("/")
    app = Flask(__name__)

    @app.post("/webhooks/twilio")
    def incoming() -> Response:
        if not validator.validate(base + request.path, request.form,
                                  request.headers.get("X-Twilio-Signature", "")):
            abort(403)
        form = request.form
        with engine.begin() as conn:
            conn.execute(insert(floor_messages).values(
                sid=form["MessageSid"], sender=form["From"], body=form.get("Body", ""))
                .on_conflict_do_nothing(index_elements=["sid"]))
        return Response(EMPTY_TWIML, mimetype="text/xml")

    return app


def static_app() -> Flask:
    """A fixed answer: what the server and the load generator manage on their own."""
    app = Flask(__name__)

    @app.post("/webhooks/twilio")
    def incoming() -> Response:
        return Response(EMPTY_TWIML, mimetype="text/xml")

    return app
