"""The shared desk PC: nothing a desk user typed survives sign-out or reaches the next
person — not the search box, not the results, not the browser's history or cache."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def sign_in(page, server, token):
    page.goto(server.url + "/sign-in")
    page.get_by_label("Token").fill(token)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/desk"))


def test_a_search_never_reaches_the_next_session(browser, server, demo):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    sign_in(page, server, demo["desk"])
    page.locator("#q").fill("田中")
    expect(page.locator("#results")).to_contain_text(re.compile("Nobody|No one|not found",
                                                                re.I))
    page.locator("#q").fill("Esempio")
    expect(page.locator(".results .name", has_text="Giulia Esempio")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/sign-in"))

    # Back, as the next person might: the desk page is not shown from any cache.
    page.go_back()
    expect(page).to_have_url(re.compile(r"/sign-in"))
    expect(page.locator("body")).not_to_contain_text("Giulia Esempio")

    # The next person signs in on the same browser: an empty search box, no results.
    sign_in(page, server, demo["desk"])
    expect(page.locator("#q")).to_have_value("")
    expect(page.locator(".results .name")).to_have_count(0)
    page.reload()
    expect(page.locator("#q")).to_have_value("")
    # and the browser offers nothing it remembered for the box
    assert page.locator("#q").get_attribute("autocomplete") == "off"
    assert page.locator("form[role=search]").get_attribute("autocomplete") == "off"
    page.get_by_role("link", name="Register", exact=True).click()
    assert page.locator("form[autocomplete=off]").count() == page.locator("form").count()
    context.close()
