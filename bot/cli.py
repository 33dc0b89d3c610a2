"""`outreach chat`, `outreach worker` and `outreach broadcast`: the bot from the command line."""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext

from bot import addresses, broadcast, plaintext, worker
from bot.conversations import Inbound, handle
from bot.runtime import current
from bot.translating import PendingTranslations
from surveys import registry
from translations import detect, translate


class IsoMoment(click.ParamType):
    """A moment in any ISO 8601 form Python reads (2026-12-05, 2026-12-05T18:00,
    20261205T180000Z, 2026-12-05T18:00:00.250+00:00); no zone means UTC."""

    name = "ISO-8601"

    def convert(self, value, param, ctx) -> datetime:
        if isinstance(value, datetime):
            return value
        try:
            moment = datetime.fromisoformat(str(value).strip())
        except ValueError:
            self.fail(f"{value!r} is not an ISO 8601 date and time", param, ctx)
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


DEFAULT_FROM = {"sms": "+447700900000", "whatsapp": "+447700900000", "telegram": "100000001"}


@click.command("chat")
@with_appcontext
@click.option("--channel", type=click.Choice(["sms", "whatsapp", "telegram"]), default="sms")
@click.option("--from", "sender", help="the resident's number or chat id")
def chat(channel: str, sender: str | None) -> None:
    """Talk to the bot as a resident would: one message per line on stdin."""
    rt = current()
    address = sender or DEFAULT_FROM[channel]
    try:
        addresses.parse(channel, address, rt.settings.default_region)
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
        # The operator's own tool: a piped script of any length is never held back.
        handled = handle(rt, Inbound(channel, address, line.rstrip("\r\n")), guard=False)
        for reply in handled.replies:
            click.echo(plaintext.render(reply))
            click.echo()
        if not handled.replies:  # e.g. after STOP: say so, or the silence looks like a hang
            click.echo("(no reply)\n")


@click.command("worker")
@click.option("--once", is_flag=True, help="do what is due now, then exit")
@click.option("--now", "at", type=IsoMoment(),
              help="run as if it were this moment (any ISO 8601 form; no zone means UTC)")
@click.option("--interval", default=1.0, show_default=True,
              help="seconds to wait after a round with nothing to do")
@with_appcontext
def worker_command(once: bool, at: datetime | None, interval: float) -> None:
    """Send what is due from the outbox and resume conversations whose wait is over."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    rt = current()
    senders = rt.senders((lambda: at) if at is not None else rt.now)
    translator = translate.build(rt.settings.translator, rt.settings.translator_base_url)
    translations = PendingTranslations(rt, translator)
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
    rt = current()
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


def init_app(app: Flask) -> None:
    """Add these commands to the app's CLI."""
    for command in (chat, worker_command, broadcast_command):
        app.cli.add_command(command)
