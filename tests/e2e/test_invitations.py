"""The invitee's own page in Chromium, on a phone and a desktop, with and without
JavaScript; and the organisers' Invitations page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select, update

from allocator.extensions import db
from allocator.models import Event, Message, Participant
from tests.e2e.conftest import check, fits, shot
from tests.support.browser import DESKTOP, both, sign_in

pytestmark = pytest.mark.e2e

PHONE_390 = {"width": 390, "height": 844}


def _links(app, server) -> dict[str, str]:
    """Each demo invitee's link (from the outbox: no SMTP server in the demo), by name."""
    with app.app_context():
        rows = db.session.execute(select(Participant.full_name, Message.link).join(
            Message, Message.participant_id == Participant.id)).all()
    return {name: server.url + link[link.index("/i/"):] for name, link in rows}


def _look(page, name: str, javascript: bool) -> None:
    """axe-core needs scripts: without them, the screenshot and the width check."""
    if javascript:
        check(page, name)
    else:
        shot(page, name)
        assert fits(page), name


def _status(app, name: str) -> str:
    with app.app_context():
        return db.session.scalar(select(Participant.status).where(
            Participant.full_name == name))


@pytest.mark.parametrize(("viewport", "javascript", "label"), [
    (PHONE_390, True, "phone"), (DESKTOP, True, "desktop"), (PHONE_390, False, "phone-nojs")])
def test_an_invitee_accepts_changes_and_declines_on_their_own_page(
        app, browser, server, demo, viewport, javascript, label):
    links = _links(app, server)
    name = {"phone": "Mario Rossi", "desktop": "Kari Nordmann",
            "phone-nojs": "Chen Xiaoming"}[label]
    context = browser.new_context(viewport=viewport, java_script_enabled=javascript)
    page = context.new_page()
    page.goto(links[name])
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^Building the Bridges"))
    expect(page.locator("dl.themes dt", has_text="Information Sharing")).to_be_visible()
    for other in links:
        if other != name:
            assert other not in page.content()
    _look(page, f"invitee-{label}-open", javascript)

    # Sending without consent: every problem said at once, next to its field.
    page.get_by_label("Yes, I will take part").check()
    page.get_by_label("Organisation").fill("Safe Homes Network")
    page.get_by_role("button", name="Send my answer").click()
    expect(page.get_by_text("Consent to processing is required.").first).to_be_visible()
    expect(page.get_by_text("Missing data for required field.").first).to_be_visible()
    _look(page, f"invitee-{label}-errors", javascript)

    page.get_by_label("Sector").select_option(label="Civil society")
    page.get_by_label("1st choice").select_option(label="Information Sharing")
    page.get_by_label("2nd choice").select_option(label="Structured Cooperation")
    page.get_by_label("Country").fill("Austria")
    page.get_by_label("I agree that my data is processed").check()
    page.get_by_role("button", name="Send my answer").click()
    expect(page.get_by_text("you are registered")).to_be_visible()
    assert _status(app, name) == "registered"
    _look(page, f"invitee-{label}-accepted", javascript)

    # Coming back: the answers are there; declining is one click.
    page.goto(links[name])
    # (the page now also offers "Show my organisation" to contacts: the answer's field)
    expect(page.get_by_role("textbox", name="Organisation")).to_have_value(
        "Safe Homes Network")
    expect(page.get_by_label("1st choice")).to_have_value("information-sharing")
    page.get_by_label("No, I cannot take part").check()
    page.get_by_role("button", name="Send my answer").click()
    expect(page.get_by_text("you will not take part")).to_be_visible()
    assert _status(app, name) == "declined"
    context.close()


def test_after_the_deadline_the_page_is_read_only_and_says_whom_to_ask(app, browser, server,
                                                                       demo):
    links = _links(app, server)
    with app.app_context():
        db.session.execute(update(Event).values(
            registration_closes_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)))
        db.session.commit()
    context = browser.new_context(viewport=PHONE_390)
    page = context.new_page()
    page.goto(links["Jan Novák"])
    expect(page.get_by_text("Answers closed on")).to_be_visible()
    expect(page.get_by_role("link", name="workshop-desk@example.org").first).to_be_visible()
    expect(page.get_by_role("button", name="Send my answer")).to_have_count(0)
    check(page, "invitee-closed")
    context.close()


def test_the_organisers_see_answers_messages_and_the_links_to_hand_over(app, browser, server,
                                                                        demo):
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    sign_in(page, server, demo["organizer"])
    page.get_by_role("link", name="Invitations").first.click()
    expect(page.locator("#count-invited")).to_have_text("6")
    expect(page.locator("#count-no-answer")).to_have_text("6")
    expect(page.get_by_text("No mail server is set up")).to_be_visible()
    expect(page.locator("input.link-copy")).to_have_count(6)
    both(page, "organiser-invitations")

    page.get_by_label("Full name").fill("Jane Doe")
    page.get_by_label("E-mail").fill("not-an-address")
    page.get_by_role("button", name="Add").click()
    expect(page.locator(".error-summary")).to_be_visible()
    page.get_by_label("E-mail").fill("jane.doe@example.org")
    page.get_by_role("button", name="Add").click()
    expect(page.get_by_text("Jane Doe is on the list")).to_be_visible()
    page.get_by_role("button", name="Send invitations to everyone not invited yet").click()
    expect(page.get_by_text("1 invitation queued.")).to_be_visible()
    expect(page.locator("#count-invited")).to_have_text("7")
    page.get_by_role("button", name="Tell people their group").click()
    expect(page.get_by_text("Nothing is published yet")).to_be_visible()
    both(page, "organiser-invitations-after")

    # At the desk an invitee is found, marked as such, and offered registration.
    page.get_by_role("link", name="Desk").first.click()
    page.locator("#q").fill("Mario Rossi")
    page.locator(".results .name", has_text="Mario Rossi").wait_for()
    expect(page.get_by_text("invited, no answer")).to_be_visible()
    both(page, "desk-invitee-found")
    page.locator(".results .name", has_text="Mario Rossi").click()
    expect(page.get_by_text("has not answered the invitation yet")).to_be_visible()
    both(page, "desk-invitee-person")
    context.close()
