"""`outreach lottery close` and `outreach lottery drop-out`: the end of the lottery for those
it did not choose, and a place given back by someone it did.

Asking the selected, their YES or NO and the kind word to the not selected are the bot's
(bot/selection.py: the worker sends them); these commands only change registrants' status.
Registrants are named by their number (R0012), never by name, phone or code.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

import click
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.members import removal
from bot.runtime import current
from store.db import transaction
from store.models import Member, Registrant, Run

STILL_IN_POOL = ("registered", "reserve")  # whom `close` tells they were not selected
MAY_DROP_OUT = ("confirmed", "selected")


def close(session: Session, now: datetime) -> Counter:
    """Everyone still registered or a reserve becomes not_selected (the worker tells each
    once); how many of each were."""
    before = Counter(dict(session.execute(select(Registrant.status, func.count()).where(
        Registrant.status.in_(STILL_IN_POOL)).group_by(Registrant.status)).all()))
    session.execute(update(Registrant).where(Registrant.status.in_(STILL_IN_POOL)).values(
        status="not_selected", status_at=now))
    return before


def unsettled(session: Session) -> tuple[int, int]:
    """What closing now would cut short: how many selected still owe their answer (asked or
    still to be asked), and how many of the panel's places nobody holds or is asked for (the
    last selection's panel less those selected or confirmed), which `outreach lottery
    replace` could still fill from the registered and the reserves."""
    counts = Counter(dict(session.execute(select(Registrant.status, func.count()).where(
        Registrant.status.in_(("selected", "confirmed"))).group_by(Registrant.status)).all()))
    first = session.scalar(select(Run).where(Run.kind == "select").order_by(Run.id.desc()))
    places = max(0, first.wanted - counts["selected"] - counts["confirmed"]) if first else 0
    return counts["selected"], places


def drop_out(session: Session, registrant: Registrant, now: datetime) -> int:
    """A selected or confirmed registrant who cannot come after all: dropped, and taken
    off the roster as `outreach members remove` does. How many queued messages were
    cancelled."""
    if registrant.status not in MAY_DROP_OUT:
        raise click.ClickException(
            f"{shown(registrant)} is {registrant.status.replace('_', ' ')}: only someone "
            "selected or confirmed can drop out")
    member = session.get(Member, registrant.member_id) if registrant.member_id else None
    cancelled = removal.remove_member(session, member, now) if member is not None else 0
    registrant.status, registrant.status_at = "dropped", now  # (removal marked it too)
    return cancelled


def shown(registrant: Registrant) -> str:
    """How staff see a registrant: their number, R0012."""
    return f"R{registrant.id:04d}"


def find(session: Session, given: str) -> Registrant:
    """A registrant by number (R0012, R12 or 12); ClickException else."""
    number = given.strip().upper().removeprefix("R")
    found = session.get(Registrant, int(number)) if number.isdigit() else None
    if found is None:
        raise click.ClickException(f"no registrant {given!r} (registrants are numbered "
                                   "R0001, R0002, …)")
    return found


@click.command("close")
@click.option("--yes", "sure", is_flag=True,
              help="Close even though some selected have not answered or places are left.")
def close_command(sure: bool) -> None:
    """Close the lottery: everyone still registered or a reserve is not selected. The
    worker tells each once, kindly, in their language; nothing more is sent to them.
    Refused while anyone selected still owes their answer or places are left to fill
    (closing takes away the pool `outreach lottery replace` draws from), unless --yes."""
    rt = current()
    with transaction(rt.sessions) as session:
        pool = Counter(dict(session.execute(select(Registrant.status, func.count()).where(
            Registrant.status.in_(STILL_IN_POOL)).group_by(Registrant.status)).all()))
        waiting, places = unsettled(session)
    click.echo(f"closing marks {pool['registered']} registered and {pool['reserve']} "
               "reserve(s) not selected; the worker then tells each of them once, outside "
               "quiet hours, and nothing more is sent to them")
    if (waiting or places) and not sure:
        raise click.ClickException(
            f"not closed: {waiting} selected still to answer and {places} place(s) left "
            "to fill; once closed, `outreach lottery replace` has nobody to draw from. "
            "Wait for their answers and replace first, or close anyway with --yes")
    with transaction(rt.sessions) as session:
        counts = close(session, rt.now())
        panel = Counter(dict(session.execute(select(Registrant.status, func.count()).where(
            Registrant.status.in_(("selected", "confirmed"))).group_by(
            Registrant.status)).all()))
    click.echo(f"{counts['registered']} registered and {counts['reserve']} reserve(s) are now "
               "not selected: the worker tells each of them once, outside quiet hours")
    click.echo(f"the panel: {panel['confirmed']} confirmed, {panel['selected']} asked or "
               "still to be asked")


@click.command("drop-out")
@click.argument("registrant")
def drop_out_command(registrant: str) -> None:
    """A selected or confirmed REGISTRANT (R0012) who can no longer come: marked dropped
    and taken off the members' roster; `outreach lottery replace` fills the place."""
    rt = current()
    with transaction(rt.sessions) as session:
        found = find(session, registrant)
        was_member = found.member_id is not None
        cancelled = drop_out(session, found, rt.now())
        who = shown(found)
    more = f"; off the roster, {cancelled} queued message(s) cancelled" if was_member else ""
    click.echo(f"{who} dropped out{more}. `outreach lottery replace` fills the place.")


COMMANDS = (close_command, drop_out_command)
