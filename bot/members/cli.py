"""`outreach members …`, `outreach sessions …` and `outreach reminders …`: the assembly
coordinator's commands (docs/members.md). Members are shown to staff by name and number
(M007), never by phone number or chat id; the plan shows only the number."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import or_, select

from bot import channels
from bot.cli import IsoMoment
from bot.members import linking, removal, roster, roster_file, rsvps, schedule, sessions
from bot.members.reminders import item_text, reminder
from bot.members.roster import pseudonym
from bot.outbox import LocalLink
from bot.quiet import QuietHours
from bot.runtime import Runtime, current
from store.db import transaction
from store.models import AssemblySession, Member, Message
from translations import segments

members = AppGroup("members", help="Assembly members: import the roster, list it, remove "
                   "one, link Telegram.")
sessions_group = AppGroup("sessions", help="Assembly days: add, list, change, remove, RSVPs.")
reminders = AppGroup("reminders", help="Members' reminders and check-ins: the plan, failures.")
FAILED = ("failed", "undelivered", "held")
# Reminders held (retries, quiet hours) until too late to go: the member was not reminded.
NOT_SENT = (schedule.TOO_LATE, schedule.SESSION_BEGUN)
MOMENT = "YYYY-MM-DDTHH:MM"  # a session's time, read by sessions.read_time


def _local(rt: Runtime, moment: datetime, form: str = "%a %Y-%m-%d %H:%M") -> str:
    """A stored moment in local time (through UTC: what is stored, not what was typed)."""
    return moment.astimezone(UTC).astimezone(rt.settings.timezone).strftime(form)


# members ---------------------------------------------------------------------------------


@members.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--no-welcome", is_flag=True,
              help="do not send new members the welcome with their calendar link")
def members_import(path: Path, no_welcome: bool) -> None:
    """Add or update members from a CSV or .xlsx (name, phone, telegram_chat_id, language,
    channel, notes; optionally member, their number M007). A row updates the member it
    numbers, else the one with its phone or chat, else the one of that name. A file with
    any bad row imports nothing."""
    rt = current()
    offered = ["en", *(lang for lang in rt.catalogs.languages if lang != "en")]
    now = rt.now()
    try:
        with transaction(rt.sessions) as session:
            rows = roster_file.read_file(path, offered, rt.settings.default_region,
                                    roster.linked_phone(session))
            done = roster.import_rows(session, rows, now)
            quiet = QuietHours.from_settings(rt.settings)
            welcomed = 0 if no_welcome else sum(
                roster.welcome(session, m, rt.catalogs, rt.settings.public_base_url,
                               rt.settings.org_name, quiet, now)
                for m in done.added)
            welcomed += sum(roster.rewelcome(
                session, m, rt.catalogs, rt.settings.public_base_url, rt.settings.org_name,
                quiet, now, again=not no_welcome and m in done.readdressed)
                for m in done.updated)
            added, updated = len(done.added), len(done.updated)
            moved = [f"{pseudonym(m)} {m.name}" for m in done.moved_off_telegram]
            readdressed = [f"{pseudonym(m)} {m.name}" for m in done.readdressed]
    except roster_file.RosterError as exc:
        for problem in exc.problems:
            click.echo(f"{path}:{problem.removeprefix('line ')}", err=True)
        click.echo(f"{path}: nothing imported", err=True)
        raise SystemExit(1) from None
    except LocalLink as exc:  # the welcome's calendar link
        raise click.ClickException(f"{path}: nothing imported (the welcome carries each "
                                   f"member's calendar link): {exc}") from exc
    click.echo(f"{added} member(s) added, {updated} updated; {welcomed} welcome message(s) "
               "queued")
    for who in moved:
        click.echo(f"note: {who} had chosen Telegram; the file moves them back to its "
                   "channel (write telegram in their row to keep it)")
    for who in readdressed:
        click.echo(f"note: {who} has a new number or chat: the old one is no longer theirs, "
                   "their calendar link is new, and what was queued goes to the new one")


@members.command("list")
def members_list() -> None:
    """Every member: number, name, channel, language, calendar link, and their notes (what
    staff plan with: a member from the lottery has their access needs and weekends there)."""
    rt = current()
    local = rt.settings.links_are_local
    with rt.sessions() as session:
        found = list(session.scalars(select(Member).order_by(Member.id)))
        click.echo("member\tname\tchannel\tlanguage\topted out\tcalendar\tnotes")
        for m in found:
            link = "-" if local else roster.calendar_url(rt.settings.public_base_url, m)
            click.echo(f"{pseudonym(m)}\t{m.name}\t{m.channel}\t{m.contact.language or '-'}\t"
                       f"{'yes' if m.contact.opted_out_at else 'no'}\t{link}\t"
                       f"{' '.join((m.notes or '-').split())}")
    if not found:
        click.echo("no members yet (outreach members import FILE.csv)")
    elif local:  # a link to this machine, handed out on paper, opens nothing
        click.echo("note: calendar links appear once PUBLIC_BASE_URL is the public address "
                   "people reach this service at (docs/configuration.md)")


def find_member(session, given: str) -> Member:
    """A member by number (M007 or 7) or by name (whole, any case); ClickException else."""
    number = given.strip().upper().removeprefix("M")
    if number.isdigit():
        found = session.get(Member, int(number))
        if found is not None:
            return found
    matches = roster.called(session, given)
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise click.ClickException(f"{len(matches)} members are called {given!r}: use the "
                                   f"number ({', '.join(pseudonym(m) for m in matches)})")
    raise click.ClickException(f"no member {given!r} (outreach members list shows them)")


@members.command("remove")
@click.argument("member")
def members_remove(member: str) -> None:
    """Take MEMBER (M007, 7 or their name) off the roster: what was queued for them
    (reminders, welcome, link codes) is cancelled, their RSVPs and check-ins go. Any survey
    answers they gave as a resident stay."""
    rt = current()
    with transaction(rt.sessions) as session:
        found = find_member(session, member)
        who = f"{pseudonym(found)} {found.name}"
        cancelled = removal.remove_member(session, found, rt.now())
    click.echo(f"{who} removed; {cancelled} queued message(s) cancelled")


@members.command("link-code")
@click.argument("member")
def members_link_code(member: str) -> None:
    """Text MEMBER (M007, 7 or their name) a one-time code that links their Telegram chat;
    it works once, for 24 hours. Members can also text LINK for one themselves."""
    rt = current()
    now = rt.now()
    with transaction(rt.sessions) as session:
        found = find_member(session, member)
        sent = linking.send_code(session, found, rt.catalogs,
                                 rt.settings.telegram_bot_username, now)
        if sent is None:
            raise click.ClickException(f"{pseudonym(found)} has no phone number to text a "
                                       "code to")
        who, stopped = f"{pseudonym(found)} {found.name}", found.contact.opted_out_at
    code, until = sent
    if stopped:
        click.echo(f"warning: {who} opted out (STOP): the SMS will not go; read them the code",
                   err=True)
    click.echo(f"{who}: code {code} queued by SMS; it works once, until {_local(rt, until)}")
    if not rt.settings.telegram_bot_username:
        click.echo("set TELEGRAM_BOT_USERNAME so that the SMS carries the bot's link", err=True)


# sessions ---------------------------------------------------------------------------------


def _details(rt: Runtime, name, starts, ends, venue, bring, access, travel):
    return sessions.Details(name, _moment(rt, starts, "--starts"), _moment(rt, ends, "--ends"),
                            venue, bring, access, travel)


def _moment(rt: Runtime, typed: str | None, option: str) -> datetime | None:
    """A time as typed, read in local time; a usage error says what is wrong with it."""
    if typed is None:
        return None
    tz = rt.settings.timezone
    try:
        moment = sessions.read_time(typed, rt.now().astimezone(tz).date())
    except sessions.UnreadableTime as exc:
        raise click.BadParameter(str(exc), param_hint=f"'{option}'") from None
    return sessions.local(moment, tz)


def _notes_options(command):
    for option in (click.option("--travel", help="travel notes (nearest station, buses)"),
                   click.option("--access", help="access notes (step-free, hearing loop)"),
                   click.option("--bring", help="what to bring")):
        command = option(command)
    return command


@sessions_group.command("add")
@click.option("--name", required=True, help="e.g. 'Weekend 1, Saturday'")
@click.option("--starts", required=True, metavar=MOMENT, help="local time, e.g. 2026-03-14T10:00")
@click.option("--ends", required=True, metavar=MOMENT, help="local time")
@click.option("--venue", required=True)
@_notes_options
def sessions_add(name, starts, ends, venue, bring, access, travel) -> None:
    """Add an assembly day."""
    rt = current()
    try:
        with transaction(rt.sessions) as session:
            day = sessions.add(session, _details(rt, name, starts, ends, venue, bring, access,
                                                 travel), rt.now())
            click.echo(_session_line(rt, day))
            _warn_long(rt, day)
            if day.starts_at <= rt.now():
                click.echo("warning: this session has already begun, so no reminder will go "
                           "for it; check the year (outreach sessions edit ID --starts …)")
    except sessions.SessionError as exc:
        raise click.ClickException(str(exc)) from None


@sessions_group.command("edit")
@click.argument("session_id", type=int)
@click.option("--name")
@click.option("--starts", metavar=MOMENT, help="a new start moves the session (local time)")
@click.option("--ends", metavar=MOMENT, help="local time")
@click.option("--venue")
@_notes_options
def sessions_edit(session_id, name, starts, ends, venue, bring, access, travel) -> None:
    """Change a session. A new time re-plans its reminders and tells the members who had
    already heard of the old one."""
    rt = current()
    try:
        with transaction(rt.sessions) as session:
            day, told = sessions.edit(rt, session, session_id, _details(
                rt, name, starts, ends, venue, bring, access, travel), rt.now())
            click.echo(_session_line(rt, day))
            _warn_long(rt, day)
    except sessions.SessionError as exc:
        raise click.ClickException(str(exc)) from None
    if told:
        click.echo(f"{told} member(s) told of the new time")


def _session_line(rt: Runtime, day) -> str:
    return (f"#{day.id}\t{day.name}\t{_local(rt, day.starts_at)}-"
            f"{_local(rt, day.ends_at, '%H:%M')}\t{day.venue}")


def _warn_long(rt: Runtime, day) -> None:
    """Say which reminder would cost more than 3 SMS parts in which language."""
    for rule in rt.member_rules.reminders:
        for lang in sorted({"en", *rt.catalogs.languages}):
            text = reminder(rt.catalogs, lang, rule.template, day,
                                     rt.settings.timezone, rule.notes).text
            if segments.count(text) > 3:
                click.echo(f"warning: the {rule.id} reminder in {lang} takes "
                           f"{segments.count(text)} SMS parts; shorten the venue or notes")


@sessions_group.command("remove")
@click.argument("session_id", type=int)
def sessions_remove(session_id: int) -> None:
    """Remove a session: its queued reminders are cancelled, and the members who had heard
    of it (a reminder went, or they answered) are told it will not take place."""
    rt = current()
    with transaction(rt.sessions) as session:
        day = session.get(AssemblySession, session_id)
        if day is None:
            raise click.ClickException(f"there is no session #{session_id} (outreach "
                                       "sessions list shows them)")
        line, ended = _session_line(rt, day), day.ends_at <= rt.now()
        done = removal.remove_session(rt, session, day, rt.now())
    click.echo(f"removed: {line}")
    if ended:
        click.echo(f"{done.cancelled} queued reminder(s) cancelled; it had already ended, so "
                   "no one is told")
        return
    if done.at is None:
        click.echo(f"{done.cancelled} queued reminder(s) cancelled; no member had heard of it, "
                   "so no one is told")
        return
    when = ("now" if done.at <= rt.now()
            else f"at {_local(rt, done.at, '%H:%M')} (after quiet hours)")
    click.echo(f"{done.cancelled} queued reminder(s) cancelled; {done.told} member(s) to be "
               f"told it will not take place, {when}")


@sessions_group.command("list")
def sessions_list() -> None:
    """Every assembly day, with its answers so far."""
    rt = current()
    with rt.sessions() as session:
        found = rsvps.attendance(session, rt.now(), rt.member_rules.rsvp_chase_days)
        click.echo("session\tname\twhen\tvenue\tyes\tno\tno answer")
        for day in found:
            click.echo(f"{_session_line(rt, day.day)}\t{len(day.yes)}\t{len(day.no)}\t"
                       f"{len(day.unanswered)}")
    if not found:
        click.echo("no sessions yet (outreach sessions add …)")


@sessions_group.command("rsvps")
@click.argument("session_id", type=int, required=False)
@click.option("--now", "at", type=IsoMoment(), help="as if it were this moment")
def sessions_rsvps(session_id: int | None, at: datetime | None) -> None:
    """Who said NO, and who has not answered once the session is close: the people to
    call. Everyone else's answers are counted."""
    rt = current()
    with rt.sessions() as session:
        for day in rsvps.attendance(session, at or rt.now(), rt.member_rules.rsvp_chase_days,
                                    session_id):
            click.echo(f"{_session_line(rt, day.day)}: {len(day.yes)} yes, {len(day.no)} no, "
                       f"{len(day.unanswered)} no answer")
            for member in day.no:
                click.echo(f"  NO\t{pseudonym(member)}\t{member.name}\t{member.channel}")
            if day.chase:
                for member in day.unanswered:
                    stopped = " (opted out)" if member.contact.opted_out_at else ""
                    click.echo(f"  NO ANSWER\t{pseudonym(member)}\t{member.name}\t"
                               f"{member.channel}{stopped}")


