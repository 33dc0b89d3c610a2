"""The staff area over HTTP (Flask's test client): signing in and out, cookies, CSRF,
throttling, roles, the pages' figures, and what an attacker gets (nothing)."""

from __future__ import annotations

import base64
import csv
import io
import re
import zlib
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app import create_app
from staff import audit, guard, throttle
from store.db import transaction
from store.models import Alert, AuditEvent, SigninLimit, StaffSession, StaffUser
from tests.helpers.staff import (
    PASSWORD,
    PHONE,
    add_alert,
    add_response,
    add_user,
    csrf,
    sign_in,
)
from tests.helpers.threads import together

ADMIN, ANALYST, LEAD = "admin@example.org", "officer@example.org", "lead@example.org"


@pytest.fixture
def users(rt):
    add_user(rt, ADMIN, "admin")
    add_user(rt, ANALYST, "analyst")
    add_user(rt, LEAD, "wellbeing")


@pytest.fixture
def client(app):
    return app.test_client()


def events(rt, event: str) -> list[AuditEvent]:
    with rt.sessions() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.event == event)))


def cookie_header(response, name: str) -> str:
    return next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(name + "="))


# Signing in ----------------------------------------------------------------------------------


def test_the_sign_in_form_has_email_password_and_a_hidden_csrf_token(client):
    page = client.get("/staff/login").get_data(as_text=True)
    assert 'name="email"' in page and 'name="password"' in page
    assert 'type="hidden" name="csrf_token"' in page
    assert '<label for="email">' in page and '<label for="password">' in page


def test_signing_in_redirects_to_the_staff_home_with_safe_cookies(rt, client, users):
    response = sign_in(client, ANALYST)
    assert response.status_code in (302, 303)
    assert response.headers["Location"].endswith("/staff/")
    session_cookie = cookie_header(response, guard.SESSION_COOKIE)
    for flag in ("Secure", "HttpOnly", "SameSite=Lax", "Path=/staff"):
        assert flag in session_cookie
    assert "Expires" not in session_cookie  # ends with the browser, and on the server earlier
    assert client.get("/staff/").status_code == 200
    [signin] = events(rt, "signin")
    assert signin.email == ANALYST and signin.address == "127.0.0.1"


def test_cookies_are_not_secure_only_when_configured_for_local_http(config, clock):
    from app import create_app
    app = create_app({**config, "STAFF_COOKIE_SECURE": "false"}, clock=clock)
    add_user(app.extensions["outreach"], ANALYST, "analyst")
    response = sign_in(app.test_client(), ANALYST)
    assert "Secure" not in cookie_header(response, guard.SESSION_COOKIE)
    assert "HttpOnly" in cookie_header(response, guard.SESSION_COOKIE)
    app.extensions["outreach"].engine.dispose()


def test_passwords_are_stored_as_argon2(rt, users):
    from staff.accounts import find
    with rt.sessions() as session:
        assert find(session, ADMIN).password_hash.startswith("$argon2id$")


@pytest.mark.parametrize("email, password", [
    (ANALYST, "wrong password here"), ("nobody@example.org", PASSWORD), (ANALYST, "")])
def test_a_wrong_email_or_password_signs_nobody_in_and_is_logged(rt, client, users, email,
                                                                 password):
    response = sign_in(client, email, password)
    assert response.status_code == 200
    assert "Sign-in failed" in response.get_data(as_text=True)
    assert guard.SESSION_COOKIE not in str(response.headers.getlist("Set-Cookie"))
    assert client.get("/staff/").status_code == 302
    assert [e.email for e in events(rt, "signin_failed")] == [email]


def test_a_disabled_user_cannot_sign_in(rt, client, app, users):
    assert app.test_cli_runner().invoke(args=["staff", "disable", ANALYST]).exit_code == 0
    assert sign_in(client, ANALYST).status_code == 200
    assert client.get("/staff/").status_code == 302


def test_signing_out_ends_the_session_on_the_server(rt, client, users):
    sign_in(client, ANALYST)
    stolen = client.get_cookie(guard.SESSION_COOKIE, path="/staff").value
    response = client.post("/staff/logout", data={"csrf_token": csrf(client, "/staff/")})
    assert response.status_code == 303
    with rt.sessions() as session:
        assert session.scalars(select(StaffSession)).all() == []
    client.set_cookie(guard.SESSION_COOKIE, stolen, path="/staff")  # replayed afterwards
    assert client.get("/staff/").status_code == 302
    assert events(rt, "signout")[0].email == ANALYST


