"""The plenary in Chromium: the projector at 1920×1080, the moderator's page, and a
facilitator's page that saves itself and says when someone else was faster."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import check
from tests.support.browser import DESKTOP, TABLET, sign_in

pytestmark = pytest.mark.e2e

PROJECTOR = {"width": 1920, "height": 1080}


def _adopt(app, title: str, text: str | None = None) -> None:
    """What the moderator does elsewhere meanwhile (through the same service)."""
    from sqlalchemy import select

    from allocator.access import Principal
    from allocator.extensions import db
    from allocator.models import Event, Recommendation
    from allocator.services import recommendations

    with app.app_context():
        item = db.session.scalar(select(Recommendation).where(Recommendation.title == title))
        event = db.session.get(Event, item.event_id)
        change = {"status": "adopted", **({"text": text} if text else {})}
        recommendations.update(event, item.id, change, str(item.version),
                               Principal(0, "Moderator", "organizer", None), dict)
        db.session.remove()


def test_the_projector_reads_from_the_back_of_the_room_and_moves_on_with_the_arrows(
        app, browser, server, demo):
    context = browser.new_context(viewport=PROJECTOR)
    page = context.new_page()
    sign_in(page, server, demo["organizer"])
    page.goto(f"{server.url}/events/{demo['event']}/plenary/projector/0")
    expect(page.get_by_role("heading", name="Working group 1 – Structured Cooperation",
                            level=1)).to_be_visible()
    title = page.get_by_role("heading", name="A standing cooperation agreement")
    expect(title).to_be_visible()
    size = float(title.evaluate("e => getComputedStyle(e).fontSize").removesuffix("px"))
    assert size >= 36, f"titles are {size}px on the projector"
    # Everything of the group fits on the screen, without scrolling.
    assert page.evaluate("document.documentElement.scrollHeight") <= PROJECTOR["height"]
    check(page, "projector-1920")

    # The plenary adopts it elsewhere: the screen shows it without anyone touching it.
    _adopt(app, "A standing cooperation agreement")
    # it refreshes every 5 s; a busy machine (a CI runner) may stretch a period or two
    expect(page.get_by_text("Adopted").first).to_be_visible(timeout=20_000)

    page.keyboard.press("ArrowRight")
    page.get_by_role("heading", name="Working group 2 – Information Sharing",
                     level=1).wait_for()
    assert page.url.endswith("/plenary/projector/2")
    expect(page.locator(".projector-list em", has_text="only")).to_be_visible()  # Markdown
    # The heading shows before the page's script listens for the keys; a key pressed in
    # between went nowhere on a busy machine. "load" comes after the script has run.
    page.wait_for_load_state("load")
    page.keyboard.press("ArrowLeft")
    page.get_by_role("heading", name="Working group 1 – Structured Cooperation",
                     level=1).wait_for()
    context.close()


def test_the_moderator_adopts_and_orders_in_the_plenary(app, browser, server, demo):
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    sign_in(page, server, demo["organizer"])
    page.get_by_role("link", name="Plenary").first.click()
    expect(page.get_by_role("heading", name="Plenary", level=1)).to_be_visible()
    page.get_by_role("button", name="Adopt “Joint training”").click()
    card = page.locator("article", has=page.get_by_role("heading", name="Joint training"))
    expect(card.locator(".badge")).to_have_text("Adopted")
    expect(card.locator("li", has_text="identifying victims")).to_be_visible()  # the list
    page.get_by_role("button", name="Move up “Joint training”").click()
    first = page.locator(".theme-statement").first.locator("article h3").first
    expect(first).to_have_text("1. Joint training")
    check(page, "plenary-1280")
    page.set_viewport_size(TABLET)
    check(page, "plenary-768")
    context.close()


def test_a_facilitators_page_saves_itself_and_says_when_someone_else_was_first(
        app, browser, server, demo):
    from allocator.services.tokens import create_token

    with app.app_context():
        token = create_token("facilitator", "WG2 facilitator", demo["event"], 2)
    context = browser.new_context(viewport=TABLET)
    page = context.new_page()
    sign_in(page, server, token)
    text = page.get_by_label("Text").first
    text.fill("A minimum common set of anonymised data, in one format, reviewed yearly.")
    status = page.locator("[data-autosave-status]").first
    expect(status).to_have_text("Saved", timeout=15_000)
    check(page, "recommendations-autosaved-768")
    page.reload()
    expect(page.get_by_label("Text").first).to_have_value(re.compile(re.escape("reviewed yearly")))

    # The moderator changes the same recommendation; the facilitator types on.
    _adopt(app, "Agreed data standards", "The moderator's wording.")
    text = page.get_by_label("Text").first
    text.fill("My wording, typed after theirs.")
    expect(status).to_contain_text("Someone else changed this", timeout=15_000)
    page.get_by_role("button", name="Save “Agreed data standards”").click()
    expect(page.get_by_role("heading", name="Someone else changed this — compare")).to_be_visible()
    expect(page.get_by_text("The moderator's wording.").first).to_be_visible()
    expect(page.get_by_text("My wording, typed after theirs.")).to_be_visible()
    check(page, "recommendations-compare-768")
    context.close()


def _versions(app) -> dict[str, tuple[str, int]]:
    """Every recommendation's text and version, by title."""
    from sqlalchemy import select

    from allocator.extensions import db
    from allocator.models import Recommendation

    with app.app_context():
        rows = db.session.execute(select(Recommendation.title, Recommendation.text,
                                         Recommendation.version)).all()
        db.session.remove()
    return {title: (text, version) for title, text, version in rows}


def test_what_is_typed_before_the_pages_script_arrives_is_saved_and_nothing_else(
        app, browser, server, demo):
    """On a slow connection a facilitator types before app.js has run: that text is saved
    once it runs, and the recommendations nobody touched are not saved again."""
    from allocator.services.tokens import create_token

    with app.app_context():
        token = create_token("facilitator", "WG2 facilitator", demo["event"], 2)
    before = _versions(app)
    context = browser.new_context(viewport=TABLET)
    page = context.new_page()
    page.goto(server.url + "/")  # the sign-in page, with its script
    held = []
    page.route("**/app.js", lambda route: held.append(route))  # the script is on its way
    page.get_by_label("Token").fill(token)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Text").first.fill("Typed while the page was still loading.")
    assert held
    for route in held:
        route.continue_()
    status = page.locator("[data-autosave-status]")
    expect(status.first).to_have_text("Saved", timeout=15_000)
    page.wait_for_timeout(2_000)  # longer than the autosave's pause
    expect(status.nth(1)).to_have_text("")
    after = _versions(app)
    changed = {title for title in after if after[title] != before[title]}
    assert len(changed) == 1
    assert after[changed.pop()][0] == "Typed while the page was still loading."
    context.close()
