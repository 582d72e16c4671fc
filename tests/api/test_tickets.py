"""Tickets: QR codes that check people in, refused when they should be, and the
printed badges and sign-in sheets."""

from __future__ import annotations

import io
import re
import subprocess

from tests.conftest import bearer, person


def _decode_png(data: bytes) -> list[str]:
    import zxingcpp
    from PIL import Image

    return [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(data)))]


def _register(client, headers, base, **fields):
    r = client.post(f"{base}/participants", headers=headers, json=person(**fields))
    assert r.status_code == 201, r.json
    return r.json["id"]


def _ticket(client, headers, base, pid) -> str:
    r = client.get(f"{base}/participants/{pid}/ticket.png", headers=headers)
    assert r.status_code == 200 and r.headers["Content-Type"] == "image/png", r.data[:200]
    assert r.headers["Cache-Control"] == "no-store"
    [text] = _decode_png(r.data)
    return text


def test_a_decoded_ticket_checks_the_person_in_and_a_second_scan_says_when(
        app, client, tokens, event):
    from tests.support.workshop import published

    org, desk = bearer(tokens["organizer"]), bearer(tokens["desk"])
    base, _, placed = published(client, org, event)
    pid = sorted(placed)[0]
    code = _ticket(client, desk, base, pid)
    assert re.fullmatch(rf"ALC1:{event['id']}:[A-Z2-7]{{26}}", code)
    # Nothing about the person is in the code, and the same ticket reads the same twice.
    people = client.get(f"{base}/participants/{pid}", headers=org).json
    assert people["full_name"].split()[0].upper() not in code and str(pid) not in code[7:]
    assert _ticket(client, desk, base, pid) == code

    first = client.post(f"{base}/check-ins", headers=desk, json={"code": code})
    assert first.status_code == 200, first.json
    assert first.json["full_name"] == people["full_name"]
    assert first.json["already_checked_in_at"] is None and first.json["group"]["name"]
    again = client.post(f"{base}/check-ins", headers=desk, json={"code": code})
    assert again.status_code == 200
    assert again.json["already_checked_in_at"] == first.json["checked_in_at"]
    # Typed by hand: lower case, spaces, without the prefix.
    bare = code.split(":")[2].lower()
    typed = client.post(f"{base}/check-ins", headers=desk,
                        json={"code": f"{bare[:8]} {bare[8:16]}-{bare[16:]}"})
    assert typed.status_code == 200 and typed.json["already_checked_in_at"]
    for role in ("viewer",):
        assert client.post(f"{base}/check-ins", headers=bearer(tokens[role]),
                           json={"code": code}).status_code == 403
        assert client.get(f"{base}/participants/{pid}/ticket.png",
                          headers=bearer(tokens[role])).status_code == 403


def test_forged_foreign_replaced_and_withdrawn_tickets_are_refused_with_the_reason(
        app, client, tokens, event):
    org, desk = bearer(tokens["organizer"]), bearer(tokens["desk"])
    base = f"/api/events/{event['id']}"
    anna = _register(client, desk, base, full_name="Anna Alpha", email="anna@example.org")
    ben = _register(client, desk, base, full_name="Ben Beta", email="ben@example.org")
    code = _ticket(client, desk, base, anna)

    def scan(text):
        return client.post(f"{base}/check-ins", headers=desk, json={"code": text})

    forged = code[:-4] + ("AAAA" if not code.endswith("AAAA") else "BBBB")
    for text, status, words in (
            (forged, 404, "unknown"),
            ("ALC1:1:" + "A" * 26, 404, "unknown"),
            ("https://evil.example/x", 422, "not a ticket"),
            ("", 422, None),
            ("ALC1:1:ABC", 422, "not a ticket"),
            (f"ALC1:{event['id'] + 1000}:" + code.split(":")[2], 409, "another event")):
        r = scan(text)
        assert r.status_code == status, (text, r.json)
        assert r.headers["Content-Type"] == "application/problem+json"
        if words:
            assert words in (r.json.get("detail", "") + str(r.json.get("errors", "")))

    # Replaced: the old code stops working, the new one works.
    assert client.post(f"{base}/participants/{anna}/ticket", headers=desk).status_code == 200
    assert scan(code).status_code == 404
    fresh = _ticket(client, desk, base, anna)
    assert fresh != code and scan(fresh).status_code == 200

    # Withdrawn: refused, and the desk is told why.
    ben_code = _ticket(client, desk, base, ben)
    assert client.delete(f"{base}/participants/{ben}", headers=desk).status_code == 200
    refused = scan(ben_code)
    assert refused.status_code == 409 and "Ben Beta withdrew" in refused.json["detail"]
    assert client.get(f"{base}/participants/{ben}/ticket.png", headers=desk).status_code \
        == 409
    # Erased: nothing is left to tell.
    carl = _register(client, desk, base, full_name="Carl Gamma", email="carl@example.org")
    carl_code = _ticket(client, desk, base, carl)
    assert client.post(f"{base}/participants/{carl}/erase", headers=org).status_code in (
        200, 204)
    assert scan(carl_code).status_code == 404

    # Another event's ticket (same server): refused as another event's.
    other = client.post("/api/events", headers=org, json={
        "name": "Another workshop", "starts_at": "2031-03-01T09:00:00",
        "ends_at": "2031-03-01T12:00:00", "timezone": "UTC"}).json["id"]
    r = client.post(f"/api/events/{other}/check-ins", headers=desk, json={"code": fresh})
    assert r.status_code == 409 and "another event" in r.json["detail"]


