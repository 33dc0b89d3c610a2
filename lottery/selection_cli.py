"""`outreach lottery select` and `outreach lottery replace`: the draws (lottery/selection.py)
by the Sortition Foundation's library (lottery/library.py), each writing its transparency
report (lottery/report.py). Nothing is sent to anyone here: the worker asks the selected."""

from __future__ import annotations

from pathlib import Path

import click
from sqlalchemy import func, select

import assembly
from bot.runtime import current
from lottery import library, report, selection
from lottery.targets import TargetsError, dimensions, registration_survey
from store.db import transaction
from store.models import Registrant

_REPORT = click.option("--report", "report_path", type=click.Path(dir_okay=False,
                                                                  path_type=Path),
                       default=None, help=f"the transparency report (default: {report.DEFAULT})")


def _draw(work, report_path: Path | None) -> selection.Draw:
    """Run `work(session, dims, lib)` in one transaction; the report written after."""
    rt = current()
    chosen = assembly.load(rt.settings.assembly_file)
    try:
        cmd = library.command(rt.settings.sortition_command)
    except library.LibraryMissing as exc:
        raise click.ClickException(str(exc)) from exc
    found = library.installed(cmd)
    lib = selection.Library(cmd, found.version, chosen.lottery.algorithm, found.backend)
    try:
        with transaction(rt.sessions) as session:
            dims = dimensions(registration_survey(session), chosen.place)
            drawn = work(session, dims, lib, rt.now(), chosen.lottery)
            figures = dict(drawn.run.report)
    except (selection.SelectionError, TargetsError) as exc:
        raise click.ClickException(f"nothing selected: {exc}") from exc
    path = report.write(report_path or Path(report.DEFAULT), figures, dims, chosen.name,
                        chosen.place)
    click.echo(f"seed {figures['seed']!r} (the library's {figures['seed_number']}), "
               f"{lib.algorithm}, {library.DISTRIBUTION} {lib.version}; run {drawn.run.id}")
    click.echo(f"transparency report: {path.resolve()}")
    return drawn


@click.command("select")
@click.option("--panel", type=click.IntRange(min=1), default=None,
              help="members to select (default: the assembly file's lottery panel)")
@click.option("--reserves", type=click.IntRange(min=0), default=None,
              help="reserves drawn beside them (default: the lottery section's)")
@click.option("--seed", required=True, help="the published seed (any text)")
@click.option("--again", is_flag=True, help="draw anew while nobody has been asked yet")
@click.option("--close-now", is_flag=True,
              help="close every draw's registration now (refused while any is open)")
@_REPORT
def select_command(panel: int | None, reserves: int | None, seed: str, again: bool,
                   close_now: bool, report_path: Path | None) -> None:
    """Select the panel and reserves from everyone registered, meeting the loaded targets,
    one person per household, once registration has closed (or `--close-now` closes it).
    Nobody is told here: the worker asks the selected."""

    def work(session, dims, lib, now, lottery):
        return selection.select_panel(
            session, dims, lib, panel=panel or lottery.panel,
            reserves=lottery.reserves if reserves is None else reserves, seed=seed,
            again=again, now=now, close_now=close_now, zone=current().settings.timezone)

    drawn = _draw(work, report_path)
    for line in drawn.closed:
        click.echo(f"registration closed now: {line}; no code registers any more")
    click.echo(f"{len(drawn.chosen)} selected, {len(drawn.reserves)} reserve(s); the worker "
               "asks the selected to confirm")
    _warn_whatsapp(drawn.chosen)


@click.command("replace")
@click.option("--seed", default=None,
              help="the published seed (default: the selection's, with /replace-N)")
@_REPORT
def replace_command(seed: str | None, report_path: Path | None) -> None:
    """Fill the places left by people who declined, did not answer or dropped out from
    the remaining pool, keeping every target that can still be kept and saying which cannot."""

    def work(session, dims, lib, now, lottery):
        return selection.replace(session, dims, lib, seed=seed, now=now)

    drawn = _draw(work, report_path)
    for line in drawn.relaxed:
        click.echo(f"target not kept: {line}")
    click.echo(f"{len(drawn.chosen)} newly selected; the worker asks them to confirm")
    _warn_whatsapp(drawn.chosen)


def _warn_whatsapp(chosen: list[int]) -> None:
    """WhatsApp lets a business write first only with an approved template, and the
    selected last wrote weeks ago: without TWILIO_WHATSAPP_TEMPLATE_SID their question is
    held, never sent (docs/twilio.md), and they would end as no_answer."""
    rt = current()
    if rt.settings.twilio_whatsapp_template_sid or not chosen:
        return
    with rt.sessions() as session:
        waiting = session.scalar(select(func.count()).select_from(Registrant).where(
            Registrant.id.in_(chosen), Registrant.channel == "whatsapp"))
    if waiting:
        click.echo(f"warning: {waiting} of them registered on WhatsApp, which takes a first "
                   "message only as an approved template: set TWILIO_WHATSAPP_TEMPLATE_SID "
                   "before the worker asks them (docs/twilio.md), or their question is held")
