"""The staff area in a real browser (Debian's Chromium through Playwright) at a phone's width.

An officer signs in with the keyboard and reads the dashboard, where a group is marked
"under-represented", and the demo data's dashboard fits a phone; the wellbeing lead lands
on the alerts, acknowledges one with a note and is refused (403) a page that is not for
their role; a page on another site that posts a form into the staff area gets nothing.
Screenshots go to `STAFF_SCREENSHOTS` if set, else the test's tmp dir. Skipped, with the
reason, when Chromium or Playwright is missing (`.ci/run` installs Debian's chromium; never
`playwright install`).
"""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from werkzeug.wrappers import Response

from app import create_app
from bot.conversations import Inbound, handle
from bot.members import job
from staff import guard
from store.models import Alert
from tests.helpers.browser import PHONE_SCREEN, needs_chromium, serve
from tests.helpers.members import add_session, import_members
from tests.helpers.staff import PASSWORD, PHONE, add_alert, add_response, add_user
from tests.helpers.staff import sign_in as client_sign_in
from tests.helpers.surveys import load_surveys

try:
    from playwright.sync_api import expect
except ImportError:  # the tests skip below
    expect = None

pytestmark = needs_chromium
OFFICER, LEAD, ADMIN = "officer@example.org", "lead@example.org", "admin@example.org"
MEMBER_PHONE = "+447700900101"


@pytest.fixture
def server(tmp_path, sqlite_template, clock):
    """The app on 127.0.0.1 over plain http (so STAFF_COOKIE_SECURE=false, as documented
    for local development), with users, responses and an alert."""
    shutil.copy(sqlite_template, tmp_path / "outreach.db")
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'outreach.db'}",
                      "SECRET_KEY": "browser-test", "INSTANCE_PATH": str(tmp_path / "instance"),
                      "TRANSLATOR": "none", "STAFF_COOKIE_SECURE": "false"}, clock=clock)
    rt = app.extensions["outreach"]
    load_surveys(rt)
    add_user(rt, OFFICER, "analyst")
    add_user(rt, LEAD, "wellbeing")
    add_user(rt, ADMIN, "admin")
    for n in range(12):
        add_response(rt, "neighbourhood-policing", channel=("sms", "web", "telegram")[n % 3],
                     answers={"age_band": "35_44", "gender": "woman" if n % 2 else "man"})
    add_response(rt, "neighbourhood-policing", language="ur", complete=False,
                 answers={"safe_day": 2})
    alert = add_alert(rt, text="mera sauteela baap mujhe maarta hai", language="ur",
                      severity=2, text_en="my stepfather hits me")
    httpd = serve(app)
    yield f"http://127.0.0.1:{httpd.server_port}", rt, alert
    httpd.shutdown()
    rt.engine.dispose()


@pytest.fixture
def phone(chromium):
    context = chromium.new_context(viewport=PHONE_SCREEN, device_scale_factor=1, locale="en-GB")
    yield context.new_page()
    context.close()


@pytest.fixture
def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("STAFF_SCREENSHOTS") or tmp_path) / "staff"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def fits(page) -> None:
    """Nothing wider than the phone, no table that must be scrolled sideways to read its
    last column, no phone number anywhere."""
    page.wait_for_load_state()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_SCREEN["width"], f"the page scrolls sideways: {width} px"
    hidden = page.evaluate("""[...document.querySelectorAll('.table-wrap')]
        .filter(e => e.scrollWidth > e.clientWidth).map(e => e.innerText.slice(0, 40))""")
    assert hidden == [], f"tables wider than the phone: {hidden}"
    for number in (PHONE, MEMBER_PHONE):
        assert number[-6:] not in page.content()


def sign_in(page, base: str, email: str) -> None:
    """With the keyboard only: type, Tab, type, Enter."""
    page.goto(f"{base}/staff/login")
    page.get_by_label("Email address").focus()
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")


