"""The application factory and the `outreach` command. Nothing runs at import.

`create_app` reads the configuration once, builds the Runtime, and lets each package bind
itself to the app (its blueprints, its CLI commands: Flask's `init_app` pattern). The
layers point one way — store <- surveys, translations <- bot <- webhooks, staff <- demo <- app —
so only this module knows them all, and it wires the channels' senders into the bot.
"""

from __future__ import annotations

import gc
from collections.abc import Mapping
from typing import Any

import click
from flask import Flask, Response, current_app, jsonify, request
from flask.cli import ScriptInfo
from gunicorn.app.base import BaseApplication
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

import bot
import demo
import lottery
import staff
import store
import surveys
import webhooks
from bot import logs
from bot.cli import warn_at_start
from bot.config import ConfigError, Settings
from bot.runtime import Clock, Runtime, current
from bot.spool import Spool
from bot.spool import warnings as spool_warnings
from staff import data_cli, evidence
from store import migrate
from store.db import MAX_ID, ping, storable
from webhooks.senders import build as build_senders


def create_app(config: Mapping[str, Any] | None = None, clock: Clock | None = None) -> Flask:
    """Build the app. `config` overrides environment variables (tests, tools) and, when
    given, the `.env` file is not read."""
    settings = Settings.from_env(config, dotenv=config is None)
    logs.protect(settings.telegram_bot_token, settings.twilio_auth_token)
    app = Flask(__name__, instance_path=str(settings.instance_path))
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=256 * 1024,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.public_base_url.startswith("https://"),
        DATABASE_URL=settings.database_url,
        SURVEYS_DIR=settings.surveys_dir,
        TRANSLATIONS_DIR=settings.translations_dir,
        ASSEMBLY_FILE=settings.assembly_file,
    )
    app.extensions["outreach"] = Runtime(settings, clock, senders=build_senders)
    _guard_requests(app)
    if settings.trusted_proxies:  # the client's address and scheme, as the proxies saw them
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.trusted_proxies,
                                x_proto=settings.trusted_proxies)
    app.add_url_rule("/healthz", "healthz", healthz)
    for package in (store, surveys, bot, webhooks, staff, evidence, demo, data_cli, lottery):
        package.init_app(app)
    app.cli.add_command(serve)
    return app


def healthz():
    """Ready: 200 when the database answers and its schema is at the migration head (every
    webhook would fail on an empty or older schema); 503 otherwise, saying which. `spooled`:
    how many messages wait in the spool for the worker to replay (bot/spool.py);
    `spool_failed`, only when there are any: how many it could not replay."""
    rt = current()
    kept = Spool.of(rt.settings)
    spool = {"spooled": kept.count()}
    if failed := len(kept.set_aside()):
        spool["spool_failed"] = failed
    if not ping(rt.engine):
        return jsonify(status="unavailable", reason="the database does not answer",
                       **spool), 503
    if not migrate.at_head(rt.engine):
        return jsonify(status="unavailable", **spool,
                       reason="the database is not migrated: run `outreach db upgrade`"), 503
    # Still ready (200): the warnings say what must be put right (a setting missing before
    # people are asked anything, spooled messages that could not be replayed).
    warnings = spool_warnings(rt.settings)
    return jsonify(status="ok", **spool, **({"warnings": warnings} if warnings else {}))


# Every request: what no view should have to check ----------------------------------------

SIGNED_BY_PROVIDERS = ("twilio", "telegram")  # blueprints whose requests a provider signs
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",  # a calendar link or a survey's ref never leaves us
    "X-Frame-Options": "DENY",  # frame-ancestors, for browsers that predate CSP 2
}
CSP = ("default-src 'none'; style-src {style}; img-src 'self'; form-action 'self'; "
       "base-uri 'none'; frame-ancestors 'none'")
INLINE_STYLE = ("web",)  # the web form's pages carry their few styles inline; no scripts
STATIC = ("static", "staff.static")  # endpoints serving files that hold nobody's data
NUL_REFUSED = ("This request holds a NUL character (\\0 or %00), which cannot be stored. "
               "Remove it and send it again.\n")


