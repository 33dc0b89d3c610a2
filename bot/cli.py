"""`outreach chat`, `worker`, `broadcast` and `engagers …`: the bot from the command line."""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime, tzinfo
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext

from bot import addresses, broadcast, channels, commands, plaintext, spool, worker, youth
from bot.conversations import Inbound, handle
from bot.messages import Delivery
from bot.runtime import current
from bot.translating import PendingTranslations
from store.db import transaction
from surveys import registry
from surveys.model import REGISTRANTS
from translations import detect, translate
from translations.catalog import find_language


class IsoMoment(click.ParamType):
    """A moment in any ISO 8601 form Python reads (2026-12-05, 2026-12-05T18:00,
    20261205T180000Z, 2026-12-05T18:00:00.250+00:00); no zone means UTC."""

    name = "ISO-8601"
    zone: tzinfo | None = UTC  # put on a moment given without one (None: left naive)

    def convert(self, value, param, ctx) -> datetime:
        if isinstance(value, datetime):
            return value
        try:
            moment = datetime.fromisoformat(str(value).strip())
        except ValueError:
            self.fail(f"{value!r} is not an ISO 8601 date and time", param, ctx)
        return moment if moment.tzinfo or self.zone is None else moment.replace(tzinfo=self.zone)


CHATTED = [channel.name for channel in channels.PUSHED]  # `outreach chat --channel`
BROADCAST = [channel.name for channel in channels.BROADCAST]  # `outreach broadcast --channel`


@click.command("chat")
@with_appcontext
@click.option("--channel", type=click.Choice(CHATTED), default="sms")
@click.option("--from", "sender", help="the resident's number or chat id")
def chat(channel: str, sender: str | None) -> None:
    """Talk to the bot as a resident would: one message per line on stdin."""
    rt = current()
    address = sender or channels.get(channel).example
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
        text = line.rstrip("\r\n")
        # Telegram: "/start CODE", "LINK CODE" as the webhook reads them; else as typed.
        read = commands.telegram(text) if channel == "telegram" else commands.Read(text)
        # The operator's own tool: a piped script of any length is never held back, and
        # its replies are only printed (a local link in one is no one else's to open).
        handled = handle(rt, Inbound(channel, address, read.text, start=read.start,
                                     link=read.link), deliver=Delivery.SHOWN, guard=False)
        for reply in handled.replies:
            click.echo(plaintext.render(reply))
            click.echo()
        if not handled.replies:  # e.g. after STOP: say so, or the silence looks like a hang
            click.echo("(no reply)\n")


def warn_at_start() -> None:
    """Say on standard error what must be put right before people are asked anything
    (`outreach serve` and `outreach worker`, so `make run`): the service starts anyway."""
    for warning in spool.warnings(current().settings):
        click.secho(f"warning: {warning}", err=True, fg="yellow")


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
    warn_at_start()
    rt = current()
    senders = rt.senders((lambda: at) if at is not None else rt.now)
    translator = translate.build(rt.settings.translator, rt.settings.translator_base_url)
    translations = PendingTranslations(rt, translator)
    try:
        if once or at is not None:
            done = worker.run_once(rt, senders, at or rt.now(), worker.Pacer(), translations)
            if done.replayed:  # kept in the spool while the database was unreachable
                click.echo(f"replayed {done.replayed} message(s) from the spool")
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
              help="everyone we know on the channel (who opted out or said no to a "
              "consent is left out)")
@click.option("--channel", type=click.Choice(BROADCAST), default="sms", show_default=True)
@click.option("--dry-run", is_flag=True, help="show recipients, SMS parts and cost; send nothing")
@click.option("--price", default=0.04, show_default=True,
              help="estimated price per SMS part (or per message on other channels)")
@with_appcontext
def broadcast_command(slug: str, to_file: Path | None, audience: str | None, channel: str,
                      dry_run: bool, price: float) -> None:
    """Invite a list or an audience to a survey (who opted out or said no to a consent left
    out and counted, quiet hours waited out)."""
    rt = current()
    with rt.sessions() as session:
        if slug not in registry.current(session):
            raise click.BadParameter(f"no survey {slug!r} is loaded", param_hint="--survey")
        if registry.current(session)[slug].audience == REGISTRANTS:
            raise click.BadParameter("the lottery's registration starts only with a letter's "
                                     "code: it is never broadcast", param_hint="--survey")
        if bool(to_file) == bool(audience):
            raise click.UsageError("give either --to FILE or --audience everyone")
        recipients = (broadcast.read_recipients(to_file, channel) if to_file
                      else broadcast.audience(session, channel, slug))
    plan = broadcast.run(rt, slug, channel, recipients, dry_run=dry_run)
    for address, lang in plan.sent.items():  # masked as in the logs: a report is shared
        click.echo(f"{'would send' if dry_run else 'queued'}\t{addresses.masked(address)}\t{lang}")
    for why, count in sorted(plan.left_out.items()):
        click.echo(f"left out\t{count}\t{why}")
    click.echo("language\trecipients\tmessages\tsms parts\testimated cost")
    parts = channels.get(channel).sms_parts  # priced per SMS part, else per message
    for lang in sorted(plan.by_language):
        units = plan.parts[lang] if parts else plan.messages[lang]
        click.echo(f"{lang}\t{plan.by_language[lang]}\t{plan.messages[lang]}\t"
                   f"{plan.parts[lang] if parts else '-'}\t{units * price:.2f}")
    total = sum(plan.parts.values()) if parts else sum(plan.messages.values())
    click.echo(f"total\t{len(plan.sent)}\t{sum(plan.messages.values())}\t"
               f"{sum(plan.parts.values()) if parts else '-'}\t{total * price:.2f}")


