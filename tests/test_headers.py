"""Security headers on every response the app gives: each route in its URL map (signed in
as an admin, with an API token), a 404, a 405, a missing static file, /healthz, the
calendar and the API. One hook sets them (app.py), so a new route carries them too."""

from __future__ import annotations

import re

import pytest

from staff import accounts
from store.db import transaction
from tests.helpers.members import import_members
from tests.helpers.staff import add_alert, add_user, csrf, sign_in

ADMIN = "admin@example.org"
ARGUMENT = re.compile(r"<(?:\w+(?:\([^)]*\))?:)?(\w+)>")
STATIC = ("static", "staff.static")  # the stylesheet may be cached: it holds nobody's data


@pytest.fixture
def admin(app, rt, surveys):
    """An admin's browser and API token, a member with a calendar, an alert."""
    add_user(rt, ADMIN, "admin")
    client = app.test_client()
    assert sign_in(client, ADMIN).status_code == 303
    with transaction(rt.sessions) as session:
        client.api_token = accounts.issue_token(session, ADMIN, rt.now(), ADMIN)
    [member] = import_members(rt, "Ana Pop,+40712345678,,ro,sms,")
    client.real = {"token": member.token, "alert_id": str(add_alert(rt)), "slug": "demo",
                   "answer_id": "1", "filename": "staff.css", "name": "heard"}
    return client


def _calls(app, real: dict) -> list[tuple[str, str, str]]:
    """(endpoint, method, path) for every route, with real values in its arguments."""
    calls = [(rule.endpoint, method, ARGUMENT.sub(lambda m: real[m.group(1)], rule.rule))
             for rule in app.url_map.iter_rules()
             for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    calls += [("404", "GET", "/no-such-page"), ("405", "DELETE", "/healthz"),
              ("405", "GET", "/staff/logout"), ("static 404", "GET", "/staff/static/none.css"),
              ("calendar 404", "GET", "/m/not-a-token.ics"),
              ("api 401", "GET", "/api/v1/responses"),
              *((f"export {kind}", "GET", f"/staff/export?survey=demo&format={kind}")
                for kind in ("csv", "xlsx", "jsonl")),
              ("api page", "GET", "/api/v1/responses?survey=demo")]
    return sorted(calls, key=lambda call: call[0] == "staff.logout")  # signing out: last


def test_every_response_carries_the_security_headers(app, admin):
    answered, token = {}, csrf(admin, "/staff/users")
    for endpoint, method, path in _calls(app, admin.real):
        data = {"csrf_token": token} if method == "POST" else None
        bearer = admin.api_token if endpoint != "api 401" else "wrong"
        response = admin.open(path, method=method, data=data,
                              headers={"Authorization": f"Bearer {bearer}"})
        answered[endpoint, method] = response.status_code
        headers, where = response.headers, (method, path, response.status_code)
        csp = headers.get("Content-Security-Policy", "")
        assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp, where
        assert "script-src" not in csp, where
        assert headers.get("X-Content-Type-Options") == "nosniff", where
        assert headers.get("Referrer-Policy") == "same-origin", where
        assert headers.get("X-Frame-Options") == "DENY", where
        if endpoint in STATIC and response.status_code == 200:
            assert "no-store" not in headers.get("Cache-Control", ""), where
        else:
            assert headers.get("Cache-Control") == "no-store", where
        assert headers.get("Content-Type", "").lower().count("charset") <= 1, where
    # The walk reached the pages themselves, not only redirects and refusals.
    for reached in [("healthz", "GET"), ("calendar.member_calendar", "GET"),
                    ("api.responses", "GET"), ("staff.users", "GET"),
                    ("staff.export_download", "GET"), ("web.show", "GET"), ("404", "GET"),
                    ("405", "DELETE"), ("static 404", "GET"), ("staff.static", "GET")]:
        assert answered[reached] in (200, 400, 404, 405), (reached, answered[reached])
    assert answered["calendar.member_calendar", "GET"] == 200
    assert [answered[f"export {kind}", "GET"] for kind in ("csv", "xlsx", "jsonl")] == [200] * 3
    assert answered["api page", "GET"] == 200
    assert answered["staff.users", "GET"] == 200 and answered["405", "DELETE"] == 405


def test_the_web_forms_inline_style_is_the_only_inline_allowance(app, admin):
    form = admin.get("/s/demo").headers["Content-Security-Policy"]
    staff = admin.get("/staff/users").headers["Content-Security-Policy"]
    assert "style-src 'unsafe-inline'" in form
    assert "unsafe-inline" not in staff and "style-src 'self'" in staff
