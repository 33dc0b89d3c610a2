"""The `outreach` command: database, surveys, the chat simulator, the worker, the server."""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup, FlaskGroup, with_appcontext

from outreach import addresses
from outreach.app import create_app, runtime
from outreach.bot import broadcast, worker
from outreach.bot.conversations import Inbound, handle
from outreach.store import migrate
from outreach.store.db import transaction
from outreach.surveys import loader, registry
from outreach.translations import detect, translate
from outreach.webhooks import text as text_render
from outreach.webhooks.senders import build as build_senders

db = AppGroup("db", help="Create or migrate the database.")
surveys = AppGroup("surveys", help="Validate, load and list surveys.")


@db.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database (DATABASE_URL) with Alembic."""
    migrate.upgrade(runtime().settings.database_url)
    click.echo("database is up to date")


def _problems_of(files: tuple[str, ...]) -> tuple[dict[str, dict], list[str]]:
    catalogs = runtime().catalogs
    found: dict[str, dict] = {}
    problems: list[str] = []
    for file in files:
        definition, errors = loader.load_file(file, catalogs)
        problems += [str(e) for e in errors]
        if definition is not None:
            found[file] = definition
    problems += loader.check_keywords(found)
    return found, problems


@surveys.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
def surveys_validate(files: tuple[str, ...]) -> None:
    """Check survey files; print every problem as FILE:LINE: message."""
    _, problems = _problems_of(files)
    for problem in problems:
        click.echo(problem)
    if problems:
        sys.exit(1)
    click.echo(f"{len(files)} survey file(s) OK")


@surveys.command("load")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
def surveys_load(files: tuple[str, ...]) -> None:
    """Load survey files into the database (idempotent; answered versions are kept)."""
    found, problems = _problems_of(files)
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        sys.exit(1)
    rt = runtime()
    with transaction(rt.sessions) as session:
        for file, definition in found.items():
            loaded = registry.load_definition(session, definition, Path(file).read_text("utf-8"))
            click.echo(f"{loaded.slug}: version {loaded.version} {loaded.action}")


@surveys.command("list")
def surveys_list() -> None:
    """List loaded surveys: slug, version, audience, keyword, languages, questions."""
    rt = runtime()
    with rt.sessions() as session:
        current = registry.current(session)
    if not current:
        click.echo("no surveys loaded (outreach surveys load surveys/*.yaml)")
    for survey in current.values():
        click.echo(f"{survey.slug}\tv{survey.version}\t{survey.audience}\t"
                   f"{survey.keyword or '-'}\t{','.join(survey.languages)}\t"
                   f"{len(survey.questions)} questions\t{survey.title}")


DEFAULT_FROM = {"sms": "+447700900000", "whatsapp": "+447700900000", "telegram": "100000001"}


@click.command("chat")
@with_appcontext
@click.option("--channel", type=click.Choice(["sms", "whatsapp", "telegram"]), default="sms")
@click.option("--from", "sender", help="the resident's number or chat id")
def chat(channel: str, sender: str | None) -> None:
    """Talk to the bot as a resident would: one message per line on stdin."""
    rt = runtime()
    address = sender or DEFAULT_FROM[channel]
    try:
        addresses.normalize(channel, address, rt.settings.default_region)
    except addresses.InvalidAddress as exc:
        raise click.BadParameter(str(exc), param_hint="--from") from exc
    detect.warm()
    interactive = sys.stdin.isatty()
    if interactive:
        click.echo(f"Chatting as {address} over {channel}. Ctrl-D to finish.")
    while True:
        if interactive:
            click.echo("> ", nl=False)
        line = sys.stdin.readline()
        if not line:
            break
        handled = handle(rt, Inbound(channel, address, line.rstrip("\r\n")))
        for reply in handled.replies:
            click.echo(text_render.render(reply))
            click.echo()


@click.command("worker")
@click.option("--once", is_flag=True, help="do what is due now, then exit")
@click.option("--now", "at", type=click.DateTime(formats=["%Y-%m-%dT%H:%M:%S%z",
                                                          "%Y-%m-%dT%H:%M:%S",
                                                          "%Y-%m-%dT%H:%M%z",
                                                          "%Y-%m-%dT%H:%M", "%Y-%m-%d"]),
              help="run as if it were this moment (ISO 8601; no zone means UTC)")
@click.option("--interval", default=1.0, show_default=True,
              help="seconds to wait after a round with nothing to do")
@with_appcontext
def worker_command(once: bool, at: datetime | None, interval: float) -> None:
    """Send what is due from the outbox and resume conversations whose wait is over."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    rt = runtime()
    if at is not None and at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    senders = build_senders(rt.settings, (lambda: at) if at is not None else rt.now)
    translator = translate.build(rt)
    translations = translate.PendingTranslations(rt, translator)
    try:
        if once or at is not None:
            done = worker.run_once(rt, senders, at or rt.now(), worker.Pacer(), translations)
            click.echo(f"resumed {done.resumed} conversation(s), handled {done.sent} "
                       f"message(s), translated {done.translated} answer(s)")
            return
        worker.run_forever(rt, senders, interval, translations=translations)
    finally:
        worker.close(senders)
        if translator is not None:
            translator.close()


