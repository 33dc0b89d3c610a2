"""Signing in and out of the staff area: the sign-in form (throttled, audited, a new session
and device cookie at each sign-in) and signing out (the session ends on the server too)."""

from __future__ import annotations

from flask import Blueprint, g, redirect, render_template, request, url_for

from bot.runtime import current
from staff import accounts, audit, guard, throttle
from store.db import transaction


def add_routes(bp: Blueprint) -> None:
    """/staff/login and /staff/logout (open to all: they carry no role decorator)."""
    bp.add_url_rule("/login", view_func=login, methods=["GET", "POST"])
    bp.add_url_rule("/logout", view_func=logout, methods=["POST"])


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
