"""`outreach alerts list` and `outreach alerts ack`: the alert queue from the command line,
for the safeguarding and wellbeing leads beside the staff area's /staff/alerts."""

from __future__ import annotations

import getpass
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager

import click
from flask import Flask
from flask.cli import with_appcontext

from bot import alerts
from bot.members import roster
from bot.quiet import QuietHours
from bot.runtime import current
from store.db import transaction
from store.models import Alert


@click.group("alerts")
def alerts_group() -> None:
    """Safeguarding and wellbeing alerts waiting for a person."""


@alerts_group.command("list")
@click.option("--all", "everything", is_flag=True, help="acknowledged alerts as well")
@with_appcontext
def list_command(everything: bool) -> None:
    """One line per alert: most urgent first, then oldest first."""
    rt = current()
    with rt.sessions() as session:
        found = alerts.waiting(session, everything)
        translating = rt.settings.translator != "none"
        for alert in found:
            click.echo(line(alert, rt.settings.timezone, translating,
                            alerts.answering(session, alert)))
    if not found:
        click.echo("No alerts waiting." if not everything else "No alerts.")


@alerts_group.command("ack")
@click.argument("alert_id", type=int)
@click.option("--note", help="what was done (kept with the alert; needed)")
@click.option("--by", default=getpass.getuser, show_default="your user name",
              help="who dealt with it")
@click.option("--yes", "confirmed", is_flag=True,
              help="do not ask to confirm (for scripts)")
@with_appcontext
def ack_command(alert_id: int, note: str | None, by: str, confirmed: bool) -> None:
    """Record that a person has dealt with alert ALERT_ID, with a note of what was done
    (--note, needed); it asks to confirm unless --yes is given."""
    if note is None:
        raise click.UsageError('an alert cannot be acknowledged without a note of what was '
                               'done: --note "Called back, referred to MASH"')
    if not alerts.says_what_was_done(note):
        raise click.ClickException(alerts.NOTE_NEEDED)
    rt = current()
    with _refusals(alert_id), rt.sessions() as session:
        alert = alerts.unacknowledged(session, alert_id)  # refused before asking, not after
        summary = f"{alerts.SEVERITY_NAMES[alert.severity]} {alert.kind} {alert.category}"
    if not confirmed:
        click.confirm(f'Acknowledge alert #{alert_id} ({summary}) as dealt with: '
                      f'"{_printable(note)}"? It comes off the queue', abort=True)
    with _refusals(alert_id), transaction(rt.sessions) as session:
        alerts.acknowledge(session, alert_id, by, note, rt.now())
    click.echo(f"Alert #{alert_id} acknowledged.")


@alerts_group.command("show")
@click.argument("alert_id", type=int)
@with_appcontext
def show_command(alert_id: int) -> None:
    """The alert and the conversation around it (never the number or chat id)."""
    rt = current()
    zone = rt.settings.timezone
    with _refusals(alert_id), rt.sessions() as session:
        alert = alerts.get(session, alert_id)
        click.echo(line(alert, zone, rt.settings.translator != "none",
                        alerts.answering(session, alert)))
        if (member := roster.member_of(session, alert.contact_id)) is not None:
            click.echo(f"  assembly member {roster.pseudonym(member)} {member.name} "
                       f"({member.channel}): their number is on your roster")
        for said in alerts.conversation(session, alert):
            if isinstance(said, alerts.Hidden):
                click.echo(f"  ({said.count} survey message{'s' if said.count > 1 else ''} "
                           "not shown)")
                continue
            who = "them" if said.direction == "in" else "us  "
            when = said.at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
            if said.due is not None:  # not sent yet: say so, and when it goes
                goes = said.due.astimezone(zone).strftime("%Y-%m-%d %H:%M")
                who = f"us (queued, goes {goes})"
            click.echo(f"  {when} {who}: {_printable(said.text)}")


@alerts_group.command("reply")
@click.argument("alert_id", type=int)
@click.argument("text")
@click.option("--now", "at_once", is_flag=True,
              help="send at once, even in quiet hours (a reply to a disclosure that cannot "
                   "wait for the morning)")
@with_appcontext
def reply_command(alert_id: int, text: str, at_once: bool) -> None:
    """Write to the person who raised ALERT_ID, on the channel they used (the worker
    sends it; you never see their number). Inside quiet hours it waits for their end,
    unless --now is given."""
    rt = current()
    now = rt.now()
    quiet = None if at_once else QuietHours.from_settings(rt.settings)
    with _refusals(alert_id), transaction(rt.sessions) as session:
        _, due = alerts.reply(session, alerts.get(session, alert_id), text, now, quiet)
    if due <= now:
        click.echo(f"Queued to the person behind alert #{alert_id}; the worker sends it now.")
    else:
        when = due.astimezone(rt.settings.timezone).strftime("%Y-%m-%d %H:%M")
        click.echo(f"Queued to the person behind alert #{alert_id}: quiet hours, so the "
                   f"worker sends it at {when}. If it cannot wait (a disclosure), use --now.")


@contextmanager
def _refusals(alert_id: int) -> Iterator[None]:
    """An unknown alert, or one that cannot take this, as a one-line error (exit 1)."""
    try:
        yield
    except alerts.UnknownAlert:
        raise click.ClickException(f"there is no alert #{alert_id}") from None
    except alerts.CannotDo as exc:
        raise click.ClickException(str(exc)) from None


def line(alert: Alert, zone, translating: bool = True, where: str | None = "-") -> str:
    """An alert on one line: number, urgency, kind, when (local), what they were answering
    (`alerts.answering`; left out when None), the words (and their English, or why there
    is none yet)."""
    when = alert.created_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    words = f'{alert.language or "?"}: "{_printable(alert.text)}"'
    if alerts.asked_for_call(alert):  # the keyword in their language: nothing to translate
        words = f"asked for a call (wrote {words})"
    elif alert.language != "en":
        english = (_printable(alert.text_en) if alert.text_en is not None
                   else f"translation {alert.translation_status or 'not available'}"
                   if translating else alerts.NO_TRANSLATION)
        words += f' | en: "{english}"' if alert.text_en is not None else f" | en: {english}"
    text = (f"#{alert.id} {alerts.SEVERITY_NAMES[alert.severity].upper()} {alert.kind} "
            f"{alert.category} {when} {alert.channel}{'' if where is None else f' ({where})'} "
            f"{words}")
    if alert.under_13:
        text += " [said they are under 13]"
    if alert.acked_at is not None:
        acked = alert.acked_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        text += f" [acknowledged {acked} by {alert.acked_by}: {_printable(alert.ack_note or '')}]"
    return text


def _printable(text: str) -> str:
    """On one line, without control or direction-override characters (a message must not
    move the lead's cursor, colour their terminal or reorder the line)."""
    return "".join(" " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else
                   "" if unicodedata.category(ch) == "Cf" and ch not in "\u200c\u200d" else ch
                   for ch in text).strip()


def init_app(app: Flask) -> None:
    app.cli.add_command(alerts_group)
