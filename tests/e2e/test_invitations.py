"""The invitee's own page in Chromium, on a phone and a desktop, with and without
JavaScript; and the organisers' Invitations page."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update

from allocator.extensions import db
from allocator.models import Event, Message, Participant
from tests.e2e.conftest import check, fits, shot
from tests.e2e.test_browser import DESKTOP, both, sign_in

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
    assert page.get_by_role("heading", level=1).inner_text().startswith("Building the Bridges")
    assert page.locator("dl.themes dt", has_text="Information Sharing").is_visible()
    for other in links:
        if other != name:
            assert other not in page.content()
    _look(page, f"invitee-{label}-open", javascript)

    # Sending without consent: every problem said at once, next to its field.
    page.get_by_label("Yes, I will take part").check()
    page.get_by_label("Organisation").fill("Safe Homes Network")
    page.get_by_role("button", name="Send my answer").click()
    assert page.get_by_text("Consent to processing is required.").first.is_visible()
    assert page.get_by_text("Missing data for required field.").first.is_visible()
    _look(page, f"invitee-{label}-errors", javascript)

    page.get_by_label("Sector").select_option(label="Civil society")
    page.get_by_label("1st choice").select_option(label="Information Sharing")
    page.get_by_label("2nd choice").select_option(label="Structured Cooperation")
    page.get_by_label("Country").fill("Austria")
    page.get_by_label("I agree that my data is processed").check()
    page.get_by_role("button", name="Send my answer").click()
    assert page.get_by_text("you are registered").is_visible()
    assert _status(app, name) == "registered"
    _look(page, f"invitee-{label}-accepted", javascript)

    # Coming back: the answers are there; declining is one click.
    page.goto(links[name])
    assert page.get_by_label("Organisation").input_value() == "Safe Homes Network"
    assert page.get_by_label("1st choice").input_value() == "information-sharing"
    page.get_by_label("No, I cannot take part").check()
    page.get_by_role("button", name="Send my answer").click()
    assert page.get_by_text("you will not take part").is_visible()
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
    assert page.get_by_text("Answers closed on").is_visible()
    assert page.get_by_role("link", name="workshop-desk@example.org").first.is_visible()
    assert page.get_by_role("button", name="Send my answer").count() == 0
    check(page, "invitee-closed")
    context.close()


def test_the_organisers_see_answers_messages_and_the_links_to_hand_over(app, browser, server,
                                                                        demo):
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    sign_in(page, server, demo["organizer"])
    page.get_by_role("link", name="Invitations").first.click()
    assert page.locator("#count-invited").inner_text() == "6"
    assert page.locator("#count-no-answer").inner_text() == "6"
    assert page.get_by_text("No mail server is set up").is_visible()
    assert page.locator("input.link-copy").count() == 6
    both(page, "organiser-invitations")

    page.get_by_label("Full name").fill("Jane Doe")
    page.get_by_label("E-mail").fill("not-an-address")
    page.get_by_role("button", name="Add").click()
    assert page.locator(".error-summary").is_visible()
    page.get_by_label("E-mail").fill("jane.doe@example.org")
    page.get_by_role("button", name="Add").click()
    assert page.get_by_text("Jane Doe is on the list").is_visible()
    page.get_by_role("button", name="Send invitations to everyone not invited yet").click()
    assert page.get_by_text("1 invitation(s) queued.").is_visible()
    assert page.locator("#count-invited").inner_text() == "7"
    page.get_by_role("button", name="Send group announcements").click()
    assert page.get_by_text("Nothing is published yet").is_visible()
    both(page, "organiser-invitations-after")

    # At the desk an invitee is found, marked as such, and offered registration.
    page.get_by_role("link", name="Desk").first.click()
    page.locator("#q").fill("Mario Rossi")
    page.locator(".results .name", has_text="Mario Rossi").wait_for()
    assert page.get_by_text("invited, no answer").is_visible()
    both(page, "desk-invitee-found")
    page.locator(".results .name", has_text="Mario Rossi").click()
    assert page.get_by_text("has not answered the invitation yet").is_visible()
    both(page, "desk-invitee-person")
    context.close()
