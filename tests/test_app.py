"""The app factory, /healthz, and what every request goes through: NUL bytes refused, ids
no column can hold answered 404."""

import pytest

from app import create_app
from staff import accounts
from store.db import transaction
from store.migrate import upgrade
from tests.helpers.staff import add_user, csrf, sign_in


def test_healthz_answers_ok_when_the_database_answers(config, clock):
    app = create_app({**config, "SAFEGUARDING_LEAD": "+447700900999"}, clock=clock)
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "spooled": 0}
    app.extensions["outreach"].engine.dispose()


def test_healthz_says_when_no_safeguarding_lead_is_set_and_is_still_ready(app):
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    [warning] = body["warnings"]
    assert warning.startswith("SAFEGUARDING_LEAD is not set: nobody is told at once")


def test_healthz_is_503_when_the_database_is_down(tmp_path):
    # Nothing listens on port 1 of loopback: the connection is refused at once.
    app = create_app({"DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none",
                      "SECRET_KEY": "x", "INSTANCE_PATH": str(tmp_path)})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "unavailable"


def test_creating_the_app_touches_no_database(tmp_path):
    db = tmp_path / "never.db"
    create_app({"DATABASE_URL": f"sqlite:///{db}", "SECRET_KEY": "x",
                "INSTANCE_PATH": str(tmp_path)})
    assert not db.exists()


def test_healthz_is_503_until_the_database_is_migrated(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "x", "INSTANCE_PATH": str(tmp_path)})
    client = app.test_client()
    empty = client.get("/healthz")
    assert empty.status_code == 503
    assert "outreach db upgrade" in empty.get_json()["reason"]
    upgrade(url, "0001")  # an older schema is not ready either
    assert client.get("/healthz").status_code == 503
    upgrade(url)
    assert client.get("/healthz").status_code == 200
    app.extensions["outreach"].engine.dispose()


# Every request ------------------------------------------------------------------------------

ADMIN = "admin@example.org"
NUL_REQUESTS = {  # each was a 500 on PostgreSQL
    "calendar": ("GET", "/m/%00.ics", None),
    "sign-in": ("POST", "/staff/login", {"email": "a\x00@example.org", "password": "x" * 12}),
    "export": ("GET", "/staff/export?survey=demo%00&format=csv", None),
    "users": ("POST", "/staff/users/change", {"email": "b\x00@example.org",
                                              "action": "disable"}),
    "api": ("GET", "/api/v1/responses?survey=%00", None),
    "web form": ("GET", "/s/demo?ref=K7%00", None),
}


@pytest.fixture
def admin(app, rt):
    """A client signed in as an admin, with the forms' CSRF token and an API token."""
    add_user(rt, ADMIN, "admin")
    client = app.test_client()
    assert sign_in(client, ADMIN).status_code == 303
    with transaction(rt.sessions) as session:
        client.api_token = accounts.issue_token(session, ADMIN, rt.now(), ADMIN)
    client.csrf = csrf(client, "/staff/users")
    return client


@pytest.mark.parametrize("method, path, form", NUL_REQUESTS.values(), ids=NUL_REQUESTS.keys())
def test_a_nul_byte_is_refused_with_a_400_in_plain_words(admin, surveys, method, path, form):
    data = {**form, "csrf_token": admin.csrf} if form else None
    response = admin.open(path, method=method, data=data,
                          headers={"Authorization": f"Bearer {admin.api_token}"})
    assert response.status_code == 400
    assert response.mimetype == "text/plain"
    assert "NUL character" in response.get_data(as_text=True)


@pytest.mark.parametrize("alert_id", ["99999999999999999999", str(2**63), str(2**31)])
def test_an_id_no_database_can_hold_is_404(admin, alert_id):
    response = admin.post(f"/staff/alerts/{alert_id}/ack", data={"csrf_token": admin.csrf})
    assert response.status_code == 404
