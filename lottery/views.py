"""The staff page of the civic lottery, `/staff/lottery` (roles admin and analyst): where
registration stands against the reviewed targets while it is open, where letters brought
few registrations, and the panel's state once people are selected; each table also as CSV
(`/staff/lottery/<name>.csv`), its counts as the page shows them. A staff page like the
others (staff/views.share: sign-in, navigation), on a blueprint of its own that
lottery.init_app registers. The figures are lottery/standing.py's; no name, phone number
or code is on the page."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template

import assembly
from bot.runtime import current
from lottery import standing
from staff import guard, views, writers


def blueprint() -> Blueprint:
    """A new blueprint (one per app) with the page and its downloads."""
    bp = Blueprint("staff_lottery", __name__, url_prefix="/staff/lottery",
                   template_folder="templates")
    views.share(bp)
    bp.add_url_rule("", view_func=page, methods=["GET"])
    bp.add_url_rule("/<name>.csv", view_func=table_csv, methods=["GET"])
    return bp


def _standing():
    rt = current()
    found = assembly.load(rt.settings.assembly_file)
    with rt.sessions() as db:
        return standing.build(db, found.lottery, found.place, rt.settings.timezone, rt.now())


@guard.analyst_required
def page():
    """Registrations against targets, by ward of the letters, and the panel."""
    found = _standing()
    return render_template("lottery.html", title="The civic lottery", standing=found,
                           tables=standing.tables(found))


@guard.analyst_required
def table_csv(name: str):
    """One of the page's tables as CSV, exactly as shown there."""
    table = standing.tables(_standing()).get(name)
    if table is None:
        abort(404)
    body = "".join(writers.csv_text(table.columns, table.records()))
    file = f"lottery-{name}-{current().now():%Y%m%d}"
    return Response(body.encode("utf-8"), content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{file}.csv"'})
