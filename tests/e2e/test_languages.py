"""The personal page in each of the six languages in Chromium at 390 px: chosen with the
page's own switch, axe-clean, no sideways scroll; Arabic right to left (the layout
mirrored, Latin names isolated); a staff page in German at 1280 px."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from allocator.extensions import db
from allocator.models import Message, Participant
from tests.e2e.conftest import check
from tests.support.browser import DESKTOP, sign_in

pytestmark = pytest.mark.e2e

PHONE_390 = {"width": 390, "height": 844}
NAMES = {"en": "English", "fr": "Français", "es": "Español", "ru": "Русский",
         "ar": "العربية", "zh": "中文"}
SEND = {"ar": "إرسال ردي", "zh": "提交答复"}


def _link(app, server, name: str) -> str:
    with app.app_context():
        link = db.session.scalar(select(Message.link).join(
            Participant, Message.participant_id == Participant.id).where(
            Participant.full_name == name))
    return server.url + link[link.index("/i/"):]


def test_the_personal_page_in_each_language_mirrors_for_arabic(app, browser, server, demo):
    context = browser.new_context(viewport=PHONE_390, locale="en-GB")
    page = context.new_page()
    page.goto(_link(app, server, "Mario Rossi"))
    for code, name in NAMES.items():
        if code != "en":
            page.locator(".language-switch").get_by_role("button", name=name).click()
        expect(page.locator("html")).to_have_attribute("lang", code)
        expect(page.locator("html")).to_have_attribute("dir", "rtl" if code == "ar" else "ltr")
        expect(page.locator(".language-switch [aria-current]")).to_have_text(name)
        check(page, f"personal-{code}-390")

    # Arabic: the page reads from the right; the answer is given in Arabic too.
    page.locator(".language-switch").get_by_role("button", name=NAMES["ar"]).click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    heading = page.get_by_role("heading", level=1).bounding_box()
    switch = page.locator(".language-switch").bounding_box()
    assert switch["x"] < heading["x"] + heading["width"]  # the switch sits at the line's end
    page.locator("#answer-accept").check()
    page.locator("#organization").fill("Safe Homes Network")
    page.locator("#sector").select_option("civil_society")
    page.locator("#preference_1").select_option("information-sharing")
    page.locator("#consent").check()
    page.get_by_role("button", name=SEND["ar"]).click()
    expect(page.locator("#ticket-heading")).to_have_text("تذكرتك")
    expect(page.locator("p.flash.ok bdi")).to_have_text("Mario Rossi")
    check(page, "personal-ar-registered-390")

    page.locator(".language-switch").get_by_role("button", name=NAMES["zh"]).click()
    expect(page.locator("#ticket-heading")).to_have_text("您的入场券")
    expect(page.locator("#networking-heading")).to_have_text("结识他人")
    check(page, "personal-zh-registered-390")
    context.close()


def test_a_staff_session_reads_german_and_goes_back(browser, server, demo):
    context = browser.new_context(viewport=DESKTOP, locale="en-GB")
    page = context.new_page()
    sign_in(page, server, demo["organizer"])
    page.goto(f"{server.url}/events/{demo['event']}/desk")
    page.locator(".language-choice").get_by_role("button", name="Deutsch").click()
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("button", name=re.compile("^Abmelden"))).to_be_visible()
    check(page, "desk-de-1280")
    page.goto(f"{server.url}/events/{demo['event']}/allocate")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Personen in Arbeitsgruppen einteilen")
    check(page, "allocate-de-1280")
    page.locator(".language-choice").get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    context.close()
