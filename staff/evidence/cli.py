"""`outreach evidence-pack --out FILE.html [--language pl]`: the pack, written from the
database, with its fixed text in any offered language."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

import assembly
from bot.runtime import current
from staff import audit
from staff.evidence import pack, wording


@click.command("evidence-pack")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="the HTML file to write (one self-contained page)")
@click.option("--language", "lang", default="en", show_default=True,
              type=click.Choice(wording.offered()),
              help="the language of the pack's own words (quotes stay as written, with their "
                   "English)")
@with_appcontext
def evidence_pack(out: Path, lang: str) -> None:
    """Write the evidence pack for assembly members: one HTML file that opens offline and
    prints on A4. Small numbers are suppressed and quotes redacted (docs/evidence-pack.md)."""
    rt = current()
    now = rt.now()
    try:  # the assembly file's problems, each FILE:LINE, instead of a traceback
        chosen = assembly.load(rt.settings.assembly_file)
    except assembly.AssemblyError as exc:
        raise click.ClickException(f"ASSEMBLY_FILE:\n{exc}") from exc
    with rt.sessions() as session:
        data = pack.build(session, now, rt.settings.timezone, assembly=chosen, lang=lang,
                          catalogs=rt.catalogs)
    out.write_text(pack.render(data), encoding="utf-8")
    kind = "draft" if data["draft"] else "final"
    audit.record_now(rt.sessions, audit.PACK_MADE, now, actor=audit.cli_actor(),
                     detail=f"{kind} pack" + ("" if lang == "en" else f" ({lang})"))
    click.echo(f"Wrote a {kind} pack: {out} ({out.stat().st_size // 1024} KB).")
    if data["draft"]:
        waiting = sum(not q["approved"] for q in data["quotes"])
        click.echo(f"Draft: {waiting} of {len(data['quotes'])} quotes not yet reviewed; "
                   f"approve or exclude them at /staff/quotes before sharing it.")
