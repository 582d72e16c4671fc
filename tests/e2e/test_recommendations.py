"""The recommendations page in Chromium: organisers switch groups, facilitators add."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import check
from tests.support.browser import DESKTOP, TABLET, both, sign_in

pytestmark = pytest.mark.e2e


def test_organisers_and_facilitators_work_on_recommendations(app, browser, server, demo):
    from allocator.services.tokens import create_token

    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    sign_in(page, server, demo["organizer"])
    page.get_by_role("link", name="Recommendations").first.click()
    expect(page.get_by_role("heading", name="Working group 1 – Structured Cooperation")
           ).to_be_visible()
    expect(page.get_by_label("Title").first).to_have_value("A standing cooperation agreement")
    both(page, "recommendations-organiser")
    context.close()

    with app.app_context():
        token = create_token("facilitator", "WG2 facilitator", demo["event"], 2)
    context = browser.new_context(viewport=TABLET)
    page = context.new_page()
    sign_in(page, server, token)
    expect(page.get_by_role("heading", name="Working group 2 – Information Sharing")
           ).to_be_visible()
    page.locator("#title").fill("Regular joint case reviews")
    page.locator("#text").fill("Police and NGOs review closed cases together twice a year.")
    page.get_by_role("button", name="Add").click()
    expect(page.get_by_text("“Regular joint case reviews” is saved.")).to_be_visible()
    check(page, "recommendations-facilitator-768")
    context.close()