def test_a_session_ends_when_unused_and_after_its_longest_life(client, clock, users):
    sign_in(client, ANALYST)
    clock.advance(timedelta(minutes=59))
    assert client.get("/staff/").status_code == 200
    clock.advance(timedelta(minutes=61))
    response = client.get("/staff/")
    assert response.status_code == 302 and "expired=1" in response.headers["Location"]
    sign_in(client, ANALYST)
    for _ in range(13):  # in use all along: 11 h 55 min
        clock.advance(timedelta(minutes=55))
        assert client.get("/staff/").status_code == 200
    clock.advance(timedelta(minutes=10))  # 12 h 5 min after signing in
    assert client.get("/staff/").status_code == 302


# An attacker ---------------------------------------------------------------------------------


def test_a_forged_sign_in_form_without_the_token_is_refused(client, users):
    response = client.post("/staff/login", data={"email": ANALYST, "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/staff/").status_code == 302


def test_a_forged_acknowledgement_changes_nothing(rt, client, users):
    alert = add_alert(rt)
    sign_in(client, LEAD)
    assert client.post(f"/staff/alerts/{alert}/ack", data={"note": "x"}).status_code == 400
    assert client.post(f"/staff/alerts/{alert}/ack",
                       data={"note": "x", "csrf_token": "0" * 64}).status_code == 400
    with rt.sessions() as session:
        assert session.get(Alert, alert).acked_at is None


@pytest.mark.parametrize("headers", [{"Origin": "https://evil.example.net"},
                                     {"Sec-Fetch-Site": "cross-site"}, {"Origin": "null"}])
def test_a_post_from_another_site_is_refused_even_with_the_token(rt, client, users, headers):
    alert = add_alert(rt)
    sign_in(client, LEAD)
    token = csrf(client, "/staff/alerts")
    response = client.post(f"/staff/alerts/{alert}/ack", headers=headers,
                           data={"note": "x", "csrf_token": token})
    assert response.status_code == 400
    with rt.sessions() as session:
        assert session.get(Alert, alert).acked_at is None


def test_the_token_of_one_session_does_not_work_in_another(app, rt, users):
    first, second = app.test_client(), app.test_client()
    sign_in(first, LEAD)
    sign_in(second, LEAD)
    alert = add_alert(rt)
    response = second.post(f"/staff/alerts/{alert}/ack",
                           data={"csrf_token": csrf(first, "/staff/alerts")})
    assert response.status_code == 400


def test_a_password_list_is_throttled_with_429(rt, client, users):
    for n in range(throttle.PER_ACCOUNT):
        assert sign_in(client, ANALYST, f"guess number {n}").status_code == 200
    response = sign_in(client, ANALYST, PASSWORD)  # even the right one, from this browser
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= throttle.WINDOW.total_seconds()
    assert "Too many wrong passwords" in response.get_data(as_text=True)
    assert client.get("/staff/").status_code == 302
    assert len(events(rt, "signin_throttled")) == 1


@pytest.fixture
def from_address(client):
    def sign_in_from(address: str, email: str, password: str = PASSWORD):
        token = csrf(client)
        return client.post("/staff/login", environ_base={"REMOTE_ADDR": address},
                           data={"email": email, "password": password, "csrf_token": token})
    return sign_in_from


def test_one_address_trying_many_accounts_is_throttled(users, from_address):
    for n in range(throttle.PER_ADDRESS):
        from_address("198.51.100.7", f"person{n}@example.org", "a guessed password")
    assert from_address("198.51.100.7", ADMIN).status_code == 429
    assert from_address("198.51.100.8", ADMIN).status_code == 303


def test_an_attacker_cannot_keep_the_owner_out_for_long(app, rt, clock, users, from_address):
    owner = app.test_client()
    assert sign_in(owner, ANALYST).status_code == 303  # the owner's browser, known since
    for n in range(throttle.PER_ACCOUNT):
        from_address(f"203.0.113.{n}", ANALYST, f"guess {n}")
    for n in range(throttle.PER_ACCOUNT):
        from_address("203.0.113.99", ANALYST, f"guess {n}")
    assert from_address("203.0.113.99", ANALYST).status_code == 429
    owner.post("/staff/logout", data={"csrf_token": csrf(owner, "/staff/")})
    assert sign_in(owner, ANALYST).status_code == 303  # the known browser still gets in
    clock.advance(throttle.WINDOW)
    assert from_address("203.0.113.99", ANALYST).status_code == 303  # and others later


def test_guesses_from_elsewhere_never_keep_a_new_browser_of_the_owner_waiting(
        clock, users, from_address):
    """The attack seen: wrong passwords from another address, sent the moment each wait
    ends, kept every browser that had not signed in before waiting (429) for good."""
    for n in range(throttle.PER_ACCOUNT):
        from_address("198.51.100.66", ANALYST, f"guess {n}")
    for n in range(10):
        response = from_address("198.51.100.66", ANALYST, f"guess {n}")
        assert response.status_code == 429
        clock.advance(timedelta(seconds=int(response.headers["Retry-After"])))
        assert from_address("198.51.100.66", ANALYST, f"guess {n}").status_code == 200
    assert from_address("203.0.113.7", ANALYST).status_code == 303  # the owner, new laptop


def test_an_admin_can_clear_a_users_wrong_passwords_and_it_is_logged(app, rt, users):
    """From every address (a flood from the owner's own one, behind TRUSTED_PROXIES=0):
    the Users page's button and `outreach staff unblock` let the owner in at once."""
    admin = app.test_client()
    sign_in(admin, ADMIN)
    for unblock in ("page", "cli"):
        browser = app.test_client()  # a new browser each time: no device cookie

        def try_password(password: str, browser=browser) -> int:
            return browser.post("/staff/login", environ_base={"REMOTE_ADDR": "127.0.0.1"},
                                data={"email": ANALYST, "password": password,
                                      "csrf_token": csrf(browser)}).status_code

        for n in range(throttle.PER_ACCOUNT):
            try_password(f"guess {n}")
        assert try_password(PASSWORD) == 429
        if unblock == "page":
            page = admin.get("/staff/users").get_data(as_text=True)
            assert 'value="unblock"' in page and "Clear wrong passwords" in page
            assert admin.post("/staff/users/change", data={
                "email": ANALYST, "action": "unblock",
                "csrf_token": csrf(admin, "/staff/users")}).status_code == 303
        else:
            result = app.test_cli_runner().invoke(args=["staff", "unblock", ANALYST.upper()])
            assert result.exit_code == 0 and ANALYST in result.output
        assert try_password(PASSWORD) == 303
    unblocked = events(rt, "signin_unblocked")
    assert [(e.email, e.actor) for e in unblocked] == [(ANALYST, ADMIN),
                                                        (ANALYST, audit.cli_actor())]
    assert app.test_cli_runner().invoke(args=["staff", "unblock", "nobody@example.org"]
                                        ).exit_code != 0


def test_made_up_emails_leave_no_more_rows_than_the_address_limit(rt, clock, client, users):
    """600 sign-in posts with made-up emails left 600 rows in signin_limits: now the
    address's own limit stops them before any row is made."""
    token = csrf(client)
    for n in range(600):
        client.post("/staff/login", environ_base={"REMOTE_ADDR": "198.51.100.66"}, data={
            "email": f"made-up-{n}@example.org", "password": "a guess", "csrf_token": token})
        clock.advance(timedelta(milliseconds=100))
    with rt.sessions() as session:
        assert session.scalar(select(func.count()).select_from(SigninLimit)) < (
            2 * throttle.PER_ADDRESS)  # the limit, and a try each time its wait ends


def test_wrong_passwords_never_tell_a_staff_email_from_a_made_up_one(clock, client, users):
    """Counting only real accounts answered 429 after 5 tries for a staff email and 200 for
    ever for a made-up one: anyone could list the staff accounts."""
    token = csrf(client)

    def answers(email: str, address: str) -> list[int]:
        return [client.post("/staff/login", environ_base={"REMOTE_ADDR": address}, data={
            "email": email, "password": "a guess", "csrf_token": token}).status_code
            for _ in range(throttle.PER_ACCOUNT + 2)]

    assert answers(ANALYST, "198.51.100.70") == answers("nobody@example.org", "198.51.100.71")


def test_a_known_browser_always_gets_in_whatever_others_try_from_its_address(
        app, rt, users, from_address):
    """Behind a proxy with TRUSTED_PROXIES=0 everyone shares one address: a password list
    from it, and guesses at the owner's account, must not keep the owner out."""
    owner = app.test_client()
    assert sign_in(owner, ANALYST).status_code == 303
    owner.post("/staff/logout", data={"csrf_token": csrf(owner, "/staff/")})
    for n in range(throttle.PER_ACCOUNT):
        from_address("127.0.0.1", ANALYST, f"guess {n}")
    for n in range(throttle.PER_ADDRESS):
        from_address("127.0.0.1", f"person{n}@example.org", "a guessed password")
    assert from_address("127.0.0.1", ANALYST).status_code == 429  # a new browser waits
    assert from_address("127.0.0.1", ADMIN).status_code == 429
    token = csrf(owner)
    assert owner.post("/staff/login", environ_base={"REMOTE_ADDR": "127.0.0.1"}, data={
        "email": ANALYST, "password": PASSWORD, "csrf_token": token}).status_code == 303
    assert owner.get("/staff/").status_code == 200


def test_guesses_wait_longer_each_time_but_never_more_than_five_minutes(clock, users,
                                                                        from_address):
    waits = []
    for n in range(12):
        for _ in range(throttle.PER_ACCOUNT if n == 0 else 1):
            assert from_address("203.0.113.4", ANALYST, f"guess {n}").status_code == 200
        response = from_address("203.0.113.4", ANALYST)
        assert response.status_code == 429
        waits.append(int(response.headers["Retry-After"]))
        clock.advance(timedelta(seconds=waits[-1]))
    assert waits == [15, 30, 60, 120, 240] + [300] * 7
    assert from_address("203.0.113.4", ANALYST).status_code == 303  # never locked


def test_concurrent_guesses_cannot_pass_the_limit(app, rt, users):
    """24 wrong passwords for one account, 12 at a time, as threads against the app (on the
    SQLite file and on PostgreSQL): only the limit's worth are checked (answered 200
    "Sign-in failed"); the rest wait (429) and cost no password hash."""
    clients = [app.test_client() for _ in range(24)]
    tokens = [csrf(c) for c in clients]

    def guess(n: int) -> int:
        return clients[n].post("/staff/login", environ_base={"REMOTE_ADDR": "198.51.100.9"},
                               data={"email": ANALYST, "password": f"guess {n}",
                                     "csrf_token": tokens[n]}).status_code

    statuses = together(12, guess) + together(12, lambda n: guess(n + 12))
    assert statuses.count(200) == throttle.PER_ACCOUNT
    assert statuses.count(429) == 24 - throttle.PER_ACCOUNT
    failed = events(rt, "signin_failed")
    assert sum(e.count for e in failed) == throttle.PER_ACCOUNT


# The device cookie ---------------------------------------------------------------------------


def _decodings(value: str) -> list[bytes]:
    """Every reading of a cookie value a curious person would try: as it is, and each part
    (split on . : |) as base64, urlsafe base64 and hex."""
    found = [value.encode()]
    for part in re.split(r"[.:|]", value):
        padded = part + "=" * (-len(part) % 4)
        for decode in (base64.urlsafe_b64decode, base64.b64decode, bytes.fromhex):
            try:
                found.append(decode(padded if decode is not bytes.fromhex else part))
            except ValueError:
                pass
        try:
            found.append(zlib.decompress(base64.urlsafe_b64decode(padded)))
        except (ValueError, zlib.error):
            pass
    return found


def device_cookie(response) -> str:
    return cookie_header(response, guard.DEVICE_COOKIE).split(";")[0].split("=", 1)[1]


def known_device(app, rt, value: str, email: str) -> str | None:
    """The device id the server finds in a device cookie for `email`, as sign-in does."""
    with app.test_request_context("/staff/login", headers={
            "Cookie": f"{guard.DEVICE_COOKIE}={value}"}), rt.sessions() as session:
        user = session.scalar(select(StaffUser).where(StaffUser.email == email))
        return guard.device_for(session, user, rt.now())


def test_the_device_cookie_is_opaque_and_cannot_be_moved_to_another_account(app, rt, client,
                                                                            users):
    value = device_cookie(sign_in(client, ANALYST))
    for decoded in _decodings(value):
        assert b"officer" not in decoded.lower() and b"example" not in decoded.lower()
    device, sealed, mac = value.split(".")
    assert len(device) == 16 and len(sealed) == 16 and len(mac) == 64
    assert str(int(rt.now().timestamp())) not in str(int(sealed, 16))  # the date is hidden
    assert known_device(app, rt, value, ANALYST) == device
    assert known_device(app, rt, value, ADMIN) is None  # the same cookie says nothing of another
    assert known_device(app, rt, f"{device}.{sealed}.{'0' * 64}", ANALYST) is None
    later = f"{int(sealed, 16) ^ 1:016x}"  # a date moved by a second
    assert known_device(app, rt, f"{device}.{later}.{mac}", ANALYST) is None


def test_a_device_cookie_ends_after_a_year_a_new_password_or_disabling(app, rt, clock, users):
    browser = app.test_client()
    value = device_cookie(sign_in(browser, ANALYST))
    clock.advance(guard.DEVICE_LIFETIME - timedelta(minutes=1))
    assert known_device(app, rt, value, ANALYST) is not None
    clock.advance(timedelta(minutes=2))
    assert known_device(app, rt, value, ANALYST) is None  # older than a year

    runner = app.test_cli_runner()
    value = device_cookie(sign_in(browser, ANALYST))
    clock.advance(timedelta(minutes=1))
    assert runner.invoke(args=["staff", "password", ANALYST],
                         input="a brand new long password\n").exit_code == 0
    assert known_device(app, rt, value, ANALYST) is None  # a password reset

    value = device_cookie(sign_in(browser, ANALYST, "a brand new long password"))
    clock.advance(timedelta(minutes=1))
    assert runner.invoke(args=["staff", "disable", ANALYST]).exit_code == 0
    assert known_device(app, rt, value, ANALYST) is None
    clock.advance(timedelta(minutes=1))
    assert runner.invoke(args=["staff", "enable", ANALYST]).exit_code == 0
    assert known_device(app, rt, value, ANALYST) is None  # and not back when enabled again
    value = device_cookie(sign_in(browser, ANALYST, "a brand new long password"))
    assert known_device(app, rt, value, ANALYST) is not None  # a sign-in since: known


def test_a_browser_known_before_a_password_reset_is_a_new_browser_after_it(
        app, rt, clock, users):
    """Seen as a person meets it (a laptop stolen, the password reset): the old browser is
    held back by others' guesses from its address like any new one."""
    browser, other = app.test_client(), app.test_client()
    sign_in(browser, ANALYST)
    browser.post("/staff/logout", data={"csrf_token": csrf(browser, "/staff/")})
    assert app.test_cli_runner().invoke(args=["staff", "password", ANALYST],
                                        input=PASSWORD + "\n").exit_code == 0
    for n in range(throttle.PER_ACCOUNT):
        assert sign_in(other, ANALYST, f"guess {n}").status_code == 200
    assert sign_in(browser, ANALYST).status_code == 429


def _behind_a_proxy(client, forwarded: str, email: str, password: str = "a guessed password"):
    """A sign-in as nginx on the same host passes it on: from 127.0.0.1, with the address
    it saw appended to X-Forwarded-For."""
    token = csrf(client)
    return client.post("/staff/login", environ_base={"REMOTE_ADDR": "127.0.0.1"},
                       headers={"X-Forwarded-For": forwarded, "X-Forwarded-Proto": "https"},
                       data={"email": email, "password": password, "csrf_token": token})


def test_without_trusted_proxies_x_forwarded_for_is_ignored(rt, client, users):
    _behind_a_proxy(client, "198.51.100.7", ANALYST)
    assert [e.address for e in events(rt, "signin_failed")] == ["127.0.0.1"]


def test_behind_a_trusted_proxy_the_throttle_counts_each_browser(config, clock):
    from app import create_app
    app = create_app({**config, "TRUSTED_PROXIES": "1"}, clock=clock)
    rt = app.extensions["outreach"]
    add_user(rt, ADMIN, "admin")
    client = app.test_client()
    for n in range(throttle.PER_ADDRESS):  # a password list, with a forged address in front
        _behind_a_proxy(client, f"10.9.9.{n}, 198.51.100.7", f"person{n}@example.org")
    assert _behind_a_proxy(client, "10.0.0.1, 198.51.100.7", ADMIN, PASSWORD).status_code == 429
    assert _behind_a_proxy(client, "203.0.113.5", ADMIN, PASSWORD).status_code == 303
    addresses = {e.address for e in events(rt, "signin_failed")}
    assert addresses == {"198.51.100.7"}  # the proxy's own hop, never what the client wrote
    app.extensions["outreach"].engine.dispose()



@pytest.mark.parametrize("forwarded", [
    "1" * 400, "198.51.100.7" + " " * 300 + "x", "fe80::1%" + "e" * 300, "<script>", ""])
def test_a_forwarded_address_that_is_not_one_is_not_used(config, clock, forwarded):
    """A 400-character X-Forwarded-For gave a 500 on PostgreSQL (the throttle's key was
    longer than its column)."""
    from app import create_app
    app = create_app({**config, "TRUSTED_PROXIES": "1"}, clock=clock)
    rt = app.extensions["outreach"]
    add_user(rt, ANALYST, "analyst")
    client = app.test_client()
    for _ in range(throttle.PER_ACCOUNT):
        assert _behind_a_proxy(client, forwarded, ANALYST).status_code == 200
    assert _behind_a_proxy(client, forwarded, ANALYST, PASSWORD).status_code == 429
    assert _behind_a_proxy(client, forwarded, "nobody@example.org").status_code == 200
    assert {e.address for e in events(rt, "signin_failed")} == {"127.0.0.1"}
    rt.engine.dispose()


def test_no_throttle_key_is_longer_than_its_column():
    column = SigninLimit.__table__.c.key.type.length
    for device in (None, "0123456789abcdef"):
        for key, _ in throttle.keys("a" * 255, "b" * 400, device):
            assert len(key) <= column


# The audit log -------------------------------------------------------------------------------

FORMULA_EMAIL = '=HYPERLINK("http://evil.example","x")@a.b'


def audit_rows(response) -> list[dict]:
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    text = response.get_data().decode("utf-8").removeprefix("\ufeff")
    return list(csv.DictReader(io.StringIO(text)))


def test_a_flood_of_anonymous_sign_ins_cannot_push_an_export_off_the_audit_page(
        app, rt, clock, surveys, users, from_address):
    """The attack seen: 230 anonymous sign-in posts in 16 s, then an export."""
    for n in range(230):
        email = f"guess{n % 40}@example.org"
        assert from_address("198.51.100.66", email, f"guess {n}").status_code in (200, 429)
        clock.advance(timedelta(milliseconds=70))
    from_address("198.51.100.67", FORMULA_EMAIL, "a guess")  # a row of its own
    analyst = app.test_client()
    sign_in(analyst, ANALYST)
    assert analyst.get("/staff/export?survey=demo&format=csv").status_code == 200
    with rt.sessions() as session:
        tried = list(session.scalars(select(AuditEvent).where(AuditEvent.event.in_(
            ["signin_failed", "signin_throttled"]))))
    assert len(tried) <= 5 and sum(e.count for e in tried) == 231  # a handful of rows
    admin = app.test_client()
    sign_in(admin, ADMIN)
    for page in ("/staff/audit", "/staff/audit?kind=exported",
                 f"/staff/audit?kind=exported&person=officer&since={clock.now.date()}"):
        text = admin.get(page).get_data(as_text=True)
        assert "demo as csv" in text, page
    assert "× " in admin.get("/staff/audit?kind=signin_throttled").get_data(as_text=True)
    assert "demo as csv" not in admin.get("/staff/audit?kind=signin").get_data(as_text=True)
    assert "demo as csv" not in admin.get("/staff/audit?person=lead@").get_data(as_text=True)
    later = (clock.now + timedelta(days=1)).date()
    assert "Nothing matches" in admin.get(f"/staff/audit?since={later}").get_data(as_text=True)

    rows = audit_rows(admin.get("/staff/audit.csv"))
    assert list(rows[0]) == ["at", "event", "count", "email", "actor", "address", "detail"]
    assert sum(int(r["count"]) for r in rows if r["event"].startswith("signin_")
               and r["event"] != "signin") == 231
    assert "'" + FORMULA_EMAIL.lower() in [r["email"] for r in rows]  # defused, as exports are
    assert not any(cell.startswith(("=", "+", "-", "@")) for r in rows for cell in r.values())
    assert [r["detail"] for r in audit_rows(admin.get("/staff/audit.csv?kind=exported"))
            ] == ["demo as csv: 0 row(s)"]
    assert events(rt, "audit_exported")  # the log's own download is in it


def test_a_flood_from_a_known_browser_cannot_push_an_export_off_the_audit_page(
        app, rt, clock, surveys, users):
    """600 throttled tries from a browser that signed in to the account before were a row
    each."""
    analyst = app.test_client()
    sign_in(analyst, ANALYST)
    assert analyst.get("/staff/export?survey=demo&format=csv").status_code == 200
    analyst.post("/staff/logout", data={"csrf_token": csrf(analyst, "/staff/")})
    token = csrf(analyst)
    statuses = []
    for n in range(600):
        statuses.append(analyst.post("/staff/login", data={
            "email": ANALYST, "password": f"guess {n}", "csrf_token": token}).status_code)
        clock.advance(timedelta(milliseconds=50))
    assert statuses.count(429) > 500
    with rt.sessions() as session:
        tried = list(session.scalars(select(AuditEvent).where(AuditEvent.event.in_(
            ["signin_failed", "signin_throttled"]))))
    assert len(tried) <= 4 and sum(e.count for e in tried) == 600
    assert all(e.device for e in tried)
    admin = app.test_client()
    sign_in(admin, ADMIN)
    assert "demo as csv" in admin.get("/staff/audit").get_data(as_text=True)


def test_the_audit_download_is_streamed_and_says_how_many_rows_it_found(app, rt, users):
    with transaction(rt.sessions) as session:
        for n in range(1200):
            audit.record(session, audit.SIGNOUT, rt.now(), email=f"p{n}@example.org")
    admin = app.test_client()
    sign_in(admin, ADMIN)
    response = admin.get("/staff/audit.csv")
    assert response.is_streamed
    rows = audit_rows(response)
    assert sum(r["event"] == "signout" for r in rows) == 1200
    before = sum(r["event"] != "audit_exported" for r in rows)  # read after it was logged
    assert [e.detail for e in events(rt, "audit_exported")] == [f"{before} row(s)"]


def test_the_audit_page_goes_back_a_page_at_a_time(app, rt, clock, users):
    with transaction(rt.sessions) as session:
        for n in range(audit.PAGE + 30):
            clock.advance(timedelta(minutes=1))
            audit.record(session, audit.SIGNOUT, rt.now(), email=f"p{n}@example.org")
    admin = app.test_client()
    sign_in(admin, ADMIN)
    first = admin.get("/staff/audit?kind=signout").get_data(as_text=True)
    assert f"p{audit.PAGE + 29}@example.org" in first and "p29@example.org" not in first
    assert 'rel="next"' in first and 'rel="prev"' not in first
    second = admin.get("/staff/audit?kind=signout&page=2").get_data(as_text=True)
    assert "p29@example.org" in second and "p0@example.org" in second
    assert f"p{audit.PAGE + 29}@example.org" not in second and 'rel="next"' not in second
    assert "/staff/audit?page=1&amp;kind=signout" in second  # the filter carries over


def test_a_day_the_audit_filter_cannot_read_is_said_not_ignored(app, users):
    """`since=2026-13-45` was silently no filter: the page showed the whole log, and its CSV
    link would have downloaded it."""
    admin = app.test_client()
    sign_in(admin, ADMIN)
    page = admin.get("/staff/audit?since=2026-13-45").get_data(as_text=True)
    assert "From “2026-13-45” is not a day" in page and "Download these events" not in page
    later = admin.get("/staff/audit?since=2026-12-08&until=2026-12-01").get_data(as_text=True)
    assert "The From day is after the To day." in later
    csv = admin.get("/staff/audit.csv?until=07/12/2026")
    assert csv.status_code == 400 and "To “07/12/2026” is not a day" in csv.get_data(as_text=True)
    fine = admin.get("/staff/audit?since=2026-03-01").get_data(as_text=True)
    assert "is not a day" not in fine and "Download these events" in fine


# Roles ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("email, path, status", [
    (ANALYST, "/staff/", 200), (ANALYST, "/staff/alerts", 403),
    (ANALYST, "/staff/check-ins", 403), (ANALYST, "/staff/users", 403),
    (LEAD, "/staff/alerts", 200), (LEAD, "/staff/check-ins", 200),
    (LEAD, "/staff/users", 403), (LEAD, "/staff/audit", 403),
    (ADMIN, "/staff/", 200), (ADMIN, "/staff/alerts", 200), (ADMIN, "/staff/users", 200),
    (ADMIN, "/staff/audit", 200), (ADMIN, "/staff/check-ins", 200),
])
def test_each_role_opens_what_it_needs_and_no_more(client, users, email, path, status):
    sign_in(client, email)
    assert client.get(path).status_code == status


