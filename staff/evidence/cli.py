"""`outreach evidence-pack --out FILE.html`: the pack, written from the database."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from bot.runtime import current
from staff.evidence import pack


@click.command("evidence-pack")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="the HTML file to write (one self-contained page)")
@with_appcontext
def evidence_pack(out: Path) -> None:
    """Write the evidence pack for assembly members: one HTML file that opens offline and
    prints on A4. Small numbers are suppressed and quotes redacted (docs/evidence-pack.md)."""
    rt = current()
    with rt.sessions() as session:
        written = pack.write(session, rt.now(), rt.settings.timezone, out)
    click.echo(f"Wrote {written} ({written.stat().st_size // 1024} KB). Read the quotes "
               f"before sharing it: no program catches every name.")
