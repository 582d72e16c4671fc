"""Two participants meet at the workshop and exchange contacts from their own pages, on
phones (390 px): each types the other's meet code; one accepts; both see what the other
chose to share. Every state is checked with axe and for sideways scrolling."""

from __future__ import annotations

import io
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import check

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


def _links(app, demo, names: list[str]) -> dict[str, str]:
    """A personal link for each of these demo people."""
    from sqlalchemy import select

    from allocator.extensions import db
    from allocator.models import Participant
    from allocator.services.invitations import new_link

    with app.app_context():
        out = {}
        for name in names:
            person = db.session.scalar(select(Participant).where(
                Participant.event_id == demo["event"], Participant.full_name == name))
            out[name] = new_link(person)
        db.session.commit()
        db.session.remove()
    return out


def _decode(png: bytes) -> list[str]:
    import zxingcpp
    from PIL import Image

    return [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


def test_two_participants_exchange_contacts_by_their_meet_codes(app, browser, server, demo):
    names = ["Anna Przykładowa", "Paula Ejemplo"]
    links = {name: link.replace("http://127.0.0.1:8000", server.url)
             for name, link in _links(app, demo, names).items()}
    anna_phone = browser.new_context(viewport=PHONE).new_page()
    paula_phone = browser.new_context(viewport=PHONE).new_page()

    paula_phone.goto(links["Paula Ejemplo"] + "#networking")
    section = paula_phone.locator("#networking")
    expect(section.get_by_role("heading", name="Meet people")).to_be_visible()
    paula_code = paula_phone.locator("#meet-code").inner_text()
    assert re.fullmatch(r"MEET:[A-Z2-7]{4}(-[A-Z2-7]{4}){3}", paula_code)
    # The QR code on her page holds exactly that code (read by a real decoder).
    shot = section.locator(".meet-code svg").screenshot()
    assert _decode(shot) == [paula_code]
    # Paula shares her organisation and e-mail with the contacts she accepts.
    section.get_by_label(re.compile("^Show my organisation")).check()
    section.get_by_label(re.compile("^Show my e-mail")).check()
    section.get_by_role("button", name="Save my choice").click()
    expect(paula_phone.get_by_text("You are not listed in the directory.")).to_be_visible()
    check(paula_phone, "networking-own-page-390")

    anna_phone.goto(links["Anna Przykładowa"] + "#networking")
    anna_phone.get_by_label("Their meet code").fill(paula_code.lower().replace("-", " "))
    anna_phone.get_by_role("button", name="Send a request").click()
    expect(anna_phone.get_by_text(re.compile("^Sent. If the code is theirs"))).to_be_visible()
    check(anna_phone, "networking-request-sent-390")

    paula_phone.reload()
    asked = paula_phone.locator(".requests li", has_text="Anna Przykładowa")
    expect(asked).to_contain_text("would like to exchange contacts")
    check(paula_phone, "networking-request-waiting-390")
    asked.get_by_role("button", name=re.compile("^Accept")).click()
    contacts = paula_phone.locator(".contacts")
    expect(contacts).to_contain_text("Anna Przykładowa")

    anna_phone.reload()
    mine = anna_phone.locator(".contacts")
    expect(mine).to_contain_text("Paula Ejemplo")
    expect(mine).to_contain_text("Women's shelter network (Colombia)")
    expect(mine.get_by_role("link", name=re.compile("@"))).to_have_count(1)
    check(anna_phone, "networking-contacts-390")
    anna_phone.set_viewport_size({"width": 1280, "height": 800})
    check(anna_phone, "networking-contacts-1280")

    anna_phone.goto(links["Anna Przykładowa"] + "/directory")
    expect(anna_phone.get_by_role("status")).to_have_text(re.compile("^0 people listed"))
    check(anna_phone, "networking-directory-1280")
    anna_phone.set_viewport_size(PHONE)
    check(anna_phone, "networking-directory-390")
    anna_phone.context.close()
    paula_phone.context.close()


def test_the_camera_reads_a_meet_code_held_up_to_it(app, browser, server, demo, tmp_path):
    from tests.e2e.camera import qr_video
    from tests.e2e.conftest import ARGS, CHROMIUM

    names = ["Jean Exemple", "Peter Beispiel"]
    links = {name: link.replace("http://127.0.0.1:8000", server.url)
             for name, link in _links(app, demo, names).items()}
    peter = browser.new_context(viewport=PHONE).new_page()
    peter.goto(links["Peter Beispiel"] + "#networking")
    code = peter.locator("#meet-code").inner_text()
    video = qr_video(code, tmp_path / "meet.y4m")
    chromium = browser.browser_type.launch(executable_path=CHROMIUM, args=ARGS + [
        "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={video}"])
    try:
        context = chromium.new_context(viewport=PHONE)
        context.grant_permissions(["camera"], origin=server.url)
        jean = context.new_page()
        jean.goto(links["Jean Exemple"] + "#networking")
        jean.get_by_role("button", name="Scan with the camera").click()
        expect(jean.get_by_text(re.compile("^Sent. If the code is theirs"))).to_be_visible(
            timeout=20_000)
        peter.reload()
        expect(peter.locator(".requests li", has_text="Jean Exemple")).to_contain_text(
            "would like to exchange contacts")
    finally:
        chromium.close()
        peter.context.close()
