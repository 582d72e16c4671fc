"""The workshop's people in a real browser: the Team page and a facilitator's sign-in link,
the programme and its screen, and a working group's summary of its discussion.

Every page state is screenshotted, checked for sideways scrolling and run through axe-core
(WCAG 2.1 A/AA) at 1280 px and at 390 px, the phone the invitees and facilitators carry.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import check

pytestmark = pytest.mark.e2e

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
GROUP = "Working group 2 – Information Sharing"


def sign_in(page, server, token):
    page.goto(server.url + "/")
    page.get_by_label("Token").fill(token)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/events/\d+/"))


def both(page, name: str) -> None:
    """Check the page state at 1280 px and at 390 px, then back to 1280."""
    for size, suffix in ((DESKTOP, "1280"), (PHONE, "390")):
        page.set_viewport_size(size)
        check(page, f"{name}-{suffix}")
    page.set_viewport_size(DESKTOP)


def test_organiser_gives_a_facilitator_their_group_by_link(browser, server, demo):
    organiser = browser.new_context(viewport=DESKTOP)
    page = organiser.new_page()
    sign_in(page, server, demo["organizer"])
    page.goto(f"{server.url}/events/{demo['event']}/team")
    expect(page.get_by_role("heading", name="Team", exact=True)).to_be_visible()
    both(page, "team-empty")

    # A mistake first: the error sits next to the field, nothing else is lost.
    form = page.get_by_role("form", name="Give someone access")
    form.get_by_label("Name").fill("Paula Ejemplo")
    form.get_by_label("E-mail").fill("not an address")
    form.get_by_label("Role").select_option("facilitator")
    form.get_by_label("Working group").select_option(label=GROUP)
    form.get_by_role("button", name="Send a sign-in link").click()
    expect(page.locator("#email-error")).to_be_visible()
    expect(form.get_by_label("Name")).to_have_value("Paula Ejemplo")
    expect(form.get_by_label("Working group")).to_have_value(re.compile(r"\d+"))
    both(page, "team-error")

    form.get_by_label("E-mail").fill("paula@example.org")
    form.get_by_role("button", name="Send a sign-in link").click()
    row = page.get_by_role("row").filter(has_text="Paula Ejemplo")
    expect(row).to_contain_text(GROUP)
    # No mail server in this test: the link to hand over is shown beside the name.
    link = row.locator("input.link-copy")
    expect(link).to_have_value(re.compile(r"/sign-in/"))
    both(page, "team-member")
    address = link.input_value()

    facilitator = browser.new_context(viewport=PHONE)
    phone = facilitator.new_page()
    phone.goto(address)
    expect(phone.get_by_text(re.compile(r"Paula Ejemplo, the organisers"))).to_be_visible()
    expect(phone.locator("main")).to_contain_text(GROUP)
    check(phone, "sign-in-link-390")
    phone.get_by_role("button", name="Sign in").click()
    # Her own group's page, and nothing of the organisers'.
    expect(phone.get_by_role("heading", name=re.compile(GROUP))).to_be_visible()
    expect(phone.get_by_role("link", name="Team")).to_have_count(0)
    check(phone, "facilitator-group-390")
    other = phone.goto(f"{server.url}/events/{demo['event']}/team")
    assert other.status == 403

    # Removing her ends the session on her phone at once.
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name=re.compile("Remove")).click()
    expect(page.get_by_role("row").filter(has_text="Paula Ejemplo")).to_have_count(0)
    phone.goto(f"{server.url}/events/{demo['event']}/groups/0/recommendations")
    expect(phone).to_have_url(re.compile(r"/sign-in"))
    # The link is spent with her access.
    assert phone.goto(address).status == 404
    facilitator.close()
    organiser.close()


def test_programme_and_its_screen(browser, server, demo):
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    sign_in(page, server, demo["organizer"])
    page.get_by_role("link", name="Programme").click()
    expect(page.get_by_role("heading", name="Programme", exact=True)).to_be_visible()
    expect(page.locator("ol.programme li").first).to_be_visible()
    before = page.locator("ol.programme li").count()
    both(page, "programme")

    adding = page.locator("#add-item")
    adding.get_by_label("Starts").fill("12:30")
    adding.get_by_label("Ends").fill("12:20")
    adding.get_by_label("Title").fill("Lunch")
    adding.get_by_role("button", name="Add").click()
    # An end before the start is refused next to the field, the title kept.
    expect(page.locator("#add-item")).to_contain_text("after")
    expect(page.locator("#add-item").get_by_label("Title")).to_have_value("Lunch")
    both(page, "programme-error")

    # Outside the morning is refused too; inside it, the item takes its place in time.
    page.locator("#add-item").get_by_label("Ends").fill("13:30")
    page.locator("#add-item").get_by_role("button", name="Add").click()
    expect(page.locator("#add-item")).to_contain_text("Must lie within the event")
    page.locator("#add-item").get_by_label("Starts").fill("10:55")
    page.locator("#add-item").get_by_label("Ends").fill("11:00")
    page.locator("#add-item").get_by_label("Title").fill("Coffee to take into the groups")
    page.locator("#add-item").get_by_role("button", name="Add").click()
    expect(page.locator("ol.programme li")).to_have_count(before + 1)
    expect(page.locator("ol.programme li").filter(has_text="Coffee to take")).to_contain_text(
        "10:55–11:00")

    page.get_by_role("link", name=re.compile("Now and next")).click()
    expect(page.locator("main")).to_contain_text(re.compile(r"Next|Now|Later|ended", re.I))
    both(page, "programme-now")
    context.close()


def test_facilitator_writes_the_group_summary(browser, server, demo, app):
    from allocator.services.tokens import create_token

    with app.app_context():
        from sqlalchemy import select

        from allocator.extensions import db
        from allocator.models import WorkingGroup

        group = db.session.scalar(select(WorkingGroup).where(WorkingGroup.name == GROUP))
        token = create_token("facilitator", "Facilitator", event_id=demo["event"],
                             group_id=group.id)
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    sign_in(page, server, token)
    page.goto(f"{server.url}/events/{demo['event']}/groups/0/recommendations")
    expect(page.get_by_role("heading", name=re.compile(GROUP))).to_be_visible()
    summary = page.get_by_label(f"Summary of {GROUP}")
    summary.fill("The group discussed regular meetings between police and shelters.")
    page.get_by_role("button", name="Save the summary").click()
    expect(page.locator("[data-autosave-status], .flash").first).to_be_visible()
    page.reload()
    expect(page.get_by_label(f"Summary of {GROUP}")).to_have_value(
        "The group discussed regular meetings between police and shelters.")
    both(page, "group-summary")
    context.close()


def test_organiser_pages_changed_for_the_day(browser, server, demo):
    """Event & groups with theme descriptions, Invitations' one button for the groups, and
    the Allocate page naming whom the roles need, at 1280 and 390 px."""
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    sign_in(page, server, demo["organizer"])
    page.goto(f"{server.url}/events/{demo['event']}/setup")
    description = page.get_by_label("Description of Information Sharing")
    expect(description).to_have_value(re.compile("transnational data sharing"))
    description.fill("How can data be shared safely between police and NGOs?")
    description.locator("xpath=ancestor::form").get_by_role(
        "button", name=re.compile("^Save")).click()
    expect(page.get_by_text("Theme saved.")).to_be_visible()
    expect(page.get_by_label("Description of Information Sharing")).to_have_value(
        "How can data be shared safely between police and NGOs?")
    both(page, "setup-themes")

    page.goto(f"{server.url}/events/{demo['event']}/invitations")
    expect(page.get_by_role("button", name="Tell people their group")).to_be_visible()
    expect(page.get_by_label(re.compile("Send everyone their group again"))).not_to_be_checked()
    both(page, "invitations-groups")

    page.goto(f"{server.url}/events/{demo['event']}/allocate")
    page.get_by_label(re.compile("Only people who checked in")).check()
    page.get_by_role("button", name="Allocate").click()
    needed = page.locator("#needed")
    expect(needed).to_contain_text("Somchai Tua-yang: registered as a facilitator, not "
                                   "checked in.")
    expect(needed.get_by_role("button", name="Go ahead without them")).to_be_visible()
    expect(page.get_by_label(re.compile("Only people who checked in"))).to_be_checked()
    both(page, "allocate-needed")
    context.close()
