"""The admin's pages: staff users (roles, disabling, unblocking) and the audit log (a page at
a time, filtered, or as CSV)."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, g, redirect, render_template, request, url_for

from bot.runtime import current
from staff import accounts, audit, exports, guard, writers
from store.db import transaction

# `/staff/users?error=KEY`: the page shows only these words (an unknown key, nothing), never
# text from the URL, which anyone could write into a link.
USER_ERRORS = {
    "self": "You cannot change your own access.",
    "unknown": "There is no staff user with that email address.",
    "email": "That is not an email address.",
    "role": f"A role is one of: {', '.join(accounts.ROLES)}.",
    "refused": "That change cannot be made.",
}


def add_routes(bp: Blueprint) -> None:
    """/staff/users, /staff/users/change, /staff/audit and /staff/audit.csv."""
    bp.add_url_rule("/users", view_func=users, methods=["GET"])
    bp.add_url_rule("/users/change", view_func=change_user, methods=["POST"])
    bp.add_url_rule("/audit", view_func=audit_log, methods=["GET"])
    bp.add_url_rule("/audit.csv", view_func=audit_csv, methods=["GET"])


@guard.admin_required
def users():
    """Staff users, their roles, and forms to change a role or disable a user."""
    with current().sessions() as db:
        listed = [{"email": u.email, "role": u.role, "disabled": u.disabled_at is not None}
                  for u in accounts.listing(db)]
    return render_template("staff/users.html", title="Staff users", users=listed,
                           roles=accounts.ROLES, me=g.staff.email,
                           error=USER_ERRORS.get(request.args.get("error", "")))


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