# reminders --------------------------------------------------------------------------------


@reminders.command("plan")
@click.option("--now", "at", type=IsoMoment(), help="as if it were this moment")
def reminders_plan(at: datetime | None) -> None:
    """What will go to which member and when (after quiet hours), in which language and on
    which channel, messages already queued (welcomes, retries) included: what `worker` will
    send. Sends nothing."""
    rt = current()
    now = at or rt.now()
    with rt.sessions() as session:
        items = schedule.outlook(session, rt.member_rules,
                                 QuietHours.from_settings(rt.settings), now)
        click.echo("sends (local)\twhat\tsession\tmember\tlanguage\tchannel\tsms parts\tstate")
        for item in items:
            where = f"#{item.day.id}" if item.day is not None else item.week or "-"
            texts = item_text(rt, item)
            parts = (str(sum(segments.count(t) for t in texts))
                     if texts and channels.get(item.member.channel).sms_parts else "-")
            click.echo(f"{_local(rt, item.sends)}\t{item.what}\t{where}\t"
                       f"{pseudonym(item.member)}\t{item.member.contact.language or 'en'}\t"
                       f"{item.member.channel}\t{parts}\t{item.state}")
    if not items:
        click.echo("nothing planned")


@reminders.command("failed")
def reminders_failed() -> None:
    """Messages to members that could not be delivered (after their retries), and
    reminders held until too late to go (too-late, session-begun): call those members."""
    rt = current()
    with rt.sessions() as session:
        rows = session.execute(
            select(Message, Member).join(Member, Member.contact_id == Message.contact_id)
            .where(Message.direction == "out", or_(
                Message.status.in_(FAILED),
                (Message.status == "cancelled") & Message.error_code.in_(NOT_SENT)))
            .order_by(Message.created_at, Message.id)).all()
        click.echo("when\tmember\tname\tchannel\twhat\tstatus\terror")
        for message, member in rows:
            key = message.idempotency_key or ""
            what = key.split(":")[3] if key.startswith(roster.REMINDER_KEY) else (
                key.split(":")[0] or "check-in or reply")
            click.echo(f"{_local(rt, message.created_at)}\t{pseudonym(member)}\t{member.name}\t"
                       f"{message.channel}\t{what}\t{message.status}\t{message.error_code or '-'}")
    if not rows:
        click.echo("no failed deliveries")


def init_app(app: Flask) -> None:
    for group in (members, sessions_group, reminders):
        app.cli.add_command(group)
