"""Who is signed in, and what they may do: the staff session cookie, CSRF, the role
decorators.

The session cookie (`outreach_staff`, path /staff) holds a random token; the database keeps
its SHA-256 (`staff_sessions`), so signing out, disabling a user or changing their role ends
the session on the server, and a session ends after `STAFF_SESSION_IDLE` unused or
`STAFF_SESSION_MAX` in all. Cookies are HttpOnly, SameSite=Lax and Secure (unless
`STAFF_COOKIE_SECURE=false` for plain http in development).

Every form carries `csrf_token`, an HMAC of the session's token (before sign-in, of a random
value in the `outreach_staff_form` cookie): a page on another site cannot read it, so cannot
forge a form. A POST without it, or from another site (`Sec-Fetch-Site`, `Origin`), is
refused with 400 before any view runs.

Access is checked by one decorator, never inside a view: `admin_required`,
`analyst_required`, `wellbeing_required` for the pages, `token_required(roles)` for the API
(a bearer token), all reading one table of who may do what (`ACCESS`). Admins pass every one.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import ipaddress
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from flask import (
    Response,
    abort,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy import func, select

from bot.runtime import current
from staff import audit
from staff.accounts import Staff, check_token, digest, identity
from store.db import transaction
from store.models import AuditEvent, StaffSession, StaffUser

SESSION_COOKIE = "outreach_staff"
FORM_COOKIE = "outreach_staff_form"
DEVICE_COOKIE = "outreach_staff_device"
COOKIE_PATH = "/staff"
DEVICE_LIFETIME = timedelta(days=365)
TOUCH_EVERY = timedelta(minutes=1)  # how often a session's last use is written down
HOME = "staff.dashboard_page"


# The session -------------------------------------------------------------------------------


def load() -> None:
    """Before each staff request: who is signed in (`g.staff`), the CSRF seed, and for a
    POST the CSRF and same-site checks."""
    g.staff, g.staff_expired, g.staff_new_seed = None, False, None
    if request.endpoint == "staff.static":  # the stylesheet: nobody to look up
        return
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        _resume(token)
    if g.staff is None:
        g.staff_seed = request.cookies.get(FORM_COOKIE)
        if not g.staff_seed:
            g.staff_seed = g.staff_new_seed = secrets.token_urlsafe(32)
    if request.method == "POST" and not _posted_here():
        abort(400)


def _resume(token: str) -> None:
    rt = current()
    now, limits = rt.now(), rt.settings
    with transaction(rt.sessions) as db:
        row = db.scalar(select(StaffSession).where(StaffSession.token_hash == digest(token)))
        if row is None:
            return
        user: StaffUser = row.user
        if (user.disabled_at is not None or now - row.seen_at > limits.staff_session_idle
                or now - row.created_at > limits.staff_session_max):
            db.delete(row)
            g.staff_expired = True
            return
        if now - row.seen_at > TOUCH_EVERY:
            row.seen_at = now
        g.staff, g.staff_seed = identity(user), token


def start(db, user: StaffUser, now: datetime) -> str:
    """A new session for `user` (a new token at every sign-in: no fixation); its token."""
    token = secrets.token_urlsafe(32)
    db.add(StaffSession(token_hash=digest(token), user_id=user.id, created_at=now, seen_at=now))
    return token


def end(db, token: str | None) -> None:
    """Forget the session whose cookie holds `token`."""
    if token:
        for row in db.scalars(select(StaffSession).where(
                StaffSession.token_hash == digest(token))):
            db.delete(row)


def set_session_cookies(response: Response, token: str, device: str) -> None:
    """After a sign-in: the session cookie, this browser's device cookie, no form cookie."""
    _cookie(response, SESSION_COOKIE, token)
    _cookie(response, DEVICE_COOKIE, device, max_age=int(DEVICE_LIFETIME.total_seconds()))
    response.delete_cookie(FORM_COOKIE, path=COOKIE_PATH)


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path=COOKIE_PATH, httponly=True,
                           secure=current().settings.staff_cookie_secure, samesite="Lax")