engagers = AppGroup("engagers", help="Peer engagers: add, list, pause, resume.")


@engagers.command("add")
@click.option("--name", required=True, help="the engager's name (staff see it, never friends)")
@click.option("--phone", help="the engager's own mobile number (they text PROMPTS, LOG, STATS)")
@click.option("--telegram-chat", "telegram_chat", help="or their Telegram chat id")
@click.option("--language", help="the language for their prompt packs until they write to "
              "us: an offered language's code or name (pl, Polish, polski)")
@click.option("--qr-dir", type=click.Path(file_okay=False, path_type=Path),
              help="where to write the QR codes [default: INSTANCE_PATH/engagers]")
def engagers_add(name: str, phone: str | None, telegram_chat: str | None,
                 language: str | None, qr_dir: Path | None) -> None:
    """Add an engager: print their code and what to share, write the QR code."""
    if phone and telegram_chat:
        raise click.UsageError("give --phone or --telegram-chat, not both")
    rt = current()
    if language is not None:
        language = _offered_language(rt, language)
    channel = "sms" if phone else "telegram" if telegram_chat else None
    with transaction(rt.sessions) as session:
        survey = youth.youth_survey(session)
        if survey is None:
            raise click.ClickException("no youth survey is loaded: run `outreach surveys load`")
        try:
            engager = youth.add(session, name, rt.now(), channel=channel,
                                address=phone or telegram_chat, language=language,
                                region=rt.settings.default_region)
        except youth.EngagerError as exc:
            raise click.ClickException(str(exc)) from exc
        code = engager.code
        shared = youth.share(rt.settings, survey, code)  # a local link: nobody added
    written = youth.write_qr(shared.web, qr_dir or rt.settings.instance_path / "engagers", code)
    click.echo(f"code\t{code}")
    click.echo(f"name\t{name.strip()}")
    click.echo(f"sms\t{shared.sms}")
    click.echo(f"telegram\t{shared.telegram}")
    click.echo(f"web\t{shared.web}")
    click.echo(f"qr\t{', '.join(str(path) for path in written)}")
    if channel is None:
        click.echo("note\tno phone or Telegram chat: the bot will not know them for PROMPTS, "
                   "LOG and STATS")


def _offered_language(rt, given: str) -> str:
    """--language as an offered language's code ("Polish" -> "pl"), else a usage error."""
    found = find_language(given, rt.catalogs.offered)
    if found is None:
        raise click.BadParameter(f"{given!r} is not an offered language (one of "
                                 f"{', '.join(rt.catalogs.offered)}, or its name)",
                                 param_hint="--language")
    return found


@engagers.command("list")
def engagers_list() -> None:
    """Every engager: code, name, reach (exact counts, for staff), paused."""
    rt = current()
    with rt.sessions() as session:
        rows = youth.listing(session)
    click.echo("code\tname\tstarted\tfinished\tconversations\tpeople\tpaused")
    for engager, reach in rows:
        paused = engager.paused_at.date().isoformat() if engager.paused_at else "-"
        click.echo(f"{engager.code}\t{engager.name}\t{reach.started}\t{reach.finished}\t"
                   f"{reach.conversations}\t{reach.people}\t{paused}")
    if not rows:
        click.echo("no engagers yet (outreach engagers add --name NAME)")


@engagers.command("pause")
@click.argument("code")
def engagers_pause(code: str) -> None:
    """Stop attributing to CODE and sending it prompt packs (friends can still take part)."""
    _change(lambda session, rt: youth.pause(session, code, rt.now()), "paused")


@engagers.command("resume")
@click.argument("code")
def engagers_resume(code: str) -> None:
    """Attribute to CODE again and send it the prompt packs."""
    _change(lambda session, _rt: youth.resume(session, code), "resumed")


def _change(change, done: str) -> None:
    rt = current()
    with transaction(rt.sessions) as session:
        try:
            engager = change(session, rt)
        except youth.EngagerError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(f"{engager.code}\t{done}")


def init_app(app: Flask) -> None:
    """Add these commands to the app's CLI."""
    for command in (chat, worker_command, broadcast_command, engagers):
        app.cli.add_command(command)
