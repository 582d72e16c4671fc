"""The desk's and the organisers' day, in a real browser.

Every page state a test reaches is screenshotted, checked for sideways scrolling and run
through axe-core (WCAG 2.1 A/AA); most at 1280 and 768 px, the busy ones at 320 px too.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import check, fits, shot
from tests.support.browser import DESKTOP, PHONE, TABLET, both, sign_in

pytestmark = pytest.mark.e2e

def in_view(locator) -> bool:
    """The element is (at least partly) inside the visible part of the window."""
    return locator.evaluate(
        "el => { const r = el.getBoundingClientRect();"
        " return r.bottom > 0 && r.top < window.innerHeight; }")


def focused_is_summary(page) -> bool:
    """After a failed submit the focus moves to the summary of what to correct."""
    page.wait_for_load_state()
    return page.evaluate("document.activeElement.hasAttribute('data-error-summary')")


def test_desk_registers_finds_and_checks_in(browser, server, demo):
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    sign_in(page, server, demo["desk"])
    page.wait_for_url(re.compile(r"/events/\d+/desk"))
    both(page, "desk-start")
    registered_before = int(page.locator("#count-registered").inner_text())

    page.get_by_role("link", name="Register someone new").click()
    both(page, "desk-register")
    page.get_by_label("Full name").fill("Ada Placeholder")
    page.get_by_label("E-mail").fill("ada.placeholder@example.org")
    page.get_by_label("Organisation").fill("Labour Inspectorate")
    page.get_by_label("Sector").select_option(label="Government")
    page.get_by_label("Country").fill("at")  # as typed: a code in lower case
    page.get_by_label("Information Sharing").select_option("1")
    page.get_by_label("Structured Cooperation").select_option("2")
    page.get_by_label("Check them in now").uncheck()
    page.get_by_role("button", name="Register").click()
    # consent was not ticked: the same rule as the API, said next to the field, and the
    # focus is on the summary of what to correct
    expect(page.locator("#consent-error")).to_have_text("Consent to processing is required.")
    assert focused_is_summary(page)
    both(page, "desk-register-consent-missing")
    page.get_by_label("The person agrees that their data is processed").check()
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_text("Ada Placeholder is registered.")).to_be_visible()
    both(page, "desk-person-registered")

    page.get_by_role("link", name="Desk").click()
    page.get_by_label("Name, organisation or e-mail").fill("placehold")
    page.locator(".results .name", has_text="Ada Placeholder").wait_for()  # as you type
    both(page, "desk-search")
    page.get_by_role("button", name="Check in Ada Placeholder").click()
    expect(page.get_by_text("Ada Placeholder is checked in.")).to_be_visible()
    expect(page.locator("#count-registered")).to_have_text(str(registered_before + 1))
    expect(page.get_by_role("button", name="Undo")).to_be_visible()
    both(page, "desk-checked-in")

    # the same e-mail again: a clear message that links to the existing person
    page.get_by_role("link", name="Register", exact=True).click()
    page.get_by_label("Full name").fill("Ada Again")
    page.get_by_label("E-mail").fill("ADA.placeholder@example.org")
    page.get_by_label("Organisation").fill("Elsewhere")
    page.get_by_label("Sector").select_option(label="Media")
    page.get_by_label("The person agrees that their data is processed").check()
    page.get_by_role("button", name="Register").click()
    link = page.get_by_role("link", name="open their registration")
    expect(link).to_be_visible()
    both(page, "desk-register-duplicate-email")

    # the same name, another e-mail: pointed out, and the desk can go on
    page.get_by_label("Full name").fill("ada placeholder")
    page.get_by_label("E-mail").fill("ada.p@elsewhere.example")
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_text("Possibly registered already")).to_be_visible()
    both(page, "desk-register-possible-duplicate")
    page.get_by_role("button", name="Register anyway").click()
    expect(page.get_by_text("ada placeholder is registered.")).to_be_visible()
    page.get_by_role("link", name="Edit or withdraw this registration").click()
    both(page, "desk-edit-person")
    page.get_by_label("Organisation").fill("Elsewhere Ltd")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("ada placeholder's registration is saved.")).to_be_visible()
    expect(page.locator(".person")).to_contain_text("Elsewhere Ltd")
    page.get_by_role("link", name="Edit or withdraw this registration").click()
    page.once("dialog", lambda dialog: dialog.accept())  # "Withdraw ada placeholder?"
    page.get_by_role("button", name="Withdraw ada placeholder").click()
    expect(page.get_by_text("This registration was withdrawn.")).to_be_visible()
    both(page, "desk-person-withdrawn")
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
    page.keyboard.type("Esempio")
    page.keyboard.press("Enter")
    page.locator(".results .name", has_text="Giulia Esempio").wait_for()
    button = page.get_by_role("button", name="Check in Giulia Esempio")
    tab_to(page, button)
    # the focus ring is dark blue on the white card: 3:1 and more against it
    assert button.evaluate("el => getComputedStyle(el).outlineColor") == "rgb(10, 61, 115)"
    page.keyboard.press("Enter")
    page.get_by_text("Giulia Esempio is checked in.").wait_for()
    assert fits(page)
    shot(page, "desk-tablet-no-js")
    context.close()


def test_organiser_allocates_moves_publishes_places_and_downloads(browser, server, demo):
    context = browser.new_context(viewport=DESKTOP, accept_downloads=True)
    page = context.new_page()
    sign_in(page, server, demo["organizer"])
    page.wait_for_url(re.compile(r"/allocate"))
    both(page, "organiser-allocate")
    page.get_by_role("link", name="Event & groups").click()
    both(page, "organiser-setup")
    # the group table's headings sit over their own inputs
    head = page.locator(".group-head span").all()
    row = page.locator("form.group-row").first.locator(
        "input:not([type=hidden]), select").all()
    for heading, field in zip(head[:5], row[:5], strict=True):
        assert abs(heading.bounding_box()["x"] - field.bounding_box()["x"]) < 2

    page.get_by_role("link", name="Rules").click()
    # type-ahead: a few letters of the name, then the list's entry
    page.get_by_label("Person", exact=True).fill("Paula Ejemplo")
    page.get_by_label("Group", exact=True).select_option(
        label="Working group 2 – Information Sharing")
    page.get_by_role("button", name="Add pin").click()
    expect(page.get_by_text("Rule added.")).to_be_visible()
    both(page, "organiser-rules")
    page.get_by_label("Person", exact=True).fill("Nobody Of That Name")
    page.get_by_role("button", name="Add pin").click()
    expect(page.get_by_text("Nobody called Nobody Of That Name is registered")).to_be_visible()
    assert focused_is_summary(page)
    both(page, "organiser-rules-error")

    page.get_by_role("link", name="Allocate").click()
    page.get_by_label("Time limit (seconds)").fill("10")
    page.get_by_role("button", name="Allocate").click()
    page.wait_for_url(re.compile(r"/runs/\d+"))
    bars = page.locator("svg.bar")
    assert bars.count() == 4  # the event and its three groups
    assert page.locator("svg.bar rect title").count() >= 12  # numbers on hover
    counts = page.get_by_role("table", name="Counts per group")
    expect(counts.locator("tbody tr")).to_have_count(3)
    expect(counts.locator("thead")).to_contain_text("Private sector")
    assert page.locator("svg.ranks rect").count() >= 1
    both(page, "organiser-run")

    # Move a participant of group 1 (not a facilitator, not pinned) to group 3.
    card = page.locator(".group-card", has_text="Working group 1")
    member = card.locator(".members li:not(:has-text('facilitator'))").first
    name = member.locator("span").first.inner_text().strip()
    page.get_by_label("Move someone").fill(name)
    page.get_by_label("to the group").select_option(
        label="Working group 3 – Non-Traditional Stakeholders")
    page.get_by_role("button", name="Move", exact=True).click()
    said = page.locator("#move .flash.ok")
    said.wait_for()
    expect(said).to_have_text(re.compile("^" + re.escape(f"Moved {name} to Working group 3")))
    assert in_view(said)  # the answer is beside the form, not 2,000 px above it
    moved = page.locator(".group-card", has_text="Working group 3").locator("li", has_text=name)
    expect(moved).to_contain_text("moved by hand")
    both(page, "organiser-after-move")
    # a rule refuses a move: the pinned expert stays in group 2, and the page says why
    page.get_by_label("Move someone").fill("Paula Ejemplo")
    page.get_by_label("to the group").select_option(
        label="Working group 1 – Structured Cooperation")
    page.get_by_role("button", name="Move", exact=True).click()
    refused = page.locator("#move .flash.error")
    expect(refused).to_have_text(re.compile("^" + re.escape("This move breaks a rule")))
    assert in_view(refused)
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Published: the desk now tells people")).to_be_visible()
    expect(page.get_by_text("Everyone taking part is in the published allocation.")).to_be_visible()

    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    data = open(download.value.path(), encoding="utf-8-sig").read()
    rows = list(csv.reader(io.StringIO(data, newline="")))
    assert rows[0][:5] == ["Group", "Theme", "Room", "Facilitator", "Full name"]
    placed = int(re.match(r"(\d+) people", page.locator("p.summary").inner_text()).group(1))
    assert placed > 70 and len(rows) - 1 == placed and name in {r[4] for r in rows}
    assert download.value.suggested_filename.endswith(".csv")

    # two late arrivals: one placed from their desk page, one from the organisers' list
    for full_name, email in (("Late Comer", "late.comer@example.org"),
                             ("Later Still", "later.still@example.org")):
        page.get_by_role("link", name="Register", exact=True).click()
        page.get_by_label("Full name").fill(full_name)
        page.get_by_label("E-mail").fill(email)
        page.get_by_label("Organisation").fill("Somewhere")
        page.get_by_label("Sector").select_option(label="Civil society")
        page.get_by_label("The person agrees that their data is processed").check()
        page.get_by_role("button", name="Register").click()
        expect(page.get_by_text("Not in the published allocation yet")).to_be_visible()
    both(page, "organiser-late-arrival-person")
    page.get_by_role("button", name="Place Later Still in the best group").click()
    placed = page.locator(".notices .flash.ok")
    expect(placed).to_have_text(re.compile("^Later Still is placed in Working group"))
    expect(page.locator(".group-big")).to_be_visible()
    page.get_by_role("link", name="Allocate").click()
    late = page.locator("#late")
    expect(late).to_contain_text("Late Comer")
    expect(late).not_to_contain_text("Later Still")
    both(page, "organiser-late-arrivals")
    page.get_by_role("button", name="Place Late Comer").click()
    expect(page.locator("#late .flash.ok")).to_have_text(re.compile("^Late Comer is placed in"))
    assert in_view(page.locator("#late .flash.ok"))
    context.close()


CSV_WITH_PROBLEMS = (
    "Full name,E-mail,Organisation,Sector,Country,Theme preferences,Consent\n"
    "王秀英,wang.xiuying@example.org,Shanghai Legal Aid,Civil society,China,"
    "Victim support;Prevention,yes\n"
    "山田 花子,yamada.hanako@example.org,Japan Labour Inspectorate,Government,jp,"
    "Prevention,yes\n"
    "Олена Петрова,olena.petrova@example.org,La Strada Ukraine,ngo,Narnia,Prevention,yes\n"
)


def test_organiser_creates_an_event_and_imports_people(browser, server, demo, tmp_path):
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    sign_in(page, server, demo["organizer"])
    page.wait_for_url(re.compile(r"/allocate"))
    page.get_by_role("link", name="New event").click()
    both(page, "event-new")
    page.get_by_label("Name").fill("Regional follow-up meeting")
    page.get_by_label("Starts").fill("2031-03-10T09:00")
    page.get_by_label("Ends").fill("2031-03-10T08:00")
    page.get_by_role("button", name="Create the event").click()
    expect(page.locator("#ends_at-error")).to_have_text("Must be after the start.")
    assert focused_is_summary(page)
    both(page, "event-new-error")
    page.get_by_label("Ends").fill("2031-03-10T17:00")
    page.get_by_role("button", name="Create the event").click()
    expect(page.get_by_text("Regional follow-up meeting is created.")).to_be_visible()

    # sectors, themes and a group, each answered where it was changed
    page.get_by_label("Add a sector").fill("Trade unions")
    page.get_by_role("button", name="Save sectors").click()
    expect(page.locator("#sectors .flash.ok")).to_have_text("Sector Trade unions added.")
    expect(page.get_by_label("Name of the sector “Trade unions”")).to_have_value("Trade unions")
    for key, title in (("victim-support", "Victim support"), ("prevention", "Prevention")):
        page.get_by_label("Key").fill(key)
        page.get_by_label("Title", exact=True).fill(title)
        page.get_by_role("button", name="Add theme").click()
        expect(page.locator("#themes .flash.ok")).to_have_text("Theme added.")
    for name, theme in (("Room A group", "Victim support"), ("Room B group", "Prevention")):
        page.locator("#ng-name").fill(name)
        page.locator("#ng-theme").select_option(label=theme)
        page.locator("#ng-capacity").fill("10")
        page.get_by_role("button", name="Add group").click()
        expect(page.locator("#groups .flash.ok")).to_have_text("Working group added.")
    both(page, "event-setup")
    event_url = page.url.split("/setup")[0]

    # the import: every bad cell of every row at once, in the event's words
    page.get_by_role("link", name="Import").click()
    both(page, "import-start")
    upload = tmp_path / "people.csv"
    upload.write_text(CSV_WITH_PROBLEMS, encoding="utf-8")
    page.get_by_label("The CSV file").set_input_files(str(upload))
    page.get_by_role("button", name="Check the file").click()
    problems = page.get_by_role("table", name="Problems by row and column")
    text = problems.inner_text()
    assert "Sector" in text and "Country" in text and "Narnia" in text
    assert "'ngo' is not one of this event's sectors" in text and "Trade unions" in text
    both(page, "import-problems")
    upload.write_text(CSV_WITH_PROBLEMS.replace(",ngo,Narnia,", ",Civil Society,Ukraine,"),
                      encoding="utf-8")
    page.get_by_label("The CSV file").set_input_files(str(upload))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_text("The file is fine: 3 rows")).to_be_visible()
    both(page, "import-checked")
    page.get_by_label("The CSV file").set_input_files(str(upload))
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_text("Imported: 3 created, 0 updated")).to_be_visible()

    # the desk finds them by the Latin spelling; CJK names render in a CJK face
    page.get_by_label("Name, organisation or e-mail").fill("petrova")
    page.locator(".results .name", has_text="Олена Петрова").wait_for()
    page.get_by_label("Name, organisation or e-mail").fill("yamada")
    page.locator(".results .name", has_text="山田 花子").wait_for()
    assert page.evaluate("document.fonts.check('16px \"Noto Sans CJK JP\"', '山田花子')")
    assert page.evaluate("""() => {
        const el = document.querySelector('.results .name');
        return getComputedStyle(el).fontFamily.includes('Noto Sans CJK'); }""")
    both(page, "import-desk-cjk")
    page.goto(event_url + "/allocate")
    page.get_by_role("button", name="Allocate").click()
    page.wait_for_url(re.compile(r"/runs/\d+"))
    expect(page.locator(".group-cards")).to_contain_text("王秀英")
    shot(page, "import-run-cjk")
    context.close()


def test_narrow_screens_and_unknown_addresses(browser, server, demo):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    sign_in(page, server, demo["organizer"])
    page.wait_for_url(re.compile(r"/allocate"))
    check(page, "phone-allocate")
    page.get_by_role("button", name="Allocate").click()
    page.wait_for_url(re.compile(r"/runs/\d+"))
    check(page, "phone-run")
    event = page.url.split("/runs/")[0]
    for path in ("/setup", "/rules", "/desk", "/desk/register", "/import"):
        page.goto(event + path)
        check(page, "phone" + path.replace("/", "-"))
    page.goto(server.url + "/events/new")
    check(page, "phone-event-new")
    # an address that does not exist: a page with a title and a language, not JSON
    response = page.goto(server.url + "/no/such/page")
    assert response.status == 404 and response.headers["content-type"].startswith("text/html")
    assert page.title() == "Not Found" and page.locator("html").get_attribute("lang") == "en"
    check(page, "phone-not-found")
    context.close()
