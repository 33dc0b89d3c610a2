"""The staff pages under /staff: the blueprint they share (`blueprint`: hooks, filters, the
error page), and the dashboard, the alerts queue, quotes and members' check-ins. Sign-in is
in signin.py, the admin's pages in administration.py, downloads in downloads.py; each module
adds its pages with `add_routes`, called by staff.init_app. Each view checks its role with
one decorator (staff/guard.py), asks a query module for plain data and renders a template."""

from __future__ import annotations

import re
import secrets

from flask import Blueprint, Response, abort, g, redirect, render_template, request, url_for

import assembly
from bot import alerts, spool, suppress
from bot.quiet import QuietHours
from bot.runtime import current
from staff import audit, board_tables, dashboard, guard, heard, members, queue, writers
from staff.evidence import review
from store.db import transaction


def blueprint() -> Blueprint:
    """A new staff blueprint (one per app): the session and CSRF hooks, the templates'
    filters and globals, the error page; the pages are added by each module's add_routes."""
    bp = Blueprint("staff", __name__, url_prefix="/staff", template_folder="templates",
                   static_folder="static")
    share(bp)
    bp.add_app_template_filter(suppress.count_text, "people")
    bp.add_app_template_filter(heard.gaps, "heard_gaps")  # a comparison's gaps in words
    bp.add_app_template_filter(_local, "local")
    bp.add_app_template_global(suppress.THRESHOLD, "threshold")
    return bp


def share(bp: Blueprint) -> None:
    """What makes a blueprint's pages staff pages (this one's, or another package's under
    /staff, such as the lottery's): who is signed in and CSRF, the navigation, the error
    page for a refused form."""
    bp.before_request(guard.load)
    bp.after_request(guard.after)
    bp.context_processor(_globals)
    bp.register_error_handler(400, _bad_form)


def add_routes(bp: Blueprint) -> None:
    """The dashboard, alerts, quotes and check-ins pages."""
    bp.add_url_rule("/", view_func=dashboard_page, methods=["GET"])
    bp.add_url_rule("/dashboard/<name>.csv", view_func=dashboard_table, methods=["GET"])
    bp.add_url_rule("/alerts", view_func=alerts_page, methods=["GET"])
    bp.add_url_rule("/alerts/<int:alert_id>", view_func=alert_page, methods=["GET"])
    bp.add_url_rule("/alerts/<int:alert_id>/ack", view_func=acknowledge, methods=["POST"])
    bp.add_url_rule("/alerts/<int:alert_id>/reply", view_func=reply, methods=["POST"])
    bp.add_url_rule("/quotes", view_func=quotes_page, methods=["GET"])
    bp.add_url_rule("/quotes/<int:answer_id>", view_func=review_quote, methods=["POST"])
    bp.add_url_rule("/check-ins", view_func=checkins, methods=["GET"])


def _local(when, form: str = "%a %d %b %Y, %H:%M") -> str:
    """A stored UTC time in the service's time zone (`form`: strftime's)."""
    return when.astimezone(current().settings.timezone).strftime(form)


def _globals() -> dict:
    signed_in = g.get("staff")
    pages = guard.pages_for(signed_in) if signed_in else []
    if any(page["endpoint"] == "staff.alerts_page" for page in pages):  # they may see alerts
        with current().sessions() as db:
            waiting = alerts.waiting_count(db)
        for page in pages:
            if page["endpoint"] == "staff.alerts_page":
                page["count"] = waiting
    return {"staff_csrf": guard.csrf_token if "staff_seed" in g else None,
            "staff_user": signed_in, "staff_pages": pages}


def _bad_form(_error):
    return render_template("staff/bad_form.html", title="This form cannot be used"), 400


# Pages -------------------------------------------------------------------------------------


def _board():
    rt = current()
    with rt.sessions() as db:
        return dashboard.build(db, request.args.get("survey"), rt.settings.default_survey,
                               rt.settings.timezone, rt.now(), rt.member_rules.rsvp_chase_days,
                               dashboard.assembly_setting(rt.settings))


@guard.analyst_required
def dashboard_page():
    """Where to go next, responses, who has been heard from, how far people get, reach,
    RSVPs, deliveries and opt-outs."""
    board = _board()
    # What must be put right before people are asked anything: an admin can set it.
    warnings = spool.warnings(current().settings) if guard.may(g.staff, "admin") else []
    return render_template("staff/dashboard.html", title="Dashboard", board=board,
                           tables=board_tables.tables(board), warnings=warnings)