def test_a_resent_scan_is_the_same_check_in(app, client, tokens, event):
    desk = bearer(tokens["desk"])
    base = f"/api/events/{event['id']}"
    pid = _register(client, desk, base)
    code = _ticket(client, desk, base, pid)
    headers = {**desk, "Idempotency-Key": "scan-7f3a9c2e-0001"}
    first = client.post(f"{base}/check-ins", headers=headers, json={"code": code})
    resent = client.post(f"{base}/check-ins", headers=headers, json={"code": code})
    assert first.status_code == resent.status_code == 200
    assert resent.headers.get("Idempotent-Replayed") == "true"
    assert resent.json == first.json and first.json["already_checked_in_at"] is None
    audit = client.get(f"{base}/audit?per_page=100", headers=bearer(tokens["organizer"]))
    if audit.status_code == 200:
        checked = [e for e in audit.json["items"] if e["action"] == "participant.checked_in"]
        assert len(checked) == 1


def test_badges_carry_a_scannable_code_and_the_organisation_only_where_agreed(
        app, client, tokens, event, tmp_path):
    from pypdf import PdfReader

    from tests.support.workshop import published

    org = bearer(tokens["organizer"])
    base, _, placed = published(client, org, event)
    people = client.get(f"{base}/participants?per_page=100", headers=org).json["items"]
    shown = people[0]
    assert client.patch(f"{base}/participants/{shown['id']}", headers=org,
                        json={"badge_shows_organization": True}).status_code == 200
    r = client.get(f"{base}/badges.pdf", headers=bearer(tokens["desk"]))
    assert r.status_code == 200 and r.data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(r.data))
    active = [p for p in people if p["status"] in ("registered", "checked_in")]
    assert len(reader.pages) == -(-len(active) // 8)
    text = " ".join(page.extract_text() for page in reader.pages)
    for p in active:
        assert p["full_name"] in text
    assert shown["organization"] in text
    hidden = [p for p in active if p["id"] != shown["id"]
              and p["organization"] not in shown["organization"]]
    assert hidden and all(p["organization"] not in text for p in hidden)

    # Render the first sheet as a printer would and scan a badge with a real decoder.
    (tmp_path / "badges.pdf").write_bytes(r.data)
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1",
                    str(tmp_path / "badges.pdf"), str(tmp_path / "sheet")], check=True)
    [png] = tmp_path.glob("sheet*.png")
    codes = _decode_png(png.read_bytes())
    assert len(codes) == min(8, len(active))
    scanned = client.post(f"{base}/check-ins", headers=bearer(tokens["desk"]),
                          json={"code": codes[0]})
    assert scanned.status_code == 200 and scanned.json["full_name"] in text

    labels = client.get(f"{base}/badges.pdf?layout=label", headers=org)
    assert len(PdfReader(io.BytesIO(labels.data)).pages) == len(active)
    wg1 = event["groups"][0]["id"]
    one_group = client.get(f"{base}/badges.pdf?layout=label&group={wg1}", headers=org)
    in_group = sum(1 for p in active if p["id"] in placed and placed[p["id"]] == wg1) \
        if isinstance(placed, dict) else None
    if in_group is not None:
        assert len(PdfReader(io.BytesIO(one_group.data)).pages) == in_group
    for query in ("layout=poster", "group=abc", "group=999999"):
        bad = client.get(f"{base}/badges.pdf?{query}", headers=org)
        assert bad.status_code in (404, 422), (query, bad.status_code)
    assert client.get(f"{base}/badges.pdf", headers=bearer(tokens["viewer"])).status_code \
        == 403


