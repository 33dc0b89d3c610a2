"""`outreach export responses` and `outreach purge`: the analyst's export and the data
controller's retention, from the command line (the staff area calls the same functions)."""

from __future__ import annotations

import os
import sys
from dataclasses import asdict
from datetime import datetime, time, timedelta
from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext

import assembly
from bot.cli import IsoMoment
from bot.runtime import current
from staff import audit, exports, writers
from staff.purge import purge
from store.db import transaction


class LocalMoment(IsoMoment):
    """A date (the start of that day) or a date and time, in OUTREACH_TIMEZONE unless it
    carries its own offset: 2026-03-01, 2026-03-01T18:00, 2026-03-01T18:00+00:00. Parsed
    before the app is loaded, so the zone is put on inside the command (`_local`)."""

    name = "DATE"
    zone = None


def _local(moment: datetime | None) -> datetime | None:
    """A moment with no offset of its own read in OUTREACH_TIMEZONE."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=current().settings.timezone)


@click.group("export")
def export_group() -> None:
    """Export data for analysis."""


@export_group.command("responses")
@click.option("--survey", "slug", required=True, help="the survey's slug")
@click.option("--format", "kind", type=click.Choice(writers.FORMATS),
              help="default: the suffix of --out")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, allow_dash=True),
              help="the file to write (`-`: standard output, csv and jsonl)")
@click.option("--since", type=LocalMoment(), help="only responses begun on or after DATE")
@click.option("--status", type=click.Choice(exports.STATUSES))
@click.option("--redact", is_flag=True,
              help="free text redacted, engagers pseudonymous, dates only, a safeguarding "
                   "column")
@with_appcontext
def export_responses(slug: str, kind: str | None, out: str, since: datetime | None,
                     status: str | None, redact: bool) -> None:
    """One row per response: a pseudonym for the respondent, never a number or chat id
    (docs/exports.md)."""
    kind = kind or Path(out).suffix.lstrip(".").lower()
    if kind not in writers.FORMATS:
        raise click.BadParameter("say csv, xlsx or jsonl (or end --out with one of them)",
                                 param_hint="--format")
    if out == "-" and kind == "xlsx":
        raise click.BadParameter("an XLSX workbook needs a file", param_hint="--out")
    rt = current()
    with rt.sessions() as session:
        try:
            export = exports.plan(session, slug, rt.settings.secret_key,
                                  translating=rt.settings.translator != "none", redact=redact)
        except exports.UnknownSurvey:
            raise click.BadParameter(f"no survey {slug!r} (see `outreach surveys list`)",
                                     param_hint="--survey") from None
    found = exports.rows(rt.sessions, export, since=_local(since), status=status)
    count = _write(kind, export.columns, found, out, slug)
    audit.record_now(rt.sessions, audit.EXPORTED, rt.now(), actor=audit.cli_actor(),
                     detail=export_detail(slug, kind, count, since, status, redacted=redact))
    click.echo(f"{count} response(s) of {slug} written to {out} "
               f"({kind}{', redacted' if redact else ''}).", err=out == "-")


def export_detail(slug: str, kind: str, count: int, since: datetime | None = None,
                  status: str | None = None, page: bool = False, redacted: bool = False) -> str:
    """An export as the audit log says it: survey, format, rows, filters."""
    filters = "".join(f", {name} {value}" for name, value in
                      (("since", since and since.isoformat()), ("status", status)) if value)
    kind = f"{kind}, redacted" if redacted else kind
    return f"{slug} as {kind}{' (an API page)' if page else ''}: {count} row(s){filters}"


def _write(kind: str, columns: tuple[str, ...], found, out: str, title: str) -> int:
    """Write to a hidden file beside `out` and move it into place when complete: a failed
    export never leaves half a file under the real name."""
    if out == "-":
        return _write_text(kind, columns, found, click.get_text_stream("stdout", "utf-8"))
    target = Path(out)
    partial = target.with_name(f".{target.name}.partial")
    try:
        if kind == "xlsx":
            count = writers.write_xlsx(columns, found, str(partial), title)
        else:
            with partial.open("w", encoding="utf-8", newline="") as fileobj:
                count = _write_text(kind, columns, found, fileobj)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return count


def _write_text(kind: str, columns: tuple[str, ...], found, fileobj) -> int:
    if kind == "csv":
        return writers.write_csv(columns, found, fileobj)
    return writers.write_jsonl(found, fileobj)


@click.command("purge")
@click.option("--before", type=LocalMoment(),
              help="erase what is older than DATE (its start, local time)")
@click.option("--dry-run", is_flag=True, help="count what would go; erase nothing")
@click.option("--yes", is_flag=True, help="do not ask (asked only at a terminal)")
@with_appcontext
def purge_command(before: datetime | None, dry_run: bool, yes: bool) -> None:
    """Erase responses, answers, translations, consents, messages and the lottery's
    registrants whose part is over (not selected, declined, no answer, dropped out)
    older than DATE, and people left with nothing; once the lottery's keep_until day has
    passed, every registrant who is not a confirmed member and the closed draws' letters
    too (with or without DATE). Print the counts, the registrants' by status
    (docs/exports.md, "Retention")."""
    rt, before = current(), _local(before)
    lottery_over, closes = _lottery_end(rt)
    if before is None and not lottery_over:
        raise click.UsageError("give --before DATE (the lottery's keep_until day has not "
                               "passed, so there is nothing else to erase)")

    def run(session):
        return purge(session, before, rt.now(), lottery_over=lottery_over, closes=closes)

    if dry_run or (sys.stdin.isatty() and not yes):
        with rt.sessions() as session:
            counts = run(session)
            session.rollback()
        click.echo(_report(counts, "would be erased"))
        if dry_run or not click.confirm("Erase them?", default=False):
            return
    with transaction(rt.sessions) as session:
        counts = run(session)
    said = (f"before {before.isoformat()}" if before else "") + (
        "; " if before and lottery_over else "") + ("after the lottery's keep_until"
                                                    if lottery_over else "")
    audit.record_now(rt.sessions, audit.PURGED, rt.now(), actor=audit.cli_actor(),
                     detail=f"{said}: {_report(counts, 'erased')}")
    click.echo(_report(counts, "erased"))


def _lottery_end(rt) -> tuple[bool, datetime | None]:
    """Whether the lottery's keep_until day (the assembly file) has passed, and when its
    registration closes (the end of its `closes` day), both in OUTREACH_TIMEZONE."""
    lottery = assembly.load(rt.settings.assembly_file).lottery
    zone = rt.settings.timezone
    today = rt.now().astimezone(zone).date()
    closes = None if lottery.closes is None else datetime.combine(
        lottery.closes + timedelta(days=1), time(), zone)
    return lottery.keep_until is not None and today > lottery.keep_until, closes


def _report(counts, done: str) -> str:
    """The counts as one line; the registrants with how many of each status ("3
    registrants (2 declined, 1 no_answer)"), so that staff see which kinds would go."""
    said = []
    for name, number in asdict(counts).items():
        if name == "registrants_by_status":
            continue
        kinds = counts.registrants_by_status if name == "registrants" else {}
        said.append(f"{number} {name}" + (" ({})".format(", ".join(
            f"{n} {status}" for status, n in kinds.items())) if kinds else ""))
    return ", ".join(said) + f" {done}."


def init_app(app: Flask) -> None:
    """Register `outreach export responses` and `outreach purge` on a Flask app."""
    app.cli.add_command(export_group)
    app.cli.add_command(purge_command)
