"""The app factory and /healthz."""

from app import create_app
from store.migrate import upgrade


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