def test_the_sign_in_sheet_lists_the_group_with_a_signature_column(
        app, client, tokens, event):
    from pypdf import PdfReader

    from allocator.services.tokens import create_token
    from tests.support.workshop import published

    org = bearer(tokens["organizer"])
    base, _, placed = published(client, org, event)
    wg1, wg2 = event["groups"][0]["id"], event["groups"][1]["id"]
    with app.app_context():
        facilitator = bearer(create_token("facilitator", "WG1", event["id"], wg1))
    r = client.get(f"{base}/groups/{wg1}/sign-in-sheet.pdf", headers=facilitator)
    assert r.status_code == 200 and r.data.startswith(b"%PDF")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(r.data)).pages)
    assert "Signature" in text and "WG1" in text
    people = {p["id"]: p for p in client.get(f"{base}/participants?per_page=100",
                                             headers=org).json["items"]}
    members = client.get(f"{base}/groups/{wg1}/members", headers=org)
    if members.status_code == 200:
        for member in members.json:
            assert people[member["participant_id"]]["full_name"] in text
    assert all(p["email"] not in text for p in people.values())
    assert client.get(f"{base}/groups/{wg2}/sign-in-sheet.pdf",
                      headers=facilitator).status_code == 403


def test_a_hundred_badges_in_any_script(app, client, tokens, event):
    """Latin, Cyrillic, Greek, Arabic and CJK names all come out of the PDF as written."""
    from pypdf import PdfReader

    desk = bearer(tokens["desk"])
    base = f"/api/events/{event['id']}"
    names = ["Мария Петрова", "Γιώργος Παπαδόπουλος", "فاطمة الزهراء", "王秀英",
             "佐藤 花子", "김민준", "Zoë Ørsted-Łukasiewicz"]
    for n, name in enumerate(names):
        _register(client, desk, base, full_name=name, email=f"script{n}@example.org")
    r = client.get(f"{base}/badges.pdf", headers=desk)
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(r.data)).pages)
    flat = re.sub(r"\s", "", text)  # the PDF wraps long names over lines
    for name in names:
        assert re.sub(r"\s", "", name) in flat, name


def test_the_ticket_comes_with_the_confirmation_the_group_email_and_the_own_page(
        app, client, tokens, event, smtp, runner):
    from sqlalchemy import select

    from allocator.extensions import db
    from allocator.models import Message
    from tests.support.http import csrf
    from tests.support.mail import LINK, send_mail
    from tests.support.workshop import published

    org = bearer(tokens["organizer"])
    base, _, placed = published(client, org, event)
    invited = client.post(f"{base}/participants", headers=org, json={
        "full_name": "Amina Diallo", "email": "amina@ngo.example", "status": "invited"})
    client.post(f"{base}/invitations", headers=org, json={})
    send_mail(runner)
    link = LINK.search(smtp.inbox.received[-1].text()).group(1)
    assert smtp.inbox.received[-1].ticket() is None  # not registered yet: no ticket
    page = client.get(link).get_data(as_text=True)
    assert "Your ticket" not in page
    accepted = client.post(link, data={
        "csrf_token": csrf(page), "answer": "accept", "full_name": "Amina Diallo",
        "organization": "Safe Homes", "sector": "civil_society",
        "preference_1": "information-sharing", "consent": "yes",
        "badge_shows_organization": "yes"})
    assert accepted.status_code == 303
    own = client.get(accepted.headers["Location"]).get_data(as_text=True)
    assert "Your ticket" in own and "<svg" in own
    stored = client.get(f"{base}/participants/{invited.json['id']}", headers=org).json
    assert stored["badge_shows_organization"] is True

    send_mail(runner)
    confirmation = smtp.inbox.received[-1]
    # the QR code goes attached as ticket.png, not as an image inside a short HTML part
    assert "ticket.png" in confirmation.html() and "ticket.png" in confirmation.text()
    assert "<img" not in confirmation.html()
    assert [a.get_filename() for a in confirmation.message.iter_attachments()
            if a.get_content_type() == "image/png"] == ["ticket.png"]
    assert confirmation.message["To"].addresses[0].display_name  # their own name
    assert "show it at the registration desk" in confirmation.text()
    [code] = _decode_png(confirmation.ticket())
    # The outbox stored the message without the code: it is made when the mail is sent.
    with app.app_context():
        bodies = " ".join(m.body_html + m.body_text for m in db.session.scalars(select(Message)))
        assert code.split(":")[2] not in bodies
    scanned = client.post(f"{base}/check-ins", headers=bearer(tokens["desk"]),
                          json={"code": code})
    assert scanned.status_code == 200 and scanned.json["full_name"] == "Amina Diallo"

    # The working-group e-mail of an allocated person carries their ticket too.
    pid = sorted(placed)[0]
    client.post(f"{base}/notifications", headers=org, json={"kind": "groups"})
    send_mail(runner)
    email = client.get(f"{base}/participants/{pid}", headers=org).json["email"]
    mail = next(m for m in reversed(smtp.inbox.received) if m.rcpt_tos == [email])
    [their_code] = _decode_png(mail.ticket())
    assert their_code == _ticket(client, org, base, pid)