@click.command("broadcast")
@click.option("--survey", "slug", required=True, help="the survey to invite people to")
@click.option("--to", "to_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="addresses, one per line, or a CSV with phone / telegram_chat_id, language")
@click.option("--audience", type=click.Choice(["everyone"]),
              help="everyone we can reach on the channel who has not opted out")
@click.option("--channel", type=click.Choice(["sms", "whatsapp", "telegram"]), default="sms",
              show_default=True)
@click.option("--dry-run", is_flag=True, help="show recipients, SMS parts and cost; send nothing")
@click.option("--price", default=0.04, show_default=True,
              help="estimated price per SMS part (or per message on other channels)")
@with_appcontext
def broadcast_command(slug: str, to_file: Path | None, audience: str | None, channel: str,
                      dry_run: bool, price: float) -> None:
    """Invite a list or an audience to a survey (opt-outs skipped, quiet hours waited out)."""
    rt = runtime()
    with rt.sessions() as session:
        if slug not in registry.current(session):
            raise click.BadParameter(f"no survey {slug!r} is loaded", param_hint="--survey")
        if bool(to_file) == bool(audience):
            raise click.UsageError("give either --to FILE or --audience everyone")
        recipients = (broadcast.read_recipients(to_file, channel) if to_file
                      else broadcast.audience(session, channel, slug))
    plan = broadcast.run(rt, slug, channel, recipients, dry_run=dry_run)
    for address, lang in plan.sent.items():
        click.echo(f"{'would send' if dry_run else 'queued'}\t{address}\t{lang}")
    for address, why in plan.skipped.items():
        click.echo(f"skipped\t{address}\t{why}")
    click.echo("language\trecipients\tmessages\tsms parts\testimated cost")
    for lang in sorted(plan.by_language):
        units = plan.parts[lang] if channel == "sms" else plan.messages[lang]
        click.echo(f"{lang}\t{plan.by_language[lang]}\t{plan.messages[lang]}\t"
                   f"{plan.parts[lang] if channel == 'sms' else '-'}\t{units * price:.2f}")
    total = sum(plan.parts.values()) if channel == "sms" else sum(plan.messages.values())
    click.echo(f"total\t{len(plan.sent)}\t{sum(plan.messages.values())}\t"
               f"{sum(plan.parts.values()) if channel == 'sms' else '-'}\t{total * price:.2f}")


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int)
def serve(host: str, port: int, workers: int) -> None:
    """Run the web app under gunicorn (a production WSGI server)."""
    from outreach.serve import run

    run(host, port, workers)


def register(app: Flask) -> None:
    for command in (db, surveys, chat, worker_command, broadcast_command, serve):
        app.cli.add_command(command)


main = FlaskGroup(create_app=create_app, add_default_commands=False,
                  help="assembly-outreach: multilingual survey outreach for a citizens' assembly")


if __name__ == "__main__":
    main()
