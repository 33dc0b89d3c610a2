"""The staff pages under /staff: sign-in and out, the dashboard, the alerts queue, members'
check-ins, users and the audit log. Each view checks its role with one decorator
(staff/guard.py), asks a query module for plain data and renders a template."""

from __future__ import annotations

import re
import secrets
from datetime import date

from flask import Blueprint, Response, g, redirect, render_template, request, url_for

from bot import alerts, spool, suppress
from bot.quiet import QuietHours
from bot.runtime import current
from staff import accounts, audit, dashboard, exports, guard, members, queue, throttle, writers
from staff.evidence import review
from store.db import transaction
from store.models import Alert

bp = Blueprint("staff", __name__, url_prefix="/staff", template_folder="templates",
               static_folder="static")
bp.before_request(guard.load)
bp.after_request(guard.after)
bp.add_app_template_filter(suppress.count_text, "people")
bp.add_app_template_global(suppress.THRESHOLD, "threshold")
# `/staff/users?error=KEY`: the page shows only these words (an unknown key, nothing), never
# text from the URL, which anyone could write into a link.
USER_ERRORS = {
    "self": "You cannot change your own access.",
    "unknown": "There is no staff user with that email address.",
    "email": "That is not an email address.",
    "role": f"A role is one of: {', '.join(accounts.ROLES)}.",
    "refused": "That change cannot be made.",
}


@bp.app_template_filter("local")
def _local(when, form: str = "%a %d %b %Y, %H:%M") -> str:
    """A stored UTC time in the service's time zone (`form`: strftime's)."""
    return when.astimezone(current().settings.timezone).strftime(form)


@bp.context_processor
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


@bp.errorhandler(400)
def _bad_form(_error):
    return render_template("staff/bad_form.html", title="This form cannot be used"), 400