def test_hostile_scans_and_print_queries_are_refused_in_words_never_a_500(
        app, client, tokens, event):
    import time

    from tests.support.http import csrf, sign_in

    desk = bearer(tokens["desk"])
    base = f"/api/events/{event['id']}"
    for text in ("A" * 201, " " * 5000 + "!", "ALC1:" + "1" * 50 + ":" + "A" * 26,
                 "ALC1:1:" + "A " * 19 + "!", "\u0000" * 20, "ＡＬＣ１:1:" + "A" * 26):
        began = time.perf_counter()
        r = client.post(f"{base}/check-ins", headers=desk, json={"code": text})
        assert r.status_code == 422, (text[:20], r.status_code)
        assert time.perf_counter() - began < 1, "a pathological code took long"
    # The desk page's own route reads the same way, whatever size the form field has.
    browser = app.test_client()
    sign_in(browser, tokens["desk"])
    token = csrf(browser.get(f"/events/{event['id']}/desk").get_data(as_text=True))
    for text in (" " * 100_000 + "!", "A" * 50_000):
        r = browser.post(f"/events/{event['id']}/desk/scan", data={"csrf_token": token,
                         "code": text}, headers={"Accept": "application/json"})
        assert r.status_code == 422 and r.json["ok"] is False and r.json["detail"]
    for query in ("group=²", "group=١", "group=99999999999", "layout=a4&group=-1"):
        r = browser.get(f"/events/{event['id']}/badges.pdf?{query}")
        assert r.status_code == 404, (query, r.status_code)
    for query in ("group=²", "group=99999999999", "layout=a4&group=-1", "layout=poster"):
        r = client.get(f"{base}/badges.pdf?{query}", headers=desk)
        assert r.status_code in (404, 422), (query, r.status_code)
        assert r.headers["Content-Type"] == "application/problem+json"


def test_the_offline_list_holds_who_may_check_in_and_no_email(app, client, tokens, event):
    from tests.support.http import sign_in

    desk = bearer(tokens["desk"])
    base = f"/api/events/{event['id']}"
    here = _register(client, desk, base, full_name="Here Now", email="here@example.org")
    gone = _register(client, desk, base, full_name="Gone Away", email="gone@example.org")
    client.post(f"{base}/participants", headers=bearer(tokens["organizer"]), json={
        "full_name": "Not Yet", "email": "notyet@example.org", "status": "invited"})
    client.delete(f"{base}/participants/{gone}", headers=desk)
    code = _ticket(client, desk, base, here)
    browser = app.test_client()
    sign_in(browser, tokens["desk"])
    roster = browser.get(f"/events/{event['id']}/desk/roster.json")
    assert roster.status_code == 200 and roster.headers["Cache-Control"] == "no-store"
    assert [p["name"] for p in roster.json] == ["Here Now"]
    [entry] = roster.json
    assert set(entry) == {"id", "name", "status", "group", "room", "ticket"}
    assert "@" not in roster.get_data(as_text=True)
    import hashlib

    assert entry["ticket"] == hashlib.sha256(code.split(":")[2].encode()).hexdigest()
    viewer = app.test_client()
    sign_in(viewer, tokens["viewer"])
    assert viewer.get(f"/events/{event['id']}/desk/roster.json").status_code == 403
