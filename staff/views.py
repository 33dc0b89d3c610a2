"""The staff pages under /staff: sign-in and out, the dashboard, the alerts queue, members'
check-ins, users and the audit log. Each view checks its role with one decorator
(staff/guard.py), asks a query module for plain data and renders a template."""

from __future__ import annotations

from flask import Blueprint, g, redirect, render_template, request, url_for

from bot import alerts
from bot.runtime import current
from staff import accounts, audit, dashboard, guard, members, queue, throttle
from staff.counts import people
from store.db import transaction

bp = Blueprint("staff", __name__, url_prefix="/staff", template_folder="templates",
               static_folder="static")
bp.before_request(guard.load)
bp.after_request(guard.after)
bp.add_app_template_filter(people, "people")
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
    return {"staff_csrf": guard.csrf_token if "staff_seed" in g else None,
            "staff_user": signed_in,
            "staff_pages": guard.pages_for(signed_in) if signed_in else []}


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
    address, device = guard.client_address(), guard.device_for(email)
    with transaction(rt.sessions) as db:
        wait = throttle.retry_after(db, email, address, device, now)
        if wait is not None:
            audit.record(db, audit.SIGNIN_THROTTLED, now, email=email, address=address,
                         device=device)
        else:
            user = accounts.authenticate(db, email, password) if email and password else None
            if user is None:
                audit.record(db, audit.SIGNIN_FAILED, now, email=email, address=address,
                             device=device)
            else:
                token = guard.start(db, user, now)
                device, cookie = guard.new_device(user.email)
                audit.record(db, audit.SIGNIN, now, email=user.email, actor=user.email,
                             address=address, device=device)
    if wait is not None:
        page, _ = _login_page(email=email, throttled=wait)
        return page, 429, {"Retry-After": str(wait)}
    if user is None:
        return _login_page(email=email, failed=True)
    response = redirect(url_for("staff.dashboard_page"), 303)
    guard.set_session_cookies(response, token, cookie)
    return response


def _login_page(email: str = "", failed: bool = False, throttled: int | None = None,
                expired: bool = False):
    minutes = -(-throttled // 60) if throttled else None
    return render_template("staff/login.html", title="Sign in", email=email, failed=failed,
                           throttled_minutes=minutes, expired=expired), 200


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
    warnings = rt.settings.warnings() if g.staff.role == "admin" else []
    return render_template("staff/dashboard.html", title="Dashboard", board=board,
                           warnings=warnings)


@bp.get("/alerts")
@guard.wellbeing_required
def alerts_page():
    """Safeguarding and wellbeing alerts: waiting ones first, then the acknowledged."""
    rt = current()
    with rt.sessions() as db:
        found = queue.queue(db, rt.settings.timezone, rt.settings.translator != "none")
    return render_template("staff/alerts.html", title="Alerts", queue=found,
                           done=request.args.get("done", type=int))


@bp.post("/alerts/<int:alert_id>/ack")
@guard.wellbeing_required
def acknowledge(alert_id: int):
    """Record that the signed-in person dealt with an alert, with their note."""
    rt = current()
    note = request.form.get("note", "").strip()[:2000] or None
    now = rt.now()
    try:
        with transaction(rt.sessions) as db:
            alerts.acknowledge(db, alert_id, g.staff.email, note, now)
            audit.record(db, audit.ALERT_ACKED, now, email=g.staff.email, actor=g.staff.email,
                         address=guard.client_address(), detail=f"alert #{alert_id}")
    except alerts.UnknownAlert:
        return render_template("staff/not_found.html", title="No such alert"), 404
    except alerts.CannotDo:  # acknowledged already (a double click): the queue shows by whom
        pass
    return redirect(url_for("staff.alerts_page", done=alert_id) + f"#alert-{alert_id}", 303)


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
    """Change a user's role, disable or enable them (each in the audit log)."""
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
    except accounts.AccountError as exc:
        key = exc.key if exc.key in USER_ERRORS else "refused"
        return redirect(url_for("staff.users", error=key), 303)
    return redirect(url_for("staff.users"), 303)


@bp.get("/audit")
@guard.admin_required
def audit_log():
    """The newest audit events."""
    with current().sessions() as db:
        entries = audit.recent(db)
    return render_template("staff/audit.html", title="Audit log", entries=entries)