# Signing in and out ------------------------------------------------------------------------


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The sign-in form; a right email and password start a session and go to /staff/."""
    if request.method == "GET":
        return _login_page(expired=bool(request.args.get("expired")))
    rt = current()
    now = rt.now()
    email = accounts.normal_email(request.form.get("email", ""))[:255]
    password = request.form.get("password", "")
    address = guard.client_address()
    with rt.sessions() as db:  # an email that is no staff user is counted by address only
        found = accounts.find(db, email) if email else None
        staff = found is not None
        device = guard.device_for(db, found, now) if found else None
    limits = throttle.keys(email, address, device, staff)
    with transaction(rt.sessions) as db:  # counted, and committed, before the check
        wait = throttle.attempt(db, limits, now)
        if wait is not None:
            audit.tally(db, audit.SIGNIN_THROTTLED, now, email=email, address=address,
                        device=device)
    if wait is not None:
        page, _ = _login_page(email=email, throttled=wait)
        return page, 429, {"Retry-After": str(wait)}
    with transaction(rt.sessions) as db:
        user = accounts.authenticate(db, email, password) if email and password else None
        if user is None:
            audit.tally(db, audit.SIGNIN_FAILED, now, email=email, address=address,
                        device=device)
        else:
            throttle.succeeded(db, limits)
            token = guard.start(db, user, now)
            device, cookie = guard.new_device(user, now)
            audit.record(db, audit.SIGNIN, now, email=user.email, actor=user.email,
                         address=address, device=device)
    if user is None:
        return _login_page(email=email, failed=True)
    response = redirect(url_for("staff.dashboard_page"), 303)
    guard.set_session_cookies(response, token, cookie)
    return response


def _login_page(email: str = "", failed: bool = False, throttled: int | None = None,
                expired: bool = False):
    return render_template("staff/login.html", title="Sign in", email=email, failed=failed,
                           throttled=throttled, expired=expired), 200


@bp.post("/logout")
def logout():
    """End the session (on the server too) and go back to the sign-in form."""
    rt = current()
    with transaction(rt.sessions) as db:
        guard.end(db, request.cookies.get(guard.SESSION_COOKIE))
        if g.staff is not None:
            audit.record(db, audit.SIGNOUT, rt.now(), email=g.staff.email, actor=g.staff.email,
                         address=guard.client_address())
    response = redirect(url_for("staff.login"), 303)
    guard.clear_session_cookie(response)
    return response


# Pages -------------------------------------------------------------------------------------


@bp.get("/")
@guard.analyst_required
def dashboard_page():
    """Responses, completion, representativeness, reach, RSVPs, deliveries and opt-outs."""
    rt = current()
    with rt.sessions() as db:
        board = dashboard.build(db, request.args.get("survey"), rt.settings.default_survey,
                                rt.settings.timezone, rt.now(), rt.member_rules.rsvp_chase_days)
    # What must be put right before people are asked anything: an admin can set it.
    warnings = spool.warnings(rt.settings) if guard.may(g.staff, "admin") else []
    return render_template("staff/dashboard.html", title="Dashboard", board=board,
                           warnings=warnings)


@bp.get("/alerts")
@guard.wellbeing_required
def alerts_page():
    """Safeguarding and wellbeing alerts: waiting ones first (how long each has waited,
    overdue marked), then the acknowledged."""
    rt = current()
    done = request.args.get("done", type=int)
    with rt.sessions() as db:
        found = queue.queue(db, rt.settings, rt.now())
        if done is not None:  # said only of an alert that is acknowledged
            alert = db.get(Alert, done) if 0 < done < 2**31 else None
            done = done if alert is not None and alert.acked_at is not None else None
    return render_template("staff/alerts.html", title="Alerts", queue=found, done=done)


@bp.get("/alerts/<int:alert_id>")
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


@bp.post("/alerts/<int:alert_id>/ack")
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


@bp.get("/quotes")
@guard.analyst_required
def quotes_page():
    """The quotes the evidence pack would use, each to approve or exclude with a reason,
    and the decisions taken so far, each to change."""
    return _quotes_page(200, done=request.args.get("done", type=int))


def _quotes_page(status: int, *, done: int | None = None, error: str | None = None,
                 typed: dict[int, str] | None = None):
    rt = current()
    with rt.sessions() as db:
        found = review.quotes(db, rt.now(), rt.settings.timezone)
        decided = review.decided(db)
    return render_template("staff/quotes.html", title="Quotes for the evidence pack",
                           quotes=found, decided=decided, error=error, typed=typed or {},
                           done=done, rule=review.REASON_RULE), status


@bp.post("/quotes/<int:answer_id>")
@guard.analyst_required
def review_quote(answer_id: int):
    """Keep a decision on one quote, or change one taken, with its reason (and in the audit
    log). A refused decision draws the page again (400) with the reason as typed."""
    rt = current()
    now = rt.now()
    reason, error = request.form.get("reason", ""), None
    with transaction(rt.sessions) as db:  # the page is drawn after it ends (its nav reads)
        known = review.is_decided(db, answer_id) or answer_id in {
            q.answer_id for q in review.quotes(db, now, rt.settings.timezone)}
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


@bp.post("/alerts/<int:alert_id>/reply")
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


@bp.get("/check-ins")
@guard.wellbeing_required
def checkins():
    """Who to call, and each member's wellbeing check-in after each weekend."""
    rt = current()
    with rt.sessions() as db:
        found = members.check_ins(db, rt.member_rules, rt.settings.timezone)
    return render_template("staff/checkins.html", title="Members' check-ins", checkins=found)


@bp.get("/users")
@guard.admin_required
def users():
    """Staff users, their roles, and forms to change a role or disable a user."""
    with current().sessions() as db:
        listed = [{"email": u.email, "role": u.role, "disabled": u.disabled_at is not None}
                  for u in accounts.listing(db)]
    return render_template("staff/users.html", title="Staff users", users=listed,
                           roles=accounts.ROLES, me=g.staff.email,
                           error=USER_ERRORS.get(request.args.get("error", "")))


