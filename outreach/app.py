"""The application factory: configuration, storage, blueprints, CLI. Nothing runs at import."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, current_app, jsonify

from outreach.config import Settings
from outreach.runtime import Clock, Runtime
from outreach.store.db import ping


def create_app(config: Mapping[str, Any] | None = None, clock: Clock | None = None) -> Flask:
    """Build the app. `config` overrides environment variables (tests, tools) and, when
    given, the `.env` file is not read."""
    settings = Settings.from_env(config, dotenv=config is None)
    app = Flask(__name__, instance_path=str(settings.instance_path))
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=256 * 1024,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.public_base_url.startswith("https://"),
    )
    app.extensions["outreach"] = Runtime(settings, clock)

    @app.get("/healthz")
    def healthz():
        if ping(runtime().engine):
            return jsonify(status="ok")
        return jsonify(status="unavailable"), 503

    from outreach.cli import register
    from outreach.webhooks import telegram, twilio, web

    for blueprint in (twilio.bp, telegram.bp, web.bp):
        app.register_blueprint(blueprint)
    register(app)
    return app


def runtime() -> Runtime:
    """The Runtime of the current app."""
    return current_app.extensions["outreach"]