class _IdConverter(IntegerConverter):
    """`<int:…>` in a route is a row's id: a number no id can be is 404, never the
    database's overflow (a 500)."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits, min, max, signed)


def _guard_requests(app: Flask) -> None:
    """The app-wide request hooks, in one place; blueprints add only their own."""
    app.url_map.converters["int"] = _IdConverter
    app.before_request(refuse_nul)
    app.after_request(security_headers)


def refuse_nul() -> Response | None:
    """400, in plain text, for a NUL in the path, the query or a form (PostgreSQL refuses
    it in any text, so a view would fail with a 500). Providers' webhooks are let through:
    their requests are signed and a 400 would make them retry or drop a message, so their
    text is cleaned where it is stored (bot/messages.py, bot/answers.py)."""
    if request.blueprint in SIGNED_BY_PROVIDERS:
        return None
    fields = (*request.args.items(multi=True), *request.form.items(multi=True))
    if all(storable(text) for text in (request.path, *(t for pair in fields for t in pair))):
        return None
    return Response(NUL_REFUSED, 400, mimetype="text/plain")


def security_headers(response: Response) -> Response:
    """Every response, errors and webhooks included: a CSP without scripts that no other
    site may frame, nosniff, the referrer kept to this site, and `no-store`, because nearly
    every page holds someone's data (staff pages, exports, the API, a calendar, a web form's
    answers on a shared computer); only a static file that was found may be cached."""
    style = "'unsafe-inline'" if request.blueprint in INLINE_STYLE else "'self'"
    response.headers["Content-Security-Policy"] = CSP.format(style=style)
    response.headers.update(HEADERS)
    if request.endpoint not in STATIC or response.status_code >= 400:
        response.headers["Cache-Control"] = "no-store"
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


GC_THRESHOLDS = (50_000, 20, 50)  # Python's defaults: (700, 10, 10)


# `outreach serve` ------------------------------------------------------------------------


class _Server(BaseApplication):
    """gunicorn, configured from code and serving `create_app()`."""

    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return serve_app()


def serve_app() -> Flask:
    """The app as a server process runs it (`outreach serve`, gunicorn `app:serve_app()`).

    The objects made at start-up — modules, the app, catalogues, surveys — live as long as
    the process; `gc.freeze()` moves them out of the cyclic garbage collector's way, whose
    full collections otherwise scanned them all and made the served p99 (docs/PERFORMANCE.md),
    and collections come less often: a request allocates a lot, and frees nearly all of it
    by reference counting anyway.
    """
    app = create_app()
    _ = app.extensions["outreach"].safeguarding  # checked and compiled once, before forking
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    return app


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int)
def serve(host: str, port: int, workers: int) -> None:
    """Run the web app under gunicorn (a production WSGI server). Behind a proxy, set
    PUBLIC_BASE_URL to the public address."""
    click.echo(current().settings.links_note())  # where links sent to people will point
    warn_at_start()
    _Server({
        "bind": f"{host}:{port}",
        "workers": workers,
        "timeout": 30,
        "accesslog": "-",
        "forwarded_allow_ips": "127.0.0.1",
    }).run()


# The `outreach` console script -----------------------------------------------------------


class OutreachCommand(click.Group):
    """The commands the packages registered on the app, each run inside its app context.
    Flask's machinery (ScriptInfo) without Flask's own options and words."""

    def make_context(self, info_name, args, parent=None, **extra) -> click.Context:
        extra.setdefault("obj", ScriptInfo(create_app=create_app, set_debug_flag=False,
                                           load_dotenv_defaults=False))
        return super().make_context(info_name, args, parent=parent, **extra)

    def _app(self, ctx: click.Context) -> Flask:
        try:
            app = ctx.ensure_object(ScriptInfo).load_app()
        except ConfigError as exc:  # a setting we cannot use: say which, no traceback
            raise click.ClickException(f"configuration: {exc}") from exc
        if not current_app or current_app._get_current_object() is not app:
            ctx.with_resource(app.app_context())
        return app

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except ConfigError as exc:  # e.g. a local link refused (bot/outbox.py): no traceback
            raise click.ClickException(f"configuration: {exc}") from exc

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(self._app(ctx).cli.list_commands(ctx))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        return self._app(ctx).cli.get_command(ctx, name)


main = OutreachCommand(
    "outreach",
    help="assembly-outreach: multilingual survey outreach for a citizens' assembly.\n\n"
         "Settings come from the environment and a .env file in the working directory "
         "(see docs/configuration.md).")


if __name__ == "__main__":
    main()