def test_the_wellbeing_lead_lands_on_the_alerts(client, users):
    sign_in(client, LEAD)
    response = client.get("/staff/")
    assert response.status_code == 303 and response.headers["Location"].endswith("/staff/alerts")


def test_a_refused_page_says_so_and_offers_the_roles_pages(client, users):
    sign_in(client, LEAD)
    page = client.get("/staff/users").get_data(as_text=True)
    assert "does not open this page" in page and 'href="/staff/alerts"' in page
    assert "Dashboard" not in page


def test_every_staff_page_is_guarded_by_one_role_decorator(app):
    open_to_all = {"staff.login", "staff.logout", "staff.static"}
    for endpoint, view in app.view_functions.items():
        if endpoint.startswith("staff.") and endpoint not in open_to_all:
            assert getattr(view, "staff_roles", None), endpoint


def test_a_role_change_applies_at_once_and_is_logged(app, rt, client, users):
    sign_in(client, ANALYST)
    admin = app.test_client()
    sign_in(admin, ADMIN)
    response = admin.post("/staff/users/change", data={
        "email": ANALYST, "action": "role", "role": "wellbeing",
        "csrf_token": csrf(admin, "/staff/users")})
    assert response.status_code == 303
    assert client.get("/staff/").status_code == 302  # signed out by the change
    sign_in(client, ANALYST)
    assert client.get("/staff/alerts").status_code == 200
    [change] = events(rt, "role_changed")
    assert (change.email, change.actor, change.detail) == (ANALYST, ADMIN, "analyst -> wellbeing")


