"""`/staff/lottery` over HTTP: analysts and admins read it (and its CSVs), the wellbeing
lead is refused, a signed-out visitor is sent to sign in; small counts read "fewer than 5";
no registrant's name or phone number is anywhere on it."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from bot import suppress
from lottery import standing, targets
from staff import guard
from store.db import transaction
from store.models import Registrant, Run
from tests.helpers.browser import PHONE_SCREEN, needs_chromium, serve
from tests.helpers.lottery_rows import (
    NAME,
    PHONE,
    add_draw,
    add_registrant,
    add_target,
    load_registration,
)
from tests.helpers.staff import add_user, sign_in

ANALYST, LEAD, ADMIN = "analyst@example.org", "lead@example.org", "admin@example.org"
WOMAN = {"gender": "woman", "disability": "no", "ward": "forest"}
MAN = {"gender": "man", "disability": "yes", "ward": "cathall"}


@pytest.fixture
def lottery(rt, clock):
    """8 women from Forest's letters, 3 men from Cathall's, targets for both; users."""
    clock.set(datetime(2027, 1, 10, 12, tzinfo=UTC))
    load_registration(rt)
    letters = add_draw(rt, ["Forest"] * 20 + ["Cathall"] * 20)
    for n in range(8):
        add_registrant(rt, letters[n], WOMAN)
    for n in range(3):
        add_registrant(rt, letters[20 + n], MAN, channel="whatsapp")
    add_target(rt, "gender", "female", 10, 30)
    add_target(rt, "gender", "male", 10, 30)
    for email, role in ((ANALYST, "analyst"), (LEAD, "wellbeing"), (ADMIN, "admin")):
        add_user(rt, email, role)


@pytest.fixture
def selected(rt, lottery):
    """A selection of 6 (`select --panel 6`): 4 women confirmed, 2 selected and waiting,
    the rest reserves; targets for every gender category, `not_stated` too."""
    add_target(rt, "gender", targets.NOT_STATED, 0, 6)
    with transaction(rt.sessions) as session:
        session.add(Run(kind="select", seed="s", wanted=6, algorithm="maximin",
                        library_version="0.12.15"))
        people = session.scalars(select(Registrant).order_by(Registrant.id)).all()
        for person, status in zip(people, ["confirmed"] * 4 + ["selected"] * 2
                                  + ["reserve"] * 5, strict=True):
            person.status = status


def page_as(app, email: str):
    client = app.test_client()
    sign_in(client, email)
    return client, client.get("/staff/lottery")


@pytest.mark.parametrize("email", [ANALYST, ADMIN])
def test_analysts_and_admins_read_registrations_against_targets(app, lottery, email):
    _client, page = page_as(app, email)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Registrations against the targets" in html
    assert 'href="/staff/lottery" aria-current="page">Lottery</a>' in html  # in the navigation
    # the 3 men read "fewer than 5", short of a minimum of 10 even at 4
    male = re.search(r'<th scope="row">Male</th>(.*?)</tr>', html, re.S).group(1)
    assert suppress.FEWER in male and "short of the minimum" in male
    assert NAME not in html and PHONE[:-3] not in html


def test_a_count_of_three_is_fewer_than_5_in_the_page_and_its_csv(app, lottery):
    client, page = page_as(app, ANALYST)
    html = page.get_data(as_text=True)
    assert ">3<" not in html
    csv = client.get("/staff/lottery/targets.csv")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    text = csv.get_data(as_text=True)
    assert "Male,10,30,fewer than 5,short of the minimum" in text
    assert NAME not in text and PHONE[:-3] not in text
    assert client.get("/staff/lottery/nothing.csv").status_code == 404


def test_after_a_selection_the_page_gives_its_panel_places_to_fill_and_categories_in_words(
        app, selected):
    html = page_as(app, ANALYST)[1].get_data(as_text=True)
    assert "The panel of 6" in html and "The panel of 50" not in html
    # 6 - 4 confirmed - 2 waiting: a count of seats, shown, and why it may be
    fill = re.search(r'<th scope="row">Places to fill</th>(.*?)</tr>', html, re.S).group(1)
    assert ">0<" in fill and "Places to fill counts seats, not people" in html
    assert "they cannot point at anyone" in html
    # gender's not_stated in words; with every category a target, no row of "no target"
    assert '<th scope="row">Prefer not to say, or not answered</th>' in html
    assert "not_stated" not in html and standing.NOT_IN_A_TARGET not in html
    assert html.count("Letters sent") == 1


def test_the_wellbeing_lead_is_refused_and_sees_no_link(app, lottery):
    client, page = page_as(app, LEAD)
    assert page.status_code == 403
    assert "/staff/lottery" not in client.get("/staff/alerts").get_data(as_text=True)
    assert client.get("/staff/lottery/targets.csv").status_code == 403


def test_a_signed_out_visitor_is_sent_to_sign_in(app, lottery):
    page = app.test_client().get("/staff/lottery")
    assert page.status_code in (302, 303) and "/staff/login" in page.headers["Location"]


def test_before_any_letter_the_page_says_what_to_do_first(app, rt):
    add_user(rt, ANALYST, "analyst")
    _client, page = page_as(app, ANALYST)
    assert page.status_code == 200
    assert "outreach lottery invite" in page.get_data(as_text=True)


@needs_chromium
def test_the_page_reads_on_a_phone(app, rt, selected, chromium, tmp_path):
    """At 390 px, with a selection made (the panel's table too): nothing scrolls sideways;
    screenshotted to `STAFF_SCREENSHOTS` (else the test's tmp dir) as lottery.png."""
    client = app.test_client()
    sign_in(client, ANALYST)
    cookie = client.get_cookie(guard.SESSION_COOKIE, path="/staff")
    httpd = serve(app)
    base = f"http://127.0.0.1:{httpd.server_port}"
    context = chromium.new_context(viewport=PHONE_SCREEN, device_scale_factor=1)
    try:
        context.add_cookies([{"name": cookie.key, "value": cookie.value,
                              "url": f"{base}/staff/"}])
        page = context.new_page()
        page.goto(f"{base}/staff/lottery")
        assert page.locator("h1").inner_text() == "The civic lottery"
        folder = Path(os.environ.get("STAFF_SCREENSHOTS") or tmp_path) / "staff"
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / "lottery.png"), full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE_SCREEN["width"], f"the page scrolls sideways: {width} px"
        wide = page.evaluate("""[...document.querySelectorAll('.table-wrap')]
            .filter(e => e.scrollWidth > e.clientWidth).map(e => e.innerText.slice(0, 40))""")
        assert wide == []
    finally:
        context.close()
        httpd.shutdown()