@guard.analyst_required
def dashboard_table(name: str):
    """One of the dashboard's tables as CSV (`?survey=SLUG` as on the page), its counts as
    shown there."""
    board = _board()
    table = board_tables.tables(board).get(name)
    if table is None:
        abort(404)
    file = f"{board.survey.slug if board.survey else 'dashboard'}-{name}-{current().now():%Y%m%d}"
    body = "".join(writers.csv_text(table.columns, table.records()))
    return Response(body.encode("utf-8"), content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{file}.csv"'})


@guard.wellbeing_required
def alerts_page():
    """Safeguarding and wellbeing alerts: waiting ones first (how long each has waited,
    overdue marked), then the acknowledged."""
    rt = current()
    done = request.args.get("done", type=int)
    with rt.sessions() as db:
        found = queue.queue(db, rt.settings, rt.now())
        if done is not None and not queue.acknowledged(db, done):  # said only then
            done = None
    return render_template("staff/alerts.html", title="Alerts", queue=found, done=done)


@guard.wellbeing_required
def alert_page(alert_id: int):
    """One alert: the conversation (never an anonymous survey's answers), a reply form,
    then the acknowledgement."""
    sent = request.args.get("sent")
    return _alert_page(alert_id, sent=sent if sent in _SENT else None)


_SENT = {"now": "Your reply is queued; the worker sends it now.",
         "later": "Your reply is queued: it is quiet hours, so it goes when they end.",
         "again": "That reply was already queued."}
_NONCE = re.compile(r"^[0-9a-f]{16,32}$")


def _alert_page(alert_id: int, status: int = 200, **shown):
    rt = current()
    try:
        with rt.sessions() as db:
            found = queue.detail(db, alert_id, rt.settings, rt.now())
    except alerts.UnknownAlert:
        return render_template("staff/not_found.html", title="No such alert"), 404
    return render_template("staff/alert.html", title=f"Alert #{alert_id}", detail=found,
                           nonce=secrets.token_hex(8), sent_message=_SENT.get(
                               shown.pop("sent", None) or ""), **shown), status


@guard.wellbeing_required
def acknowledge(alert_id: int):
    """Record that the signed-in person dealt with an alert: a note of what was done and a
    tick to confirm are both needed (a refused form keeps the note)."""
    rt = current()
    note = request.form.get("note", "").strip()[:2000]
    said = alerts.says_what_was_done(note)
    if not said or request.form.get("confirm") != "yes":
        return _alert_page(alert_id, 400, note=note, ack_error=(
            alerts.NOTE_NEEDED if not said else "Tick the box to confirm, then acknowledge."))
    now = rt.now()
    try:
        with transaction(rt.sessions) as db:
            alerts.acknowledge(db, alert_id, g.staff.email, note, now)
            audit.record(db, audit.ALERT_ACKED, now, email=g.staff.email, actor=g.staff.email,
                         address=guard.client_address(), detail=f"alert #{alert_id}")
    except alerts.UnknownAlert:
        return render_template("staff/not_found.html", title="No such alert"), 404
    except alerts.CannotDo as exc:
        return _alert_page(alert_id, 400, note=note, ack_error=str(exc))
    return redirect(url_for("staff.alerts_page", done=alert_id) + f"#alert-{alert_id}", 303)


@guard.analyst_required
def quotes_page():
    """The quotes the evidence pack would use, each to approve or exclude with a reason,
    and the decisions taken so far, each to change."""
    return _quotes_page(200, done=request.args.get("done", type=int))


def _quotes_page(status: int, *, done: int | None = None, error: str | None = None,
                 typed: dict[int, str] | None = None):
    rt = current()
    with rt.sessions() as db:
        found = review.quotes(db, rt.now(), rt.settings.timezone,
                              assembly.load(rt.settings.assembly_file))
        decided = review.decided(db)
    return render_template("staff/quotes.html", title="Quotes for the evidence pack",
                           quotes=found, decided=decided, error=error, typed=typed or {},
                           done=done, rule=review.REASON_RULE), status


@guard.analyst_required
def review_quote(answer_id: int):
    """Keep a decision on one quote, or change one taken, with its reason (and in the audit
    log). A refused decision draws the page again (400) with the reason as typed."""
    rt = current()
    now = rt.now()
    reason, error = request.form.get("reason", ""), None
    with transaction(rt.sessions) as db:  # the page is drawn after it ends (its nav reads)
        known = review.is_decided(db, answer_id) or answer_id in {
            q.answer_id for q in review.quotes(db, now, rt.settings.timezone,
                                               assembly.load(rt.settings.assembly_file))}
        try:
            if known:
                review.decide(db, answer_id, request.form.get("decision", ""), reason,
                              g.staff.email, now, address=guard.client_address())
        except review.ReviewError as exc:
            error = str(exc)
    if not known:
        return render_template("staff/not_found.html", title="No such quote"), 404
    if error:
        return _quotes_page(400, error=error, typed={answer_id: reason})
    return redirect(url_for("staff.quotes_page", done=answer_id) + f"#quote-{answer_id}", 303)


@guard.wellbeing_required
def reply(alert_id: int):
    """Write to the person behind an alert through the outbox, as `outreach alerts reply`
    does: inside quiet hours it waits for their end, unless "send now" on an urgent alert."""
    rt = current()
    text = request.form.get("text", "").strip()[:1600]
    nonce = request.form.get("nonce", "")
    if not text or not _NONCE.match(nonce):
        return _alert_page(alert_id, 400, reply_text=text,
                           reply_error="Write the message before sending it.")
    now = rt.now()
    try:
        with transaction(rt.sessions) as db:
            alert = alerts.get(db, alert_id)
            at_once = request.form.get("send_now") == "yes" and alerts.urgent(alert)
            quiet = None if at_once else QuietHours.from_settings(rt.settings)
            row, due = alerts.reply(db, alert, text, now, quiet, nonce=nonce)
            if row is not None:
                audit.record(db, audit.ALERT_REPLIED, now, email=g.staff.email,
                             actor=g.staff.email, address=guard.client_address(),
                             detail=f"alert #{alert_id}")
    except alerts.UnknownAlert:
        return render_template("staff/not_found.html", title="No such alert"), 404
    except alerts.CannotDo as exc:
        return _alert_page(alert_id, 400, reply_text=text, reply_error=str(exc))
    sent = "again" if row is None else "now" if due <= now else "later"
    return redirect(url_for("staff.alert_page", alert_id=alert_id, sent=sent), 303)


@guard.wellbeing_required
def checkins():
    """Who to call, and each member's wellbeing check-in after each weekend."""
    rt = current()
    with rt.sessions() as db:
        found = members.check_ins(db, rt.member_rules, rt.settings.timezone)
    return render_template("staff/checkins.html", title="Members' check-ins", checkins=found)