def _cookie(response: Response, name: str, value: str, max_age: int | None = None) -> None:
    response.set_cookie(name, value, max_age=max_age, path=COOKIE_PATH, httponly=True,
                        secure=current().settings.staff_cookie_secure, samesite="Lax")


def after(response: Response) -> Response:
    """After each staff request: the form cookie when one was made (security headers are
    the app's, on every response: app.py)."""
    if g.get("staff_new_seed"):
        _cookie(response, FORM_COOKIE, g.staff_new_seed)
    return response


# Devices: browsers that signed in to an account before -------------------------------------
# The device cookie is `<random id>.<when it was made, encrypted>.<HMAC-SHA256>`, the HMAC
# over the id, the date, the account's email and a digest of its password hash: opaque
# (nothing in it can be read back, not even whose it is or when it was made), only this
# server can make one, and it stops working after a year, when the password is changed, or
# when the user is disabled (a cookie made before their last disabling never works again).


def _device_mac(device: str, issued: int, user: StaffUser) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    secret = hashlib.sha256(user.password_hash.encode()).hexdigest()
    return hmac.new(key, b"\0".join([b"staff-device", device.encode(), str(issued).encode(),
                                     user.email.encode(), secret.encode()]),
                    hashlib.sha256).hexdigest()


def _date_mask(device: str) -> int:
    key = current_app.config["SECRET_KEY"].encode()
    return int.from_bytes(hmac.new(key, b"staff-device-date\0" + device.encode(),
                                   hashlib.sha256).digest()[:8])


def device_for(db, user: StaffUser, now: datetime) -> str | None:
    """This browser's device id if it signed in to `user`'s account before, within a year,
    since their password was last set and since they were last disabled; else None."""
    device, _, rest = request.cookies.get(DEVICE_COOKIE, "").partition(".")
    sealed, _, mac = rest.partition(".")
    if len(device) != 16 or len(sealed) != 16 or not mac:
        return None
    try:
        issued = int(sealed, 16) ^ _date_mask(device)
    except ValueError:
        return None
    if not hmac.compare_digest(mac, _device_mac(device, issued, user)):
        return None
    made = datetime.fromtimestamp(issued, UTC)
    if user.disabled_at is not None or not now - DEVICE_LIFETIME < made <= now:
        return None
    disabled = db.scalar(select(func.max(AuditEvent.at)).where(
        AuditEvent.event == audit.USER_DISABLED, AuditEvent.email == user.email))
    return None if disabled is not None and made <= disabled else device


def new_device(user: StaffUser, now: datetime) -> tuple[str, str]:
    """(device id, cookie value) for this browser and account."""
    device, issued = secrets.token_hex(8), int(now.timestamp())
    sealed = f"{issued ^ _date_mask(device):016x}"
    return device, f"{device}.{sealed}.{_device_mac(device, issued, user)}"


# CSRF --------------------------------------------------------------------------------------


