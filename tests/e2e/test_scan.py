"""The desk scans tickets in Chromium: a scanner that types, the camera (a fake one fed
a video of a QR code), and Wi-Fi that drops while people keep arriving."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ARGS, CHROMIUM, check
from tests.support.browser import TABLET, sign_in

pytestmark = pytest.mark.e2e


def _codes(app, event_id: int, names: list[str]) -> dict[str, str]:
    from sqlalchemy import select

    from allocator.extensions import db
    from allocator.models import Participant
    from allocator.services import tickets

    with app.app_context():
        people = db.session.scalars(select(Participant).where(
            Participant.event_id == event_id, Participant.full_name.in_(names)))
        found = {p.full_name: tickets.payload(p) for p in people}
        db.session.remove()
    assert set(found) == set(names)
    return found


def _status(app, name: str) -> str:
    from sqlalchemy import select

    from allocator.extensions import db
    from allocator.models import Participant

    with app.app_context():
        status = db.session.scalar(select(Participant.status).where(
            Participant.full_name == name))
        db.session.remove()
    return status


def _checked_in_events(app, name: str) -> int:
    from sqlalchemy import func, select

    from allocator.extensions import db
    from allocator.models import AuditEntry, Participant

    with app.app_context():
        pid = db.session.scalar(select(Participant.id).where(Participant.full_name == name))
        count = db.session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "participant.checked_in", AuditEntry.subject_id == str(pid)))
        db.session.remove()
    return count


def _demo_names(app, event_id: int, count: int) -> list[str]:
    from sqlalchemy import select

    from allocator.extensions import db
    from allocator.models import Participant

    with app.app_context():
        names = list(db.session.scalars(select(Participant.full_name).where(
            Participant.event_id == event_id, Participant.status == "registered")
            .order_by(Participant.id).limit(count)))
        db.session.remove()
    return names


ROSTER_SIZE = """event => new Promise(resolve => {
  const open = indexedDB.open("allocator-desk");
  open.onupgradeneeded = () => open.transaction.abort();  // not there yet: create nothing
  open.onerror = () => resolve(0);
  open.onsuccess = () => {
    const db = open.result;
    if (!db.objectStoreNames.contains("roster")) { db.close(); return resolve(0); }
    const get = db.transaction("roster").objectStore("roster").get(String(event));
    get.onsuccess = () => { db.close(); resolve(get.result ? get.result.people.length : 0); };
    get.onerror = () => { db.close(); resolve(0); };
  };
})"""


def _wait_for_roster(page, event_id: int) -> int:
    """Wait until the desk page has cached its list for offline look-ups; its size."""
    for _ in range(50):
        size = page.evaluate(ROSTER_SIZE, event_id)
        if size:
            return size
        page.wait_for_timeout(100)
    raise AssertionError("the desk page cached no list for offline look-ups")


def test_a_scanner_that_types_checks_people_in_and_says_so_large(app, browser, server, demo):
    first, second = _demo_names(app, demo["event"], 2)
    codes = _codes(app, demo["event"], [first, second])
    context = browser.new_context(viewport=TABLET)
    page = context.new_page()
    sign_in(page, server, demo["desk"])
    scan = page.get_by_label("Scan a ticket")
    expect(scan).to_be_focused()  # ready for the scanner, no click needed
    by_sector = ("() => Array.from(document.querySelectorAll('[data-sector]'))"
                 ".reduce((n, cell) => n + parseInt(cell.textContent, 10), 0)")
    before = page.evaluate(by_sector)
    page.keyboard.type(codes[first], delay=5)  # a keyboard-wedge scanner: fast keys, Enter
    page.keyboard.press("Enter")
    result = page.locator("#scan-result")
    result.get_by_text(f"{first} — checked in").wait_for()
    # the per-sector counts follow without a reload (polled through evaluate: the page's
    # Content-Security-Policy forbids the string eval wait_for_function would need)
    for _ in range(150):
        if page.evaluate(by_sector) == before + 1:
            break
        page.wait_for_timeout(100)
    assert page.evaluate(by_sector) == before + 1
    expect(result).to_have_class(re.compile(r"(^|\s)ok(\s|$)"))
    check(page, "desk-scan-ok-768")
    page.keyboard.type(codes[first], delay=5)
    page.keyboard.press("Enter")
    result.get_by_text(f"{first} — already checked in").wait_for()
    # A forged code is refused in red, with the reason.
    page.keyboard.type(codes[second][:-3] + "AAA", delay=5)
    page.keyboard.press("Enter")
    result.get_by_text("Not checked in").wait_for()
    expect(result).to_have_class(re.compile(r"(^|\s)refused(\s|$)"))
    assert _status(app, first) == "checked_in" and _status(app, second) == "registered"
    check(page, "desk-scan-refused-768")
    # The person's card shows the ticket to reprint, and replaces a lost one.
    page.get_by_label("Name, organisation or e-mail").fill(second)
    page.locator("#results").get_by_role("link", name=second).click()
    ticket = page.get_by_role("img", name=f"Ticket of {second} (QR code)")
    # the image arrives after the page: wait for it, never read it once
    page.wait_for_function("img => img.complete && img.naturalWidth > 100",
                           arg=ticket.element_handle())
    check(page, "desk-person-ticket-768")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Replace the ticket").click()
    page.get_by_text(f"{second} has a new ticket; the old one no longer works.").wait_for()
    page.goto(f"{server.url}/events/{demo['event']}/desk")
    expect(page.get_by_label("Scan a ticket")).to_be_focused()
    page.keyboard.type(codes[second], delay=5)
    page.keyboard.press("Enter")
    page.locator("#scan-result").get_by_text("This ticket is unknown").wait_for()
    context.close()


def test_the_camera_reads_a_ticket_held_up_to_it(app, browser, server, demo, tmp_path):
    from tests.e2e.camera import qr_video

    [name] = _demo_names(app, demo["event"], 1)
    video = qr_video(_codes(app, demo["event"], [name])[name], tmp_path / "ticket.y4m")
    # A second Chromium whose camera is a video of the ticket held up to it.
    chromium = browser.browser_type.launch(executable_path=CHROMIUM, args=ARGS + [
        "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={video}"])
    try:
        context = chromium.new_context(viewport=TABLET)
        context.grant_permissions(["camera"], origin=server.url)
        page = context.new_page()
        sign_in(page, server, demo["desk"])
        page.get_by_role("button", name="Scan with the camera").click()
        page.locator("#scan-result").get_by_text(f"{name} — checked in").wait_for(
            timeout=20000)
        assert _status(app, name) == "checked_in"
        # Headless Chromium on Linux has no BarcodeDetector: the vendored jsQR decoded it.
        assert page.evaluate("'BarcodeDetector' in window || typeof jsQR === 'function'")
        check(page, "desk-camera-768")
    finally:
        chromium.close()


def test_offline_scans_wait_and_are_sent_once_when_the_network_is_back(
        app, browser, server, demo):
    from allocator.services import participants
    from allocator.services.events import get_event

    names = _demo_names(app, demo["event"], 3)
    codes = _codes(app, demo["event"], names)
    context = browser.new_context(viewport=TABLET)
    page = context.new_page()
    sign_in(page, server, demo["desk"])
    _wait_for_roster(page, demo["event"])
    context.set_offline(True)
    expect(page.get_by_label("Scan a ticket")).to_be_focused()
    for n, name in enumerate(names, start=1):
        page.keyboard.type(codes[name], delay=2)
        page.keyboard.press("Enter")
        page.get_by_text(f"Offline — {n} waiting").wait_for()
        # Recognised offline from the cached list: the desk says the name at once.
        page.locator("#scan-result").get_by_text(
            f"{name} — saved, will check in when the network is back").wait_for()
    # Looked up by name while offline, from the cached list (no e-mails in it).
    page.get_by_label("Name, organisation or e-mail").fill(names[0].split()[0])
    page.locator("#results").get_by_text(names[0]).first.wait_for()
    check(page, "desk-offline-768")
    # Meanwhile the third person withdraws at another desk.
    with app.app_context():
        from sqlalchemy import select

        from allocator.extensions import db
        from allocator.models import Participant

        event = get_event(demo["event"])
        third = db.session.scalar(select(Participant.id).where(
            Participant.full_name == names[2]))
        participants.withdraw(event, third)
        db.session.remove()
    context.set_offline(False)
    page.get_by_text(f"{names[2]} withdrew").wait_for(timeout=15000)
    page.locator("#scan-waiting").wait_for(state="hidden")
    assert [_status(app, n) for n in names] == ["checked_in", "checked_in", "withdrawn"]
    assert [_checked_in_events(app, n) for n in names[:2]] == [1, 1]  # nothing doubled
    # Signing out deletes the cached list of names.
    page.get_by_role("button", name="Sign out").click()
    page.get_by_label("Token").wait_for()
    assert page.evaluate(ROSTER_SIZE, demo["event"]) == 0
    context.close()
