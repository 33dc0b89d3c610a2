"""The users page says only what the app wrote (`?error=` is a key, not text from the URL),
and a staff address must be an email address wherever users are added or changed."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from staff import accounts
from store.models import StaffUser
from tests.helpers.staff import PASSWORD, add_user, csrf, sign_in

ADMIN = "admin@example.org"
ANALYST = "analyst@example.org"


@pytest.fixture
def admin(app, rt):
    add_user(rt, ADMIN, "admin")
    add_user(rt, ANALYST, "analyst")
    client = app.test_client()
    assert sign_in(client, ADMIN).status_code == 303
    return client


def _change(client, **form):
    response = client.post("/staff/users/change",
                           data={**form, "csrf_token": csrf(client, "/staff/users")})
    assert response.status_code == 303
    return client.get(response.headers["Location"])


@pytest.mark.parametrize("error", [
    "Your account is locked: call 0800 000 0000 and give your password",
    "<b>phish</b>", "self ", "SELF", "__class__", ""])
def test_the_users_page_shows_no_text_from_the_url(admin, error):
    page = admin.get("/staff/users", query_string={"error": error}).get_data(as_text=True)
    # "call 0800" rather than "0800": the page's hex CSRF token may hold those digits
    assert "Not changed" not in page and "call 0800" not in page and "phish" not in page


@pytest.mark.parametrize("form, said", [
    ({"email": ADMIN, "action": "disable"}, "You cannot change your own access."),
    ({"email": "nobody@example.org", "action": "disable"},
     "There is no staff user with that email address."),
    ({"email": "<b>x</b>@example.org", "action": "disable"}, "That is not an email address."),
    ({"email": ANALYST, "action": "role", "role": "owner"},
     "A role is one of: admin, analyst, wellbeing."),
])
def test_a_refused_change_is_told_in_the_apps_own_words(admin, form, said):
    response = _change(admin, **form)
    assert "error=" in response.request.url and "@" not in response.request.url
    page = response.get_data(as_text=True)
    assert "Not changed" in page and said in page
    assert "&lt;b&gt;" not in page and "owner" not in page  # nothing of what was posted


@pytest.mark.parametrize("email, ok", [
    ("ana@example.org", True), ("a.b+staff@council.gov.uk", True),
    ("o'brien@example.org", True), ("jó@példa.hu", True),
    ("not-an-email", False), ("a@b", False), ("a b@example.org", False),
    ("@example.org", False), ("a@@example.org", False), ("<x>@example.org", False),
    ("a@example.org\n", False), ("a\x00@example.org", False), ("a@-x.org", False),
    ("a@x_y.org", False), ("a@example.org.", False), ("x" * 250 + "@example.org", False),
])
def test_is_email(email, ok):
    assert accounts.is_email(email) is ok


def test_the_cli_refuses_an_address_that_is_not_one(app, rt):
    runner = app.test_cli_runner()
    for email in ("lead@localhost", "lead@example.org<script>", "lead example.org"):
        result = runner.invoke(args=["staff", "add-user", email, "--role", "wellbeing"],
                               input=PASSWORD + "\n")
        assert result.exit_code == 1 and "not an email address" in result.output, email
    with rt.sessions() as session:
        assert session.scalar(select(func.count()).select_from(StaffUser)) == 0