def csrf_token() -> str:
    """The token every staff form carries (a template global)."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, b"staff-csrf\0" + g.staff_seed.encode(), hashlib.sha256).hexdigest()


def _posted_here() -> bool:
    """Whether a POST came from one of our own pages: same site, right CSRF token."""
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        return False
    origin = request.headers.get("Origin")
    if origin is not None and urlsplit(origin).netloc not in _our_hosts():
        return False
    sent = request.form.get("csrf_token", "")
    return bool(sent) and hmac.compare_digest(sent, csrf_token())


def _our_hosts() -> set[str]:
    return {request.host, urlsplit(current().settings.public_base_url).netloc}


def client_address() -> str | None:
    """The browser's address: behind `TRUSTED_PROXIES` proxies, the one the outermost of
    them saw (werkzeug's ProxyFix, set up in create_app); else, or when that is not an IP
    address (X-Forwarded-For is whatever a client wrote), the connection's peer."""
    direct = request.environ.get("werkzeug.proxy_fix.orig", {}).get("REMOTE_ADDR")
    return _ip(request.remote_addr) or _ip(direct)


def _ip(text: str | None) -> str | None:
    """`text` as an IP address in its usual spelling, or None if it is not one (an IPv6
    scope such as `%eth0` is refused: it is not the browser's)."""
    try:
        found = ipaddress.ip_address((text or "").strip())
    except ValueError:
        return None
    return None if getattr(found, "scope_id", None) else str(found)


# Roles -------------------------------------------------------------------------------------


# Who may do what: the one table the pages' decorators and the API's read.
ACCESS = {
    "admin": ("admin",),  # users, the audit log
    "analysis": ("admin", "analyst"),  # the dashboard, quotes, exports, the pack, the API
    "wellbeing": ("admin", "wellbeing"),  # alerts, replies, members' check-ins
}


def page_required(roles: tuple[str, ...]) -> Callable:
    """A page's decorator: signed in (else to the sign-in form) with one of `roles` (else
    403 with the pages the role may open)."""
    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def guarded(*args, **kwargs):
            if g.staff is None:
                return redirect(url_for("staff.login", expired=1 if g.staff_expired else None))
            if g.staff.role not in roles:
                return refuse(g.staff)
            return view(*args, **kwargs)

        guarded.staff_roles = roles
        return guarded

    return decorator


def may(staff: Staff, what: str) -> bool:
    """Whether `staff`'s role may do `what` (a key of ACCESS): for what a page shows."""
    return staff.role in ACCESS[what]


admin_required = page_required(ACCESS["admin"])
analyst_required = page_required(ACCESS["analysis"])
wellbeing_required = page_required(ACCESS["wellbeing"])


def token_required(roles: tuple[str, ...], doing: str) -> Callable:
    """An API view's decorator: a valid bearer token (`g.staff`, its last use written down;
    else 401) of one of `roles` (else 403, "the ROLE role cannot `doing`"), as JSON."""
    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def guarded(*args, **kwargs):
            rt = current()
            with transaction(rt.sessions) as db:
                g.staff = check_token(db, request.headers.get("Authorization"), rt.now())
            if g.staff is None:
                return json_error(401, "a valid bearer token is needed: outreach staff token EMAIL")
            if g.staff.role not in roles:
                return json_error(403, f"the {g.staff.role} role cannot {doing}")
            return view(*args, **kwargs)

        guarded.staff_roles = roles
        return guarded

    return decorator


def json_error(status: int, message: str) -> Response:
    """The API's error: `{"error": message}` (a 401 says which scheme to use)."""
    response = jsonify(error=message)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="outreach"'
    return response

NAVIGATION = [("staff.dashboard_page", "Dashboard"), ("staff.alerts_page", "Alerts"),
              ("staff.checkins", "Check-ins"), ("staff.exports_page", "Exports"),
              ("staff.quotes_page", "Quotes"), ("staff_lottery.page", "Lottery"),
              ("staff.users", "Users"), ("staff.audit_log", "Audit log")]


def pages_for(staff: Staff) -> list[dict]:
    """The pages a role may open, for the navigation (read from the views' decorators)."""
    views = current_app.view_functions
    return [{"href": url_for(endpoint), "label": label, "endpoint": endpoint}
            for endpoint, label in NAVIGATION
            if staff.role in getattr(views.get(endpoint), "staff_roles", ())]


def refuse(staff: Staff):
    """403 with the pages this role may open; the staff home instead sends the user to the
    first of those (a wellbeing lead signs in to the alerts)."""
    pages = pages_for(staff)
    if request.endpoint == HOME and request.method == "GET" and pages:
        return redirect(pages[0]["href"], 303)
    return render_template("staff/refused.html", title="Not for your role",
                           pages=pages), 403
