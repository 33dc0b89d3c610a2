"""The responses API: `GET /api/v1/responses?survey=SLUG[&cursor=…]` with a bearer token.

`{"data": [one object per response, the export's columns], "next": URL or null}`, oldest
first (`&redact=1`: the redacted export's, docs/exports.md), `PAGE` at a time; the cursor
is the last response's id, so pages are stable while new responses arrive. 401 without a
valid token (`outreach staff token EMAIL` makes one), 403 for a role without exports.
Every page is written to the audit log, as an export is.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, g, request, url_for

from bot.runtime import current
from staff import audit, exports, guard
from staff.data_cli import export_detail
from staff.guard import json_error

bp = Blueprint("api", __name__, url_prefix="/api/v1")
PAGE = 500


@bp.get("/responses")
@guard.token_required(guard.ACCESS["analysis"], "read responses")
def responses():
    rt = current()
    now, staff = rt.now(), g.staff
    slug = request.args.get("survey", "")
    cursor = request.args.get("cursor", "0")
    status = request.args.get("status") or None
    redact = request.args.get("redact") or None
    if (not cursor.isdigit() or len(cursor) > 18 or status not in (None, *exports.STATUSES)
            or redact not in (None, "0", "1")):
        return json_error(400, "cursor must be the `next` link's, status complete or "
                               "partial, redact 0 or 1")
    with rt.sessions() as session:
        try:
            export = exports.plan(session, slug, rt.settings.secret_key,
                                  translating=rt.settings.translator != "none",
                                  redact=redact == "1")
        except exports.UnknownSurvey:
            return json_error(404, f"no survey {slug!r}")
        data, last = exports.page(session, export, after=int(cursor), limit=PAGE,
                                  status=status)
    audit.record_now(rt.sessions, audit.EXPORTED, now, email=staff.email, actor=staff.email,
                     address=request.remote_addr,
                     detail=export_detail(slug, "json", len(data), status=status, page=True,
                                          redacted=redact == "1"))
    # The address this caller used, port included (behind TRUSTED_PROXIES, with the scheme
    # the proxy was called with), so the link works wherever the API is reached from.
    following = (url_for("api.responses", survey=slug, cursor=last, status=status,
                         redact=redact, _external=True) if last is not None else None)
    # Not jsonify: it sorts keys, and each object's keys are the export's columns in order.
    return Response(json.dumps({"data": data, "next": following}, ensure_ascii=False),
                    mimetype="application/json")