def test_an_officer_signs_in_on_a_phone_and_sees_who_is_under_represented(server, phone,
                                                                          shots):
    base, _rt, _alert = server
    page = phone
    page.goto(f"{base}/staff/login")
    fits(page)
    page.screenshot(path=str(shots / "0-login.png"), full_page=True)
    sign_in(page, base, OFFICER)
    expect(page).to_have_url(f"{base}/staff/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    fits(page)
    older = page.locator("tr").filter(has_text="65 to 74")
    expect(older.locator(".unheard-mark")).to_have_text("under-represented")
    expect(older).to_contain_text("none")
    expect(page.locator("#where-next + p + ol.next, #where-next ~ ol.next").first
           ).to_contain_text("65 to 74")
    not_english = page.locator("section.comparison tr").filter(
        has_text="English is not the main language")  # the one who answered in Urdu
    expect(not_english).to_contain_text("Urdu")
    expect(not_english).to_contain_text("fewer than 5")
    expect(page.locator("svg.chart").first).to_be_visible()
    page.screenshot(path=str(shots / "1-dashboard.png"), full_page=True)
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["outreach_staff"]["httpOnly"] and cookies["outreach_staff"]["sameSite"] == "Lax"
    response = page.goto(f"{base}/staff/alerts")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Not for your role")


def test_the_demo_dashboard_fits_a_phone(demo, phone, shots):
    """The demo data's dashboard at 390 px, where to go next at the top: no sideways
    scrolling, screenshotted into the tests' output."""
    add_user(demo.rt, "browser-demo@example.org", "analyst")
    client = demo.app.test_client()
    client_sign_in(client, "browser-demo@example.org")
    cookie = client.get_cookie(guard.SESSION_COOKIE, path="/staff")
    httpd = serve(demo.app)
    base = f"http://127.0.0.1:{httpd.server_port}"
    try:  # the demo app's cookie is Secure; the browser is given it for plain http here
        phone.context.add_cookies([{"name": cookie.key, "value": cookie.value,
                                    "url": f"{base}/staff/"}])
        phone.goto(f"{base}/staff/")
        expect(phone.get_by_role("heading", name="Where to go next")).to_be_visible()
        expect(phone.locator("ol.next li").first).to_contain_text("would bring it to parity")
        expect(phone.get_by_role("heading", name="Who we have heard from")).to_be_visible()
        fits(phone)
        phone.screenshot(path=str(shots / "7-dashboard-demo.png"), full_page=True)
    finally:
        httpd.shutdown()


def test_the_wellbeing_lead_acknowledges_an_alert_and_is_refused_elsewhere(server, phone,
                                                                           shots):
    base, rt, alert = server
    page = phone
    sign_in(page, base, LEAD)
    expect(page).to_have_url(f"{base}/staff/alerts")  # via /staff/, to the lead's own page
    card = page.locator(f"#alert-{alert}")
    expect(card).to_contain_text("mera sauteela baap mujhe maarta hai")
    expect(card).to_contain_text("my stepfather hits me")
    fits(page)
    page.screenshot(path=str(shots / "2-alerts.png"), full_page=True)
    card.get_by_role("link", name="Read the conversation, write back and acknowledge").click()
    expect(page).to_have_url(f"{base}/staff/alerts/{alert}")
    page.get_by_label("What was done").fill("Called back; referred to the MASH")
    page.get_by_role("button", name=f"Acknowledge alert #{alert}").click()  # no tick: refused
    expect(page.get_by_role("alert")).to_contain_text("Tick the box to confirm")
    expect(page.get_by_label("What was done")).to_have_value("Called back; referred to the MASH")
    page.get_by_label(f"I have dealt with alert #{alert}").check()
    page.get_by_role("button", name=f"Acknowledge alert #{alert}").click()
    expect(page.get_by_role("status")).to_have_text(f"Alert #{alert} acknowledged.")
    expect(page.locator(f"#alert-{alert}")).to_contain_text(f"by {LEAD}")
    fits(page)
    page.screenshot(path=str(shots / "3-acknowledged.png"), full_page=True)
    with rt.sessions() as session:
        assert session.get(Alert, alert).ack_note == "Called back; referred to the MASH"
    response = page.goto(f"{base}/staff/users")
    assert response.status == 403
    expect(page.locator("main")).to_contain_text("does not open this page")
    fits(page)


def test_a_form_on_another_site_gets_nothing(server, chromium):
    base, rt, alert = server
    target = f"{base}/staff/alerts/{alert}/ack"

    def attacker(environ, start_response):
        page = (f'<form method="post" action="{target}"><input name="note" value="pwned">'
                '<button>Win a prize</button></form>')
        return Response(page, mimetype="text/html")(environ, start_response)

    httpd = serve(attacker)
    port = httpd.server_port
    context = chromium.new_context(viewport=PHONE_SCREEN)
    page = context.new_page()
    try:
        sign_in(page, base, LEAD)
        expect(page).to_have_url(f"{base}/staff/alerts")
        page.goto(f"http://localhost:{port}/")  # another site: localhost is not 127.0.0.1
        with page.expect_navigation() as landed:
            page.get_by_role("button", name="Win a prize").click()
        assert landed.value.status == 400
        with rt.sessions() as session:
            assert session.get(Alert, alert).acked_at is None
    finally:
        context.close()
        httpd.shutdown()


def test_an_analyst_downloads_an_export_and_the_pack_from_a_phone(server, phone, shots):
    """Exports page → CSV of the residents' survey, read back; the pack's button too."""
    base, _rt, _alert = server
    sign_in(phone, base, OFFICER)
    expect(phone.get_by_role("heading", level=1)).to_be_visible()
    phone.get_by_role("link", name="Exports").click()
    expect(phone.get_by_role("heading", name="Exports and the evidence pack")).to_be_visible()
    phone.screenshot(path=shots / "exports.png", full_page=True)
    fits(phone)
    with phone.expect_download() as caught:
        phone.get_by_role("link", name="CSV of Your say on neighbourhood policing").click()
    download = caught.value
    assert download.suggested_filename.startswith("neighbourhood-policing-")
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    header, *rows = text.splitlines()
    assert header.startswith("respondent,survey,survey_version,channel,language,status")
    assert len(rows) == 13 and PHONE[-6:] not in text
    with phone.expect_download() as caught:
        phone.get_by_role("link", name="Download the evidence pack").click()
    assert caught.value.suggested_filename.endswith(".html")


def test_the_wellbeing_lead_sees_whom_to_call_and_an_admin_manages_users_on_a_phone(
        server, phone, shots, clock):
    base, rt, _alert = server
    import_members(rt, "Ana Popescu,07700 900101,,ro,sms,", "Kasia Nowak,07700900102,,pl,sms,")
    add_session(rt, "Day 1", "2026-03-14T10:00")
    add_session(rt, "Day 2", "2026-03-15T10:00")
    clock.set(datetime(2026, 3, 17, 18, tzinfo=UTC))  # the check-in after the weekend
    job.send_due(rt, clock.now)
    handle(rt, Inbound("sms", MEMBER_PHONE, "2"))  # low: an alert, and the offer of a call
    page = phone
    sign_in(page, base, LEAD)
    page.get_by_role("navigation").get_by_role("link", name="Check-ins").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Members' check-ins")
    to_call = page.locator("#to-call + p + ul")
    expect(to_call).to_contain_text("Ana Popescu")
    expect(to_call).to_contain_text("a low check-in score")
    rows = page.locator("table tbody tr")
    expect(rows.first).to_contain_text("Ana Popescu")  # low first
    expect(rows.nth(1)).to_contain_text("no answer")
    fits(page)
    page.screenshot(path=str(shots / "4-check-ins.png"), full_page=True)
    to_call.get_by_role("link").first.click()
    expect(page.locator("article", has_text="Ana Popescu")).to_contain_text("low score")
    fits(page)
    page.context.clear_cookies()
    sign_in(page, base, ADMIN)
    page.get_by_role("navigation").get_by_role("link", name="Users").click()
    expect(page.get_by_role("button", name=f"Disable {LEAD}")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Nobody can change their own access here")
    fits(page)
    page.screenshot(path=str(shots / "5-users.png"), full_page=True)
    page.get_by_role("navigation").get_by_role("link", name="Audit log").click()
    expect(page.locator("main")).to_contain_text(f"account {ADMIN}")
    fits(page)
    page.screenshot(path=str(shots / "6-audit.png"), full_page=True)
