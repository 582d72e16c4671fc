"""The desk's and the organisers' day, in a real browser."""

from __future__ import annotations

import csv
import io
import re

import pytest

from tests.e2e.conftest import fits, shot

pytestmark = pytest.mark.e2e

DESKTOP = {"width": 1280, "height": 800}
TABLET = {"width": 768, "height": 1024}


def sign_in(page, server, token):
    page.goto(server.url + "/")
    assert "/sign-in" in page.url
    page.get_by_label("Token").fill(token)
    page.get_by_role("button", name="Sign in").click()


def test_desk_registers_finds_and_checks_in(browser, server, demo):
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    sign_in(page, server, demo["desk"])
    page.wait_for_url(re.compile(r"/events/\d+/desk"))
    shot(page, "desk-start")
    assert fits(page)
    registered_before = int(page.locator("#count-registered").inner_text())

    page.get_by_role("link", name="Register someone new").click()
    page.get_by_label("Full name").fill("Ada Placeholder")
    page.get_by_label("E-mail").fill("ada.placeholder@example.org")
    page.get_by_label("Organisation").fill("Labour Inspectorate")
    page.get_by_label("Sector").select_option("government")
    page.get_by_label("Country").fill("AT")
    page.get_by_label("Information Sharing").select_option("1")
    page.get_by_label("Structured Cooperation").select_option("2")
    page.get_by_label("Check them in now").uncheck()
    page.get_by_role("button", name="Register").click()
    # consent was not ticked: the same rule as the API, said next to the field
    assert page.get_by_text("Consent to processing is required.").is_visible()
    shot(page, "desk-register-consent-missing")
    page.get_by_label("The person agrees that their data is processed").check()
    page.get_by_role("button", name="Register").click()
    assert page.get_by_text("Ada Placeholder is registered.").is_visible()
    shot(page, "desk-person-registered")

    page.get_by_role("link", name="Desk").click()
    page.get_by_label("Name, organisation or e-mail").fill("placehold")
    page.locator(".results .name", has_text="Ada Placeholder").wait_for()  # as you type
    shot(page, "desk-search")
    page.get_by_role("button", name="Check in Ada Placeholder").click()
    assert page.get_by_text("Ada Placeholder is checked in.").is_visible()
    assert int(page.locator("#count-registered").inner_text()) == registered_before + 1
    assert page.get_by_role("button", name="Undo").is_visible()
    shot(page, "desk-checked-in")

    # the same e-mail again: a clear message that links to the existing person
    page.get_by_role("link", name="Register", exact=True).click()
    page.get_by_label("Full name").fill("Ada Again")
    page.get_by_label("E-mail").fill("ADA.placeholder@example.org")
    page.get_by_label("Organisation").fill("Elsewhere")
    page.get_by_label("Sector").select_option("media")
    page.get_by_label("The person agrees that their data is processed").check()
    page.get_by_role("button", name="Register").click()
    link = page.get_by_role("link", name="open their registration")
    assert link.is_visible()
    shot(page, "desk-register-duplicate")
    link.click()
    assert page.get_by_role("heading", name="Ada Placeholder").is_visible()
    context.close()


def tab_to(page, target, presses: int = 40) -> None:
    """Move the focus to ``target`` with the Tab key alone (it may have it already)."""
    for _ in range(presses):
        if target.evaluate("el => el === document.activeElement"):
            return
        page.keyboard.press("Tab")
    assert target.evaluate("el => el === document.activeElement"), "not reachable by Tab"


def test_desk_works_without_javascript_and_by_keyboard(browser, server, demo):
    context = browser.new_context(viewport=TABLET, java_script_enabled=False)
    page = context.new_page()
    page.goto(server.url + "/")
    tab_to(page, page.locator("#token"))
    page.keyboard.type(demo["desk"])
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/desk"))
    tab_to(page, page.locator("#q"))
    page.keyboard.type("Giammarinaro")
    page.keyboard.press("Enter")
    page.locator(".results .name", has_text="Maria Grazia Giammarinaro").wait_for()
    tab_to(page, page.get_by_role("button", name="Check in Maria Grazia Giammarinaro"))
    page.keyboard.press("Enter")
    page.get_by_text("Maria Grazia Giammarinaro is checked in.").wait_for()
    assert fits(page)
    shot(page, "desk-tablet-no-js")
    context.close()


def test_organiser_allocates_moves_publishes_and_downloads(browser, server, demo):
    context = browser.new_context(viewport=DESKTOP, accept_downloads=True)
    page = context.new_page()
    sign_in(page, server, demo["organizer"])
    page.wait_for_url(re.compile(r"/allocate"))
    page.get_by_role("link", name="Event & groups").click()
    shot(page, "organiser-setup")
    page.get_by_role("link", name="Rules").click()
    lance = page.locator("#pin-person option", has_text="Lance Bonneau").get_attribute("value")
    page.get_by_label("Person", exact=True).select_option(lance)
    page.get_by_label("Group", exact=True).select_option(
        label="Working group 2 – Information Sharing")
    page.get_by_role("button", name="Add pin").click()
    assert page.get_by_text("Rule added.").is_visible()
    shot(page, "organiser-rules")

    page.get_by_role("link", name="Allocate").click()
    page.get_by_label("Time limit (seconds)").fill("10")
    page.get_by_role("button", name="Allocate").click()
    page.wait_for_url(re.compile(r"/runs/\d+"))
    bars = page.locator("svg.bar")
    assert bars.count() == 4  # the event and its three groups
    assert page.locator("svg.bar rect title").count() >= 12  # numbers on hover
    assert page.get_by_role("table").first.is_visible()
    assert page.locator("svg.ranks rect").count() >= 1
    shot(page, "organiser-run")
    assert fits(page)

    # Move a participant of group 1 (not a facilitator, not pinned) to group 3.
    option = page.locator("#move-person optgroup").first.locator(
        "option:not(:has-text('facilitator'))").first
    name = option.inner_text()
    page.get_by_label("Move someone").select_option(option.get_attribute("value"))
    page.get_by_label("to the group").select_option(
        label="Working group 3 – Non-Traditional Stakeholders")
    page.get_by_role("button", name="Move", exact=True).click()
    page.get_by_text(re.compile(r"^Moved\.")).wait_for()
    moved = page.locator(".group-card", has_text="Working group 3").locator("li", has_text=name)
    assert "moved by hand" in moved.inner_text()
    shot(page, "organiser-after-move")
    # a rule refuses a move: the pinned expert stays in group 2
    page.get_by_label("Move someone").select_option(label="Lance Bonneau (facilitator)")
    page.get_by_label("to the group").select_option(
        label="Working group 1 – Structured Cooperation")
    page.get_by_role("button", name="Move", exact=True).click()
    assert page.get_by_text(re.compile("This move breaks a rule")).is_visible()
    page.get_by_role("button", name="Publish").click()
    assert page.get_by_text("Published: the desk now tells people").is_visible()

    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    data = open(download.value.path(), encoding="utf-8-sig").read()
    rows = list(csv.reader(io.StringIO(data, newline="")))
    assert rows[0][:5] == ["Group", "Theme", "Room", "Facilitator", "Full name"]
    assert len(rows) - 1 == 83 and name in {r[4] for r in rows}
    assert download.value.suggested_filename.endswith(".csv")

    page.set_viewport_size(TABLET)
    page.reload()
    assert fits(page)
    shot(page, "organiser-run-tablet")
    context.close()
