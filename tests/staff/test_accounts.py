"""Staff accounts, API tokens and `outreach staff …`."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from staff import accounts
from store.db import transaction
from store.models import AuditEvent, StaffToken, StaffUser

PASSWORD = "a long enough password"


def add(rt, email="ana@example.org", role="analyst", password=PASSWORD):
    with transaction(rt.sessions) as session:
        return accounts.add(session, email, role, password, rt.now(), actor="test").id


def run(app, *args, stdin=None):
    return app.test_cli_runner().invoke(args=["staff", *args], input=stdin)


def test_add_hashes_with_argon2_and_logs_it(rt):
    add(rt, "Ana@Example.org ")
    with rt.sessions() as session:
        user = session.scalar(select(StaffUser))
        assert user.email == "ana@example.org" and user.password_hash.startswith("$argon2id$")
        assert PASSWORD not in user.password_hash
        [event] = session.scalars(select(AuditEvent)).all()
        assert (event.event, event.email, event.detail) == ("user_added", user.email, "analyst")


@pytest.mark.parametrize("email, role, password, problem", [
    ("ana@example.org", "boss", PASSWORD, "role must be one of"),
    ("not-an-email", "admin", PASSWORD, "not an email address"),
    ("ana@example.org", "admin", "short", "at least 12 characters"),
])
def test_add_refuses_what_cannot_be_right(rt, email, role, password, problem):
    with pytest.raises(accounts.AccountError, match=problem), transaction(rt.sessions) as s:
        accounts.add(s, email, role, password, rt.now(), actor="test")


def test_an_email_is_added_once(rt):
    add(rt)
    with pytest.raises(accounts.AccountError, match="already exists"):
        add(rt, "ANA@example.org")


def test_authenticate(rt):
    add(rt)
    with transaction(rt.sessions) as session:
        assert accounts.authenticate(session, "ana@example.org", PASSWORD).role == "analyst"
        assert accounts.authenticate(session, "ana@example.org", PASSWORD + "x") is None
        assert accounts.authenticate(session, "bob@example.org", PASSWORD) is None
        accounts.disable(session, "ana@example.org", rt.now(), actor="test")
        assert accounts.authenticate(session, "ana@example.org", PASSWORD) is None


def test_an_api_token_is_shown_once_kept_hashed_and_checked(rt):
    add(rt)
    with transaction(rt.sessions) as session:
        token = accounts.issue_token(session, "ana@example.org", rt.now(), actor="test")
    with transaction(rt.sessions) as session:
        [stored] = session.scalars(select(StaffToken)).all()
        assert token not in stored.token_hash and stored.token_hash == accounts.digest(token)
        found = accounts.check_token(session, f"Bearer {token}", rt.now())
        assert found == accounts.Staff(found.id, "ana@example.org", "analyst")
        for bad in (None, "", token, f"Basic {token}", f"Bearer {token}x", "Bearer oat_",
                    f"Bearer {stored.token_hash}"):
            assert accounts.check_token(session, bad, rt.now()) is None, bad
        accounts.disable(session, "ana@example.org", rt.now(), actor="test")
        assert accounts.check_token(session, f"Bearer {token}", rt.now()) is None


def test_the_cli_adds_lists_changes_disables_and_issues_tokens(app, rt):
    result = run(app, "add-user", "lead@example.org", "--role", "wellbeing",
                 stdin=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert "Added lead@example.org (wellbeing)." in result.output
    assert run(app, "list").output == "lead@example.org wellbeing active\n"
    assert run(app, "role", "lead@example.org", "--role", "admin").exit_code == 0
    assert run(app, "password", "lead@example.org", stdin="another long password\n"
               ).exit_code == 0
    with transaction(rt.sessions) as session:
        assert accounts.authenticate(session, "lead@example.org", "another long password")
        assert accounts.authenticate(session, "lead@example.org", PASSWORD) is None
    token = run(app, "token", "lead@example.org").output.strip()
    assert token.startswith(accounts.TOKEN_PREFIX) and len(token) > 40
    assert run(app, "disable", "lead@example.org").exit_code == 0
    assert run(app, "list").output == "lead@example.org admin disabled\n"
    with rt.sessions() as session:
        assert accounts.check_token(session, f"Bearer {token}", rt.now()) is None
        logged = [(e.event, e.actor.startswith("cli:")) for e in session.scalars(
            select(AuditEvent).order_by(AuditEvent.id))]
    assert logged == [("user_added", True), ("role_changed", True), ("password_set", True),
                      ("token_issued", True), ("user_disabled", True), ("token_revoked", True)]


def test_the_cli_names_the_problem_without_a_traceback(app):
    result = run(app, "add-user", "x@example.org", "--role", "admin", stdin="short\n")
    assert result.exit_code == 1 and "at least 12 characters" in result.output
    assert "Traceback" not in result.output
    assert run(app, "disable", "nobody@example.org").exit_code == 1
    assert run(app, "list").output.startswith("No staff users yet")
