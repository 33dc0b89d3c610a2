"""Property-based fuzzing of every route the app serves, on both databases: whatever is in
the path, the query or the form — NUL bytes, numbers no column holds, odd Unicode — the
answer is never a 5xx.

The routes are read from `app.url_map`, so a route added later is fuzzed without a word
here. Each is called as the people who use it would: staff pages by a signed-in admin with
the form's real CSRF token (so a POST reaches its view) or by a stranger, the API with a
real bearer token or a junk one, the calendar with a member's real token or a junk one.
Webhooks are called unsigned (403); tests/webhooks/test_fuzz.py fuzzes them signed.
"""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from staff import accounts
from store.db import MAX_ID, transaction
from tests.helpers.members import import_members
from tests.helpers.staff import add_alert, add_response, add_user, csrf, sign_in

FUZZ = settings(deadline=None, database=None, derandomize=True, max_examples=25,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])
ADMIN = "admin@example.org"
NUMBERS = st.one_of(st.sampled_from([0, 1, 2, MAX_ID, MAX_ID + 1, 2**63 - 1, 2**63, 2**64,
                                     10**20, -1, -(2**63) - 1]),
                    st.integers(), st.integers(-(10**30), 10**30))
ODD = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["\x00", "a\x00b", "%00", "\u202eevil\u202c", "\u200d", "\ufeff", "\uffff",
                     "😀" * 40, "ǅ", "İ", "ß", "١٢٣", "a\r\nb", "<script>", "{{ 7*7 }}",
                     "%s%n", "../../etc/passwd", "", " ", "1e999", "NaN", "-0",
                     "csv", "xlsx", "jsonl", "html", "complete", "partial", "en", "ur",
                     "neighbourhood-policing", "demo", "youth-voice", "admin", "analyst",
                     "wellbeing", "role", "disable", "enable", ADMIN, "x" * 5000]),
    NUMBERS.map(str))
QUERY_KEYS = ["survey", "format", "cursor", "status", "lang", "ref", "error", "done",
              "expired", "redact", "after"]
FORM_KEYS = ["email", "password", "action", "role", "note", "answer", "step", "csrf", "skip"]
ARGUMENT = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def _fields(keys: list[str]) -> st.SearchStrategy:
    return st.lists(st.tuples(st.one_of(st.sampled_from(keys), st.text(max_size=8)), ODD),
                    max_size=4)


def _path(rule: str, values: dict[str, str]) -> str:
    """The rule with each <converter:name> replaced by its percent-encoded value."""
    return ARGUMENT.sub(lambda m: quote(values[m.group(2)], safe=""), rule)


@pytest.fixture
def world(app, rt, surveys):
    """A service in use: an admin signed in, an API token, a member, an alert, answers."""
    add_user(rt, ADMIN, "admin")
    add_user(rt, "analyst@example.org", "analyst")
    [member] = import_members(rt, "Ana Pop,+40712345678,,ro,sms,")
    alert = add_alert(rt)
    for _ in range(3):
        add_response(rt, "neighbourhood-policing", answers={"age_band": "25_34"})
    with transaction(rt.sessions) as session:
        token = accounts.issue_token(session, ADMIN, rt.now(), ADMIN)
    signed = app.test_client()
    assert sign_in(signed, ADMIN).status_code == 303
    return {"signed": signed, "signed_csrf": csrf(signed, "/staff/users"),
            "token": token, "member": member.token, "alert": str(alert)}


def _rules(app) -> list[tuple[str, str]]:
    return sorted((rule.rule, method) for rule in app.url_map.iter_rules()
                  for method in rule.methods - {"HEAD", "OPTIONS"})


def test_every_route_is_fuzzed(app):
    """The routes below are all there is: a new one is fuzzed without a change here."""
    rules = _rules(app)
    assert ("/m/<token>.ics", "GET") in rules and ("/staff/users/change", "POST") in rules
    assert len(rules) >= 20


def test_fuzz_every_route(app, rt, world, clock):
    stranger = app.test_client()
    clients = {True: (world["signed"], world["signed_csrf"]), False: (stranger, csrf(stranger))}
    real = {"token": world["member"], "alert_id": world["alert"], "slug": "demo",
            "filename": "staff.css"}
    seen: set[int] = set()
    for rule, method in _rules(app):
        arguments = {name: st.one_of(st.just(real.get(name, "x")), ODD)
                     for _, name in ARGUMENT.findall(rule)}
        _fuzz(rule, method, arguments, clients, world["token"], clock, seen)
    # The views were reached, not only refused: pages, redirects, downloads and refusals.
    assert {200, 303, 400, 404} <= seen, seen


def _fuzz(rule: str, method: str, arguments: dict, clients: dict, token: str, clock,
          seen: set[int]) -> None:
    """Call `method` on `rule` with drawn arguments, query, form and bearer token."""
    anonymous_only = rule in ("/staff/logout", "/staff/login")  # keep the admin signed in

    @FUZZ
    @given(values=st.fixed_dictionaries(arguments), query=_fields(QUERY_KEYS),
           form=_fields(FORM_KEYS), signed_in=st.booleans(),
           bearer=st.one_of(st.just(token), ODD))
    def check(values, query, form, signed_in, bearer):
        clock.advance(timedelta(seconds=3))
        client, csrf_token = clients[signed_in and not anonymous_only]
        data = MultiDict([*form, ("csrf_token", csrf_token)]) if method == "POST" else None
        path = _path(rule, values)
        authorization = f"Bearer {bearer}".replace("\n", " ").replace("\r", " ")
        response = client.open(path, method=method, query_string=MultiDict(query), data=data,
                               headers={"Authorization": authorization})
        assert response.status_code < 500, (method, path, query, form, response.status_code)
        seen.add(response.status_code)

    check()
