"""What analysts take away from the staff area: exports of responses (`/staff/export`, as
the CLI writes them) and the evidence pack, each audited. Pages on the staff blueprint,
added by `add_routes`."""

from __future__ import annotations

import tempfile

from flask import (
    Blueprint,
    Response,
    abort,
    g,
    render_template,
    request,
    send_file,
    stream_with_context,
)

import assembly
from bot.runtime import current
from staff import audit, exports, guard, writers
from staff.data_cli import export_detail
from staff.evidence import pack, wording
from translations import data as language_files

TYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson; charset=utf-8",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def add_routes(bp: Blueprint) -> None:
    """/staff/exports, /staff/export and /staff/evidence-pack on the staff blueprint."""
    bp.add_url_rule("/exports", view_func=exports_page, methods=["GET"])
    bp.add_url_rule("/export", view_func=export_download, methods=["GET"])
    bp.add_url_rule("/evidence-pack", view_func=evidence_pack_download, methods=["GET"])


@guard.analyst_required
def exports_page():
    """Every survey with how many responses it holds, a download per format, and the pack."""
    with current().sessions() as session:
        surveys = exports.surveys(session)
    return render_template("staff/exports.html", title="Exports and the evidence pack",
                           surveys=surveys, formats=writers.FORMATS,
                           languages=[lang for lang in language_files.languages()
                                      if lang.code in wording.offered()])


@guard.analyst_required
def export_download():
    """`?survey=SLUG&format=csv|xlsx|jsonl[&status=complete|partial][&redact=1]`: the export
    as a file, streamed (CSV, JSONL) or written in constant memory first (XLSX)."""
    rt = current()
    slug, kind = request.args.get("survey", ""), request.args.get("format", "csv")
    status = request.args.get("status") or None
    redact = request.args.get("redact", "0")
    if (kind not in writers.FORMATS or status not in (None, *exports.STATUSES)
            or redact not in ("0", "1")):
        abort(400)
    with rt.sessions() as session:
        try:
            export = exports.plan(session, slug, rt.settings.secret_key,
                                  translating=rt.settings.translator != "none",
                                  redact=redact == "1")
        except exports.UnknownSurvey:
            abort(404)
        count = exports.count(session, export, status)
    now = rt.now()
    audit.record_now(rt.sessions, audit.EXPORTED, now, email=g.staff.email,
                     actor=g.staff.email, address=guard.client_address(),
                     detail=export_detail(slug, kind, count, status=status,
                                          redacted=redact == "1"))
    name = f"{slug}-{now:%Y%m%d-%H%M}{'-redacted' if redact == '1' else ''}.{kind}"
    found = exports.rows(rt.sessions, export, status=status)
    if kind == "xlsx":
        spool = tempfile.TemporaryFile()
        writers.write_xlsx(export.columns, found, spool, title=slug)
        spool.seek(0)
        return send_file(spool, mimetype=TYPES[kind], as_attachment=True, download_name=name)
    text = (writers.csv_text(export.columns, found) if kind == "csv"
            else writers.jsonl_text(found))
    body = stream_with_context(piece.encode("utf-8") for piece in text)
    return Response(body, content_type=TYPES[kind],  # as written: the charset said once
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@guard.analyst_required
def evidence_pack_download():
    """The evidence pack as the CLI writes it: one HTML file to read, check and share;
    `?language=pl` for its words in another offered language (400 for one not offered)."""
    rt = current()
    now = rt.now()
    lang = request.args.get("language") or "en"
    if lang not in wording.offered():
        abort(400)
    with rt.sessions() as session:
        page = pack.render(pack.build(session, now, rt.settings.timezone,
                                      assembly=assembly.load(rt.settings.assembly_file),
                                      lang=lang, catalogs=rt.catalogs))
    audit.record_now(rt.sessions, audit.PACK_MADE, now, email=g.staff.email,
                     actor=g.staff.email, address=guard.client_address())
    name = f"evidence-pack-{now:%Y%m%d}{'' if lang == 'en' else '-' + lang}.html"
    return Response(page, mimetype="text/html", headers={  # werkzeug adds the charset
        "Content-Disposition": f'attachment; filename="{name}"'})