def test_an_admin_cannot_lock_themselves_out(client, users):
    sign_in(client, ADMIN)
    client.post("/staff/users/change", data={
        "email": ADMIN, "action": "disable", "csrf_token": csrf(client, "/staff/users")})
    assert client.get("/staff/users").status_code == 200


def test_pages_carry_security_headers(client, users):
    sign_in(client, ADMIN)
    for path in ("/staff/login", "/staff/", "/staff/alerts"):
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "script-src" not in csp
        assert "default-src 'none'" in csp and "unsafe-inline" not in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        assert headers["Cache-Control"] == "no-store"


# What the pages show -------------------------------------------------------------------------


BANNER = "SAFEGUARDING_LEAD is not set"


def test_admins_see_a_banner_while_no_safeguarding_lead_is_set(client, users):
    for email, shown in ((ADMIN, True), (ANALYST, False)):
        sign_in(client, email)
        page = client.get("/staff/").get_data(as_text=True)
        assert (BANNER in page) is shown, email
        client.post("/staff/logout", data={"csrf_token": csrf(client, "/staff/")})


def test_no_banner_once_the_safeguarding_lead_is_set(config, clock):
    app = create_app({**config, "SAFEGUARDING_LEAD": "telegram:424242"}, clock=clock)
    add_user(app.extensions["outreach"], ADMIN, "admin")
    client = app.test_client()
    sign_in(client, ADMIN)
    page = client.get("/staff/").get_data(as_text=True)
    assert "Dashboard" in page and BANNER not in page
    app.extensions["outreach"].engine.dispose()