@bp.post("/users/change")
@guard.admin_required
def change_user():
    """Change a user's role, disable or enable them, or clear the wrong passwords holding
    back their sign-in (each in the audit log)."""
    rt = current()
    email, action = request.form.get("email", ""), request.form.get("action", "")
    now, actor = rt.now(), g.staff.email
    if accounts.normal_email(email) == actor:  # another admin must do it: one is always left
        return redirect(url_for("staff.users", error="self"), 303)
    try:
        with transaction(rt.sessions) as db:
            if action == "role":
                accounts.set_role(db, email, request.form.get("role", ""), now, actor)
            elif action == "disable":
                accounts.disable(db, email, now, actor)
            elif action == "enable":
                accounts.enable(db, email, now, actor)
            elif action == "unblock":
                accounts.unblock(db, email, now, actor)
    except accounts.AccountError as exc:
        key = exc.key if exc.key in USER_ERRORS else "refused"
        return redirect(url_for("staff.users", error=key), 303)
    return redirect(url_for("staff.users"), 303)


@bp.get("/audit")
@guard.admin_required
def audit_log():
    """The audit log a page at a time, newest first, filtered by kind, person and dates."""
    rt = current()
    filters = _audit_filters()
    with rt.sessions() as db:
        entries, more = audit.search(db, filters, rt.settings.timezone)
    return render_template("staff/audit.html", title="Audit log", entries=entries,
                           filters=filters, kinds=audit.KINDS, more=more,
                           problems=_audit_problems(filters),
                           query={k: v for k, v in request.args.items() if k != "page"})


@bp.get("/audit.csv")
@guard.admin_required
def audit_csv():
    """Every event the same filters find, as CSV (formula-like cells defused), streamed a
    chunk at a time; audited."""
    rt = current()
    filters, now = _audit_filters(), rt.now()
    problems = _audit_problems(filters)
    if problems:  # never the whole log in place of the days asked for
        return Response(" ".join(problems) + "\n", 400, content_type="text/plain; charset=utf-8")
    with transaction(rt.sessions) as db:
        found = audit.counted(db, filters, rt.settings.timezone)
        audit.record(db, audit.AUDIT_EXPORTED, now, email=g.staff.email, actor=g.staff.email,
                     address=guard.client_address(), detail=f"{found} row(s)")
    rows = ({"at": exports.iso(e.at), "event": e.event, "count": e.count, "email": e.email,
             "actor": e.actor, "address": e.address, "detail": e.detail}
            for e in audit.every(rt.sessions, filters, rt.settings.timezone))
    return Response(writers.csv_text(AUDIT_COLUMNS, rows), content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition":
                             f'attachment; filename="audit-{now:%Y%m%d}.csv"'})


AUDIT_COLUMNS = ("at", "event", "count", "email", "actor", "address", "detail")


def _audit_filters() -> audit.Filters:
    """The audit page's filters from the query string; what cannot be read is left out."""
    args = request.args
    kind = args.get("kind", "")
    return audit.Filters(kind=kind if kind in audit.KINDS else "",
                         person=args.get("person", "").strip()[:255],
                         since=_day(args.get("since")), until=_day(args.get("until")),
                         page=max(1, min(args.get("page", 1, type=int) or 1, 100_000)))


def _audit_problems(filters: audit.Filters) -> list[str]:
    """What in the filters could not be used, as the person reads it (a day left out is
    otherwise silently no filter at all)."""
    problems = [f"{label} “{request.args[key][:40]}” is not a day: write it as YYYY-MM-DD "
                "(for example 2026-12-07)."
                for key, label, day in (("since", "From", filters.since),
                                        ("until", "To", filters.until))
                if request.args.get(key) and day is None]
    if filters.since and filters.until and filters.since > filters.until:
        problems.append("The From day is after the To day.")
    return problems


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None
