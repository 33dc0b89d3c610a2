"""A lottery registration's answers (a name, a phone number, access needs) are no staff
read's: every staff page and API call, the exports (CLI, download, API), the evidence pack
and the one shared query of responses leave the registration survey out, as if unknown,
while a resident's answers still show."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest

from bot.conversations import Inbound, handle
from staff import exports, heard
from tests.helpers.cli import outreach
from tests.helpers.lottery import invite, registrants
from tests.helpers.staff import add_user, sign_in

SLUG = "lottery-registration"
ADMIN = "admin@example.org"
NAME, PHONE, NEEDS = "Quinton Oyelaran-Vasquez", "07700 900777", "a hearing loop, please"
REGISTERING = ["REGISTER K7P-M3Q-XAF", "YES", "34", NAME, PHONE, "1", "2", "1", "3", "1",
               "4", NEEDS]
SHOWN = (NAME.lower(), "900777", NEEDS)


@pytest.fixture
def registered(app, rt, surveys, clock):
    """One registrant (by SMS), and one resident's answers to the residents' survey."""
    add_user(rt, ADMIN, "admin")
    invite(rt)
    for sender, said in (("+447700900601", REGISTERING),
                         ("+447700900602", ["SAFETY", "YES", "3", "2", "1,3"])):
        for text in said:
            clock.advance(timedelta(minutes=1))
            handle(rt, Inbound("sms", sender, text))
    assert len(registrants(rt)) == 1


def leaks(text: str) -> list[str]:
    return [word for word in SHOWN if word in unescape(text).lower()]


def test_no_staff_page_api_export_or_pack_shows_a_registration(app, rt, registered, tmp_path):
    client = app.test_client()
    sign_in(client, ADMIN)
    token = re.search(r"oat_\S+", outreach(app, "staff", "token", ADMIN).output).group(0)
    api = {"Authorization": f"Bearer {token}"}
    shown = {}
    for rule in app.url_map.iter_rules():
        if ("GET" not in rule.methods or rule.arguments or rule.endpoint.endswith(".static")
                or not rule.rule.startswith(("/staff", "/api"))):
            continue
        for query in ("", f"survey={SLUG}"):
            response = client.get(f"{rule.rule}?{query}", headers=api)
            shown[f"{rule.rule}?{query}"] = response.get_data(as_text=True)
    assert {where: found for where, text in shown.items() if (found := leaks(text))} == {}
    assert client.get(f"/api/v1/responses?survey={SLUG}", headers=api).status_code == 404
    assert client.get(f"/staff/export?survey={SLUG}&format=csv").status_code == 404
    # The CLI refuses it as unknown; the pack never names it.
    out = tmp_path / "export.csv"
    refused = outreach(app, "export", "responses", "--survey", SLUG, "--format", "csv",
                       "--out", str(out))
    assert refused.exit_code != 0 and not out.exists()
    pack = tmp_path / "pack.html"
    assert outreach(app, "evidence-pack", "--out", str(pack)).exit_code == 0
    assert leaks(pack.read_text(encoding="utf-8")) == []
    # The shared query finds none of it, and the resident's answers still export.
    with rt.sessions() as session:
        assert session.scalars(heard.responses_of(SLUG)).all() == []
        assert session.scalars(heard.responses_of("neighbourhood-policing")).all()
        with pytest.raises(exports.UnknownSurvey):
            exports.plan(session, SLUG, rt.settings.secret_key)
        assert SLUG not in [s["slug"] for s in exports.surveys(session)]
