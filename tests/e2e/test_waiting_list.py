"""Seats short, in a real browser (issue 29): the Allocate page says how many seats are
missing and offers the waiting list; the run's page lists who waits, in order, and why.

Each page state is screenshotted, checked for sideways scrolling and run through axe-core
at 1280 px and at 390 px.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import check
from tests.support.browser import sign_in

pytestmark = pytest.mark.e2e

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
SHORT = 3  # seats fewer than the people


def both(page, name: str) -> None:
    """Check the page state at 1280 px and at 390 px, then back to 1280."""
    for size, suffix in ((DESKTOP, "1280"), (PHONE, "390")):
        page.set_viewport_size(size)
        check(page, f"{name}-{suffix}")
    page.set_viewport_size(DESKTOP)


@pytest.fixture
def short_of_seats(app, demo):
    """The demo's rooms made smaller: three people more than seats."""
    from sqlalchemy import func, select

    from allocator.extensions import db
    from allocator.models import Participant, WorkingGroup

    with app.app_context():
        people = db.session.scalar(select(func.count()).select_from(Participant).where(
            Participant.event_id == demo["event"],
            Participant.status.in_(("registered", "checked_in")))) or 0
        groups = list(db.session.scalars(select(WorkingGroup).where(
            WorkingGroup.event_id == demo["event"]).order_by(WorkingGroup.id)))
        programme = sum(1 for p in db.session.scalars(select(Participant).where(
            Participant.event_id == demo["event"])) if p.leads_programme)
        seats = people - programme - SHORT
        for n, group in enumerate(groups):
            group.capacity = seats // len(groups) + (1 if n < seats % len(groups) else 0)
            group.min_size = 0
        db.session.commit()
    return demo


def test_seats_short_offers_the_waiting_list_and_the_run_lists_it(browser, server,
                                                                  short_of_seats):
    page = browser.new_context(viewport=DESKTOP).new_page()
    sign_in(page, server, short_of_seats["organizer"])
    page.wait_for_url(re.compile(r"/allocate"))
    page.get_by_label("Time limit (seconds)").fill("10")
    page.get_by_role("button", name="Allocate", exact=True).click()
    alert = page.locator("#seats-short")
    expect(alert).to_contain_text(f"{SHORT} seats are missing")
    expect(page.get_by_label(re.compile("If seats run short"))).to_be_visible()
    both(page, "allocate-seats-short")

    page.get_by_role("button", name="Allocate with a waiting list").click()
    page.wait_for_url(re.compile(r"/runs/\d+"))
    waiting = page.locator("#waiting-list li")
    expect(waiting).to_have_count(SHORT)
    expect(page.locator("#waiting-list")).to_contain_text("No seat was left")
    both(page, "run-waiting-list")
