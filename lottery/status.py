"""`outreach lottery status`: where the lottery stands, as text: the staff page's tables
(lottery/standing.py), the same figures and the same suppression, for a terminal or a
scheduled e-mail. No name, phone number or code."""

from __future__ import annotations

import textwrap

import click
from flask.cli import with_appcontext

import assembly
from bot import suppress
from bot.runtime import current
from lottery import standing
from staff.board_tables import Table


@click.command("status")
@with_appcontext
def status_command() -> None:
    """Registrations against the targets, by ward of the letters, and the panel
    (docs/lottery.md); counts under 5 read "fewer than 5"."""
    rt = current()
    found = assembly.load(rt.settings.assembly_file)
    with rt.sessions() as session:
        now = standing.build(session, found.lottery, found.place, rt.settings.timezone,
                             rt.now())
    click.echo(render(now))


def render(found: standing.Standing) -> str:
    """The standing as plain text, one block per table."""
    if not found.draws:
        return "No letters have been drawn yet: outreach lottery invite (docs/lottery.md)."
    lines = [f"Registration {'open' if found.open else 'closed'}; registered: "
             f"{found.total_text}. Counts from 1 to {suppress.THRESHOLD - 1} read "
             f"\"{suppress.FEWER}\"; one that subtraction would give away, "
             f"\"{suppress.HIDDEN}\"."]
    for table in standing.tables(found).values():
        lines += ["", table.title, *_aligned(table)]
        if not table.rows:
            lines.append("  (none yet)")
        if table.name == "panel":
            lines += ["", *textwrap.wrap(found.panel.note, 88)]
    return "\n".join(lines)


def _aligned(table: Table) -> list[str]:
    """The table's columns padded to line up, counts to the right."""
    if not table.rows:
        return []
    rows = [table.columns, *table.rows]
    widths = [max(len(row[i]) for row in rows) for i in range(len(table.columns))]
    right = [all(_count_like(row[i]) for row in table.rows) for i in range(len(widths))]
    return ["  " + "  ".join(cell.rjust(w) if r else cell.ljust(w)
                             for cell, w, r in zip(row, widths, right, strict=True)).rstrip()
            for row in rows]


def _count_like(text: str) -> bool:
    """A count as shown, a number or a share: what reads best aligned to the right."""
    return text in ("", suppress.FEWER, suppress.HIDDEN, suppress.NONE) or text.replace(
        ",", "").replace(".", "").rstrip("%").isdigit() or text.startswith("under ")