def test_the_dashboard_shows_where_people_stop(rt, client, surveys, users):
    for _ in range(6):
        add_response(rt, "neighbourhood-policing", complete=False,
                     answers={"safe_day": 4, "safe_dark": 2})
    sign_in(client, ANALYST)
    page = client.get("/staff/?survey=neighbourhood-policing").get_data(as_text=True)
    [dark] = [r for r in page.split("<tr") if "<code>safe_dark</code>" in r]
    assert dark.count(">6<") == 2  # answered by 6, and 6 stopped after it


def test_a_few_who_stopped_cannot_be_worked_out_from_the_dashboard(rt, client, surveys, users):
    """Started 13, completed 10 and "fewer than 5" not finished gave the 3 away."""
    for n in range(13):
        add_response(rt, "neighbourhood-policing", complete=n >= 3, channel="sms" if n else "web",
                     answers={"safe_day": 4})
    sign_in(client, ANALYST)
    page = client.get("/staff/?survey=neighbourhood-policing").get_data(as_text=True)
    assert "Started <strong>13</strong>" in page and "Completed <strong>not shown</strong>" in page
    assert "Not finished (yet) <strong>fewer than 5</strong>" in page
    [listed] = [r for r in page.split("<tr") if "(residents)" in r and "Your say on" in r]
    assert re.findall(r'<td class="n">([^<]*)</td>', listed) == ["13", "not shown"]
    # 12 by SMS and one by web: 13 less 12 would give the web form's one away
    web = [r for r in page.split("<tr") if ">Web form<" in r]
    assert web and all("fewer than 5" in r for r in web) and ">12<" not in page
    assert '>SMS</th><td class="n">not shown<' in page  # the chart as a table


def test_the_alerts_page_shows_the_words_and_english_and_keeps_who_acknowledged(
        rt, client, users, clock):
    alert = add_alert(rt, text="tatăl meu mă bate", language="ro", severity=3,
                      text_en="my father beats me")
    sign_in(client, LEAD)
    page = client.get("/staff/alerts").get_data(as_text=True)
    assert "tatăl meu mă bate" in page and "my father beats me" in page
    assert "in danger now" in page and PHONE[-6:] not in page
    response = client.post(f"/staff/alerts/{alert}/ack", data={
        "note": "Called back, referred to MASH", "confirm": "yes",
        "csrf_token": csrf(client, "/staff/alerts")})
    assert response.status_code == 303
    with rt.sessions() as session:
        stored = session.get(Alert, alert)
        assert (stored.acked_by, stored.ack_note, stored.acked_at) == (
            LEAD, "Called back, referred to MASH", clock.now)
    page = client.get("/staff/alerts").get_data(as_text=True)
    assert "Acknowledged</strong>" in page and "Called back, referred to MASH" in page
    assert "No alerts are waiting." in page


def test_without_a_translator_the_alerts_page_does_not_promise_a_translation(rt, client, users):
    add_alert(rt, text="tatăl meu mă bate", language="ro", severity=2)
    sign_in(client, LEAD)
    page = client.get("/staff/alerts").get_data(as_text=True)
    assert "No translation: ask your administrator to set one up" in page
    assert "English translation pending" not in page and "TRANSLATOR" not in page
    assert "<dd>SMS</dd>" in page  # channels as staff call them
