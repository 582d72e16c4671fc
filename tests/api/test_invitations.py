"""Invitations, the invitee's own page and the outbox, through a real SMTP server."""

from __future__ import annotations

import datetime as dt
import re
import time

from sqlalchemy import select, update

from allocator.extensions import db
from allocator.models import AuditEntry, Message, Participant, PersonalLink
from tests.conftest import bearer, person
from tests.support.http import csrf
from tests.support.mail import INVITEES, LINK, invite_all, send_mail


def test_invitations_arrive_one_recipient_each_and_each_link_opens_only_its_page(
        app, client, tokens, event, smtp, runner):
    org = bearer(tokens["organizer"])
    base = f"/api/events/{event['id']}"
    ids = invite_all(client, org, base)
    client.post(f"{base}/participants", headers=org, json=person())  # registered: no invite

    r = client.post(f"{base}/invitations", headers=org, json={})
    assert r.status_code == 202 and r.json["queued"] == 3
    assert sorted(r.json["participant_ids"]) == sorted(ids.values())
    assert "sent 3" in send_mail(runner)
    assert len(smtp.inbox.received) == 3

    links = {}
    for received in smtp.inbox.received:
        message = received.message
        assert len(received.rcpt_tos) == 1
        assert message["Cc"] is None and message["Bcc"] is None
        assert message["To"].addresses[0].addr_spec == received.rcpt_tos[0]
        assert message["Message-ID"].startswith("<") and "@workshop.example>" in \
            message["Message-ID"]
        text = received.text()
        for name, email in INVITEES:  # names nobody else
            if email != received.rcpt_tos[0]:
                assert name not in text and email not in text
                assert name not in received.html()
        links[received.rcpt_tos[0]] = LINK.search(text).group(1)
        assert LINK.search(received.html()).group(1) == links[received.rcpt_tos[0]]

    for name, email in INVITEES:
        page = client.get(links[email])
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert name in html and "Structured Cooperation" in html
        assert not any(other in html for other, _ in INVITEES if other != name)
        assert page.headers["Referrer-Policy"] == "no-referrer"
        assert "no-store" in page.headers["Cache-Control"]
    assert client.get("/i/" + "A" * 43).status_code == 404  # a guess opens nothing

    # A second call sends nothing new; resend sends again, with a new link.
    assert client.post(f"{base}/invitations", headers=org, json={}).json["queued"] == 0
    again = client.post(f"{base}/invitations", headers=org, json={
        "participant_ids": [ids["amina@ngo.example"]], "resend": True})
    assert again.json["queued"] == 1
    with app.app_context():  # only hashes of the secrets are stored
        hashes = set(db.session.scalars(select(PersonalLink.secret_hash)))
    assert all(link.rsplit("/", 1)[1] not in hashes for link in links.values())

    listed = client.get(f"{base}/messages", headers=org)
    assert listed.status_code == 200 and len(listed.json) == 4
    assert all(set(m) >= {"kind", "status", "attempts"} for m in listed.json)
    assert not any("body" in key or "recipient" in key for m in listed.json for key in m)
    standing = client.get(f"{base}/invitations", headers=org).json
    assert standing["counts"] == {"invited": 3, "accepted": 0, "declined": 0, "no_answer": 3}
    opened = [p for p in standing["people"] if p["opened_at"]]
    assert len(opened) == 3 and all(p["sent_at"] for p in standing["people"])


def test_the_personal_page_accepts_changes_and_declines_until_the_deadline(
        app, client, tokens, event, smtp, runner):
    org = bearer(tokens["organizer"])
    base = f"/api/events/{event['id']}"
    ids = invite_all(client, org, base)
    client.post(f"{base}/invitations", headers=org, json={})
    send_mail(runner)
    link = LINK.search(smtp.inbox.received[0].text()).group(1)
    email = smtp.inbox.received[0].rcpt_tos[0]
    pid = ids[email]

    page = client.get(link)
    token = csrf(page.get_data(as_text=True))
    # Every problem at once, in words, and nothing stored.
    bad = client.post(link, data={"csrf_token": token, "answer": "accept", "sector": "ngo",
                                  "preference_1": "information-sharing",
                                  "preference_2": "information-sharing"})
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    for words in ("Organisation", "Consent to processing is required", "Choose each theme once",
                  "Government"):
        assert words in html, words
    assert client.get(f"{base}/participants/{pid}", headers=org).json["status"] == "invited"

    ok = client.post(link, data={
        "csrf_token": token, "answer": "accept", "full_name": "Amina Diallo",
        "organization": "Safe Homes", "sector": "Civil society", "country": "senegal",
        "preference_1": "information-sharing", "preference_2": "structured-cooperation",
        "consent": "yes"})
    assert ok.status_code == 303
    stored = client.get(f"{base}/participants/{pid}", headers=org).json
    assert stored["status"] == "registered" and stored["sector"] == "civil_society"
    assert stored["country"] == "SN" and stored["consent"] is True
    assert stored["preferences"] == ["information-sharing", "structured-cooperation"]
    assert "you are registered" in client.get(ok.headers["Location"]).get_data(as_text=True)

    # The confirmation summarises the answer and carries a (new) link to change it.
    send_mail(runner)
    confirmation = smtp.inbox.received[-1]
    assert confirmation.rcpt_tos == [email]
    assert "Safe Homes" in confirmation.text() and "Information Sharing" in confirmation.text()
    second_link = LINK.search(confirmation.text()).group(1)
    assert second_link != link and client.get(second_link).status_code == 200

    declined = client.post(second_link, data={"csrf_token": csrf(client.get(
        second_link).get_data(as_text=True)), "answer": "decline"})
    assert declined.status_code == 303
    assert client.get(f"{base}/participants/{pid}", headers=org).json["status"] == "declined"
    counts = client.get(f"{base}/invitations", headers=org).json["counts"]
    assert counts == {"invited": 3, "accepted": 0, "declined": 1, "no_answer": 2}

    # Declined people never enter an allocation.
    client.post(f"{base}/participants", headers=org, json=person())
    run = client.post(f"{base}/allocations", headers=org, json={"time_limit_s": 5}).json
    assert run["status"] == "succeeded", run
    report = client.get(f"{base}/allocations/{run['id']}/report", headers=org).json
    placed = {m["participant_id"] for g in report["groups"] for m in g["members"]}
    assert pid not in placed and not placed & set(ids.values())

    # After the deadline the page is read-only and says whom to contact.
    closes = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).isoformat()
    r = client.patch(base, headers=org, json={"registration_closes_at": closes,
                                              "contact_email": "Desk@Workshop.example"})
    assert r.status_code == 200, r.json
    closed = client.get(second_link).get_data(as_text=True)
    assert "Answers closed" in closed and "desk@workshop.example" in closed
    assert 'name="answer"' not in closed
    late = client.post(second_link, data={"csrf_token": csrf(client.get(link).get_data(
        as_text=True)) if 'csrf_token' in closed else "", "answer": "accept"})
    assert late.status_code in (400, 422)
    assert client.get(f"{base}/participants/{pid}", headers=org).json["status"] == "declined"


def test_a_mail_server_that_is_down_loses_nothing_and_sends_each_message_once(
        app, client, tokens, event, smtp, runner):
    org = bearer(tokens["organizer"])
    base = f"/api/events/{event['id']}"
    invite_all(client, org, base)
    smtp.stop()
    client.post(f"{base}/invitations", headers=org, json={})
    # One connection attempt per run: the message in hand records it, the others wait.
    assert "sent 0, to retry later 1, failed 0" in send_mail(runner)
    assert "sent 0, to retry later 1, failed 0" in send_mail(runner)
    with app.app_context():
        messages = db.session.scalars(select(Message).order_by(Message.id)).all()
        assert [m.attempts for m in messages] == [1, 1, 0]
        assert all(m.status == "queued" for m in messages)
        assert messages[0].last_error and "@" not in messages[0].last_error  # no addresses
        assert messages[0].next_attempt_at > dt.datetime.now(dt.UTC)  # backoff
    assert "to retry later 1" in send_mail(runner)
    smtp.start()
    with app.app_context():
        db.session.execute(update(Message).values(next_attempt_at=dt.datetime.now(dt.UTC)))
        db.session.commit()
    assert "sent 3" in send_mail(runner)
    assert "sent 0" in send_mail(runner)
    assert sorted(r.rcpt_tos[0] for r in smtp.inbox.received) == sorted(e for _, e in INVITEES)

    with app.app_context():
        sent = db.session.scalars(select(Message)).first()
        assert sent.body_text == "" and sent.link is None  # the link left the database


def test_a_crash_between_sending_and_recording_it_resends_the_same_message(
        app, client, tokens, event, smtp, runner):
    """The server accepted, then the process died before the row said so: the copy sent
    again carries the same Message-ID, so mail programs show one message."""
    org = bearer(tokens["organizer"])
    base = f"/api/events/{event['id']}"
    invite_all(client, org, base)
    client.post(f"{base}/invitations", headers=org, json={})
    with app.app_context():
        before = {m.id: (m.body_text, m.body_html, m.link)
                  for m in db.session.scalars(select(Message))}
    send_mail(runner)
    with app.app_context():  # as if the commit after sending never happened
        for message_id, (text, html, link) in before.items():
            db.session.execute(update(Message).where(Message.id == message_id).values(
                status="queued", sent_at=None, body_text=text, body_html=html, link=link))
        db.session.commit()
    send_mail(runner)
    ids = [r.message["Message-ID"] for r in smtp.inbox.received]
    assert len(ids) == 6 and len(set(ids)) == 3


def test_a_permanent_refusal_fails_the_message_and_says_why(app, client, tokens, event,
                                                            smtp, runner):
    org = bearer(tokens["organizer"])
    base = f"/api/events/{event['id']}"
    invite_all(client, org, base)
    smtp.inbox.refuse["lucia@ministry.example"] = "550 No such user here"
    client.post(f"{base}/invitations", headers=org, json={})
    assert "sent 2, to retry later 0, failed 1" in send_mail(runner)
    failed = client.get(f"{base}/messages?status=failed", headers=org).json
    assert len(failed) == 1 and "550" in failed[0]["last_error"]
    assert "lucia" not in failed[0]["last_error"]


def test_the_desk_registering_an_invitee_makes_their_record_the_registration(
        client, tokens, event):
    org = bearer(tokens["organizer"])
    base = f"/api/events/{event['id']}"
    invited = client.post(f"{base}/participants", headers=org, json={
        "full_name": "Erika Mustermann", "email": "erika@example.org", "status": "invited"})
    r = client.post(f"{base}/participants", headers=bearer(tokens["desk"]), json=person())
    assert r.status_code == 201 and r.json["id"] == invited.json["id"]
    assert r.json["status"] == "registered" and r.json["sector"] == "government"
    checked = client.post(f"{base}/participants/{r.json['id']}/check-in",
                          headers=bearer(tokens["desk"]))
    assert checked.status_code == 200


def test_an_invitee_cannot_be_checked_in_or_pinned_before_they_register(client, tokens,
                                                                         event):
    org = bearer(tokens["organizer"])
    base = f"/api/events/{event['id']}"
    pid = client.post(f"{base}/participants", headers=org, json={
        "full_name": "Ana Petrova", "email": "ana@example.org", "status": "invited"}).json["id"]
    r = client.post(f"{base}/participants/{pid}/check-in", headers=org)
    assert r.status_code == 409 and "Ana Petrova has not accepted" in r.json["detail"]
    rule = client.post(f"{base}/rules", headers=org, json={
        "kind": "pin", "participant_id": pid, "group_id": event["groups"][0]["id"]})
    assert rule.status_code == 422 and "Ana Petrova" in str(rule.json["errors"])


def test_erasure_ends_links_and_drops_queued_mail_and_purge_empties_the_outbox(
        app, client, tokens, event, runner):
    org = bearer(tokens["organizer"])
    base = f"/api/events/{event['id']}"
    ids = invite_all(client, org, base)
    client.post(f"{base}/invitations", headers=org, json={})
    with app.app_context():  # no SMTP_URL: the organisers hand links over
        links = dict(db.session.execute(select(Message.participant_id, Message.link)).all())
    assert "stay queued" in runner.invoke(args=["send-mail"]).output
    first = ids["amina@ngo.example"]
    path = links[first].replace("http://127.0.0.1:8000", "")
    assert client.get(path).status_code == 200
    assert client.post(f"{base}/participants/{first}/erase", headers=org).status_code == 200
    assert client.get(path).status_code == 404
    with app.app_context():
        assert db.session.scalar(select(Message).where(Message.participant_id == first)) is None
        assert db.session.scalar(select(PersonalLink).where(
            PersonalLink.participant_id == first)) is None

    second = ids["lucia@ministry.example"]
    r = client.delete(f"{base}/invitations/{second}", headers=org)
    assert r.status_code == 200
    assert client.get(links[second].replace("http://127.0.0.1:8000", "")).status_code == 404

    with app.app_context():
        from allocator.services.privacy import purge_expired

        later = dt.datetime.now(dt.UTC) + dt.timedelta(days=3650)
        purge_expired(later)
        assert db.session.scalar(select(Message)) is None
        assert db.session.scalar(select(PersonalLink)) is None
        names = db.session.scalars(select(Participant.full_name)).all()
        assert set(names) == {"Erased participant"}
        actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"message.queued", "personal_page.opened", "links.revoked"} <= actions


def test_an_import_with_a_status_column_adds_invitees_with_a_name_and_an_email(
        client, tokens, event):
    org = bearer(tokens["organizer"])
    base = f"/api/events/{event['id']}"
    csv = ("Name,E-mail,Organisation,Sector,Consent,Status\n"
           "Amina Diallo,amina@ngo.example,,,,invited\n"
           "Petro Kovalenko,petro@police.example,,,,Invited\n"
           "Erika Mustermann,erika@example.org,Ministry,Government,yes,\n"
           "Lucía Gómez,lucia@ministry.example,,,,\n")
    r = client.post(f"{base}/participants/import", headers={**org, "Content-Type": "text/csv"},
                    data=csv.encode())
    assert r.status_code == 422  # the last row registers someone without their answers
    assert [e["row"] for e in r.json["errors"]] == [5, 5, 5]
    r = client.post(f"{base}/participants/import", headers={**org, "Content-Type": "text/csv"},
                    data=csv.rsplit("Lucía", 1)[0].encode())
    assert r.status_code == 201, r.json
    people = client.get(f"{base}/participants", headers=org).json["items"]
    assert sorted(p["status"] for p in people) == ["invited", "invited", "registered"]
    assert client.post(f"{base}/invitations", headers=org, json={}).json["queued"] == 2


def test_group_announcements_carry_a_calendar_entry_and_changes_go_to_the_moved_only(
        app, client, tokens, event, smtp, runner):
    from icalendar import Calendar

    from tests.support.workshop import published

    org = bearer(tokens["organizer"])
    base = f"/api/events/{event['id']}"
    early = client.post(f"{base}/notifications", headers=org, json={"kind": "groups"})
    assert early.status_code == 409 and "publish" in early.json["detail"]
    base, run_id, placed = published(client, org, event)
    groups = {g["id"]: g for g in event["groups"]}

    r = client.post(f"{base}/notifications", headers=org, json={"kind": "groups"})
    assert r.status_code == 202 and r.json["queued"] == len(placed)
    assert "sent 12" in send_mail(runner)
    people = {p["email"]: p for p in client.get(
        f"{base}/participants?per_page=100", headers=org).json["items"]}
    for received in smtp.inbox.received:
        who = people[received.rcpt_tos[0]]
        group = groups[placed[who["id"]]]
        text = received.text()
        assert group["name"] in received.message["Subject"]
        assert group["room"] in text and "Vienna International Centre" in text
        others = [p["full_name"] for p in people.values() if p["id"] != who["id"]]
        assert not any(re.search(rf"\b{name}\b", text + received.html()) for name in others)
        entry = Calendar.from_ical(received.calendar()).walk("VEVENT")[0]
        assert group["room"] in str(entry["LOCATION"])
        assert entry["DTSTART"].dt.isoformat().startswith(event["starts_at"][:10])
        assert str(entry["UID"]).startswith(f"event-{event['id']}-participant-{who['id']}@")

    # A later published allocation moves someone (a pin): change notices go to exactly
    # those whose group changed, with the same calendar UID and a higher SEQUENCE, so
    # their calendar updates the entry instead of adding a second one.
    mover = next(iter(placed))
    target = next(gid for gid in groups if gid != placed[mover])
    pin = client.post(f"{base}/rules", headers=org, json={
        "kind": "pin", "participant_id": mover, "group_id": target})
    assert pin.status_code == 201, pin.json
    run = client.post(f"{base}/allocations", headers=org,
                      json={"time_limit_s": 5, "stable": True}).json
    assert client.post(f"{base}/allocations/{run['id']}/publish", headers=org).status_code \
        == 200
    report = client.get(f"{base}/allocations/{run['id']}/report", headers=org).json
    now = {m["participant_id"]: g["id"] for g in report["groups"] for m in g["members"]}
    moved = sorted(pid for pid in now if now[pid] != placed[pid])
    assert mover in moved
    r = client.post(f"{base}/notifications", headers=org, json={"kind": "changes"})
    assert r.json == {"queued": len(moved), "participant_ids": moved}
    send_mail(runner)
    notice = next(m for m in smtp.inbox.received[12:]
                  if m.rcpt_tos[0] == next(e for e, p in people.items() if p["id"] == mover))
    assert "changed" in notice.message["Subject"] and groups[target]["name"] in notice.text()
    entry = Calendar.from_ical(notice.calendar()).walk("VEVENT")[0]
    assert int(entry["SEQUENCE"]) == 1
    again = client.post(f"{base}/notifications", headers=org, json={"kind": "changes"})
    assert again.json["queued"] == 0


def test_newcomers_and_movers_are_told_once_and_nobody_twice_unless_asked(
        app, client, tokens, event, smtp, runner):
    """After a later run both buttons tell exactly who has not been told their current
    group: newcomers get the announcement, movers a change notice; "again" tells all."""
    from tests.support.workshop import late_arrival, published

    org = bearer(tokens["organizer"])
    base, _, placed = published(client, org, event)
    first = client.post(f"{base}/notifications", headers=org, json={"kind": "changes"})
    assert first.json["queued"] == len(placed)  # nobody was told yet: everyone is new
    send_mail(runner)
    newcomers = [late_arrival(client, org, base, f"New Person{n}") for n in range(3)]
    run = client.post(f"{base}/allocations", headers=org,
                      json={"time_limit_s": 5, "stable": True}).json
    assert client.post(f"{base}/allocations/{run['id']}/publish", headers=org).status_code \
        == 200
    report = client.get(f"{base}/allocations/{run['id']}/report", headers=org).json
    now = {m["participant_id"]: g["id"] for g in report["groups"] for m in g["members"]}
    moved = [pid for pid in placed if now[pid] != placed[pid]]
    assert set(newcomers) <= set(now)

    for kind in ("groups", "changes"):  # either button: the same people, once
        r = client.post(f"{base}/notifications", headers=org, json={"kind": kind})
        if kind == "groups":
            assert sorted(r.json["participant_ids"]) == sorted(newcomers + moved)
        else:
            assert r.json["queued"] == 0
    kinds = {m["participant_id"]: m["kind"] for m in client.get(
        f"{base}/messages?status=queued", headers=org).json}
    assert all(kinds[pid] == "groups" for pid in newcomers)
    assert all(kinds[pid] == "change" for pid in moved)
    assert "sent" in send_mail(runner)

    again = client.post(f"{base}/notifications", headers=org,
                        json={"kind": "groups", "again": True})
    assert again.json["queued"] == len(now)
    wrong = client.post(f"{base}/notifications", headers=org,
                        json={"kind": "groups", "again": "yes please"})
    assert wrong.status_code == 422 and "again" in wrong.json["errors"]


def test_a_personal_link_never_reaches_a_log(app, client, tokens, event, caplog,
                                             start_server):
    import logging

    import requests

    from allocator.redact import redact_path

    caplog.set_level(logging.DEBUG)
    org = bearer(tokens["organizer"])
    base = f"/api/events/{event['id']}"
    invite_all(client, org, base)
    client.post(f"{base}/invitations", headers=org, json={})
    with app.app_context():
        link = db.session.scalars(select(Message.link)).first()
    path = link.replace("http://127.0.0.1:8000", "")
    secret = path.rsplit("/", 1)[1]
    assert client.get(path).status_code == 200
    assert client.get(path + "/x").status_code == 404
    assert secret not in caplog.text and "/i/[link]" in caplog.text
    assert redact_path(f"/i/{secret}?saved=accept") == "/i/[link]?saved=accept"

    for sibling in (f"/{path}", f"/I/{secret}", f"/api/events/1/invitations/{secret}"):
        client.get(sibling)
    assert secret not in caplog.text
    assert redact_path(None) == "" and secret not in redact_path(f"//i/{secret}")

    server = start_server()  # gunicorn's access log too
    import socket
    from urllib.parse import urlsplit

    host = urlsplit(server.url)
    for head in (b"Content-Length: abc\r\n",  # malformed: answered, the worker lives
                 b"Transfer-Encoding: chunked\r\nContent-Length: 5\r\n"):
        with socket.create_connection((host.hostname, host.port), timeout=10) as sock:
            sock.sendall(b"GET /livez HTTP/1.1\r\nHost: x\r\n" + head + b"\r\n")
            assert sock.recv(200).startswith(b"HTTP/1.1 400")
    assert requests.get(server.url + f"//i/{secret}", timeout=10).status_code in (200, 404)
    assert requests.get(server.url + path, timeout=10).status_code == 200
    deadline = time.monotonic() + 10  # the access log line is written after the answer
    while '"GET /i/[link] HTTP/1.1" 200' not in server.logged() \
            and time.monotonic() < deadline:
        time.sleep(0.05)
    logged = server.logged()
    assert secret not in logged and '"GET /i/[link] HTTP/1.1" 200' in logged
    assert "exited with code" not in logged


def test_the_personal_page_refuses_a_forged_form_and_answers_hostile_input_in_words(
        app, client, tokens, event):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    org = bearer(tokens["organizer"])
    base = f"/api/events/{event['id']}"
    ids = invite_all(client, org, base)
    client.post(f"{base}/invitations", headers=org, json={})
    with app.app_context():
        link = db.session.scalar(select(Message.link).where(
            Message.participant_id == ids["amina@ngo.example"]))
    path = link.replace("http://127.0.0.1:8000", "")
    token = csrf(client.get(path).get_data(as_text=True))
    forged = client.post(path, data={"csrf_token": "x" * 64, "answer": "decline"})
    assert forged.status_code == 400
    assert client.get(f"{base}/participants/{ids['amina@ngo.example']}",
                      headers=org).json["status"] == "invited"

    text = st.text(max_size=300)
    fields = st.fixed_dictionaries({}, optional={
        "answer": st.sampled_from(["accept", "decline", "", "maybe"]) | text,
        "full_name": text, "organization": text, "country": text,
        "sector": st.sampled_from(["government", "Civil society", "ngo", ""]) | text,
        "preference_1": st.sampled_from(["information-sharing", "Information Sharing"]) | text,
        "preference_2": text, "consent": st.sampled_from(["yes", "", "no"]) | text})

    @settings(max_examples=150, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(fields)
    def answer(form):
        r = client.post(path, data={**form, "csrf_token": token})
        assert r.status_code in (303, 400, 422), r.status_code
        if r.status_code == 422:
            assert "Please correct" in r.get_data(as_text=True)

    answer()
    other = client.get(f"{base}/participants/{ids['lucia@ministry.example']}", headers=org)
    assert other.json["status"] == "invited"  # one person's page changes only them


def test_links_and_mail_follow_the_person_revoked_moved_checked_in_or_gone(
        app, client, tokens, event, smtp, runner):
    org = bearer(tokens["organizer"])
    base = f"/api/events/{event['id']}"
    ids = invite_all(client, org, base)
    amina, petro, lucia = (ids[e] for _, e in INVITEES)
    client.post(f"{base}/invitations", headers=org, json={})
    # Revoked: the next "invite everyone not invited yet" leaves them out; by name it works.
    client.delete(f"{base}/invitations/{amina}", headers=org)
    assert client.post(f"{base}/invitations", headers=org, json={}).json["queued"] == 0
    # A corrected address: the old address's links end and its unsent mail is dropped.
    r = client.patch(f"{base}/participants/{petro}", headers=org,
                     json={"email": "petro.k@police.example"})
    assert r.status_code == 200
    # Withdrawn before the mail went out: it is not sent.
    client.delete(f"{base}/participants/{lucia}", headers=org)
    out = send_mail(runner)
    assert "sent 0" in out and "no longer wanted 1" in out
    assert smtp.inbox.received == []
    again = client.post(f"{base}/invitations", headers=org, json={
        "participant_ids": [amina, petro]})
    assert again.json["queued"] == 2
    send_mail(runner)
    assert sorted(r.rcpt_tos[0] for r in smtp.inbox.received) == [
        "amina@ngo.example", "petro.k@police.example"]

    # Checked in at the desk: the page shows the answer and takes no decline.
    link = LINK.search(smtp.inbox.received[0].text()).group(1)
    who = ids.get(smtp.inbox.received[0].rcpt_tos[0], petro)
    client.post(f"{base}/participants", headers=org, json=person(
        email=smtp.inbox.received[0].rcpt_tos[0], full_name="Came In"))
    assert client.post(f"{base}/participants/{who}/check-in", headers=org).status_code == 200
    page = client.get(link).get_data(as_text=True)
    assert 'name="answer"' not in page
    late = client.post(link, data={"csrf_token": "", "answer": "decline"})
    assert late.status_code == 400
    assert client.get(f"{base}/participants/{who}", headers=org).json["status"] == "checked_in"


def test_importing_an_update_registers_invitees_and_leaves_their_blanks_alone(
        client, tokens, event):
    org = bearer(tokens["organizer"])
    base = f"/api/events/{event['id']}"
    csv_headers = {**org, "Content-Type": "text/csv"}
    first = ("Name,E-mail,Organisation,Sector,Consent,Status\n"
             "Amina Diallo,amina@ngo.example,,,,invited\n")
    assert client.post(f"{base}/participants/import", headers=csv_headers,
                       data=first.encode()).status_code == 201
    again = client.post(f"{base}/participants/import?on_existing=update", headers=csv_headers,
                        data=first.encode())
    assert again.status_code == 201 and again.json["unchanged"] == 1
    registered = ("Name,E-mail,Organisation,Sector,Consent\n"
                  "Amina Diallo,amina@ngo.example,Safe Homes,Civil society,yes\n")
    r = client.post(f"{base}/participants/import?on_existing=update", headers=csv_headers,
                    data=registered.encode())
    assert r.status_code == 201 and r.json["updated"] == 1, r.json
    assert "status" in r.json["report"][0]["changed"]
    stored = client.get(f"{base}/participants", headers=org).json["items"][0]
    assert stored["status"] == "registered" and stored["consent"] is True
    assert stored["organization"] == "Safe Homes"


def test_the_desk_finds_an_invitee_and_is_told_to_register_them(app, client, tokens, event):
    from tests.support.http import csrf, sign_in

    org = bearer(tokens["organizer"])
    base = f"/api/events/{event['id']}"
    ids = invite_all(client, org, base)
    desk = app.test_client()
    sign_in(desk, tokens["desk"])
    page = desk.get(f"/events/{event['id']}/desk").get_data(as_text=True)
    found = desk.post(f"/events/{event['id']}/desk/results",
                      data={"q": "amina", "csrf_token": csrf(page)})
    assert found.status_code == 200
    html = found.get_data(as_text=True)
    assert "Amina Diallo" in html and "invited, no answer" in html
    assert "Check in" not in html
    person_page = desk.get(f"/events/{event['id']}/desk/{ids['amina@ngo.example']}")
    assert person_page.status_code == 200
    assert "has not answered the invitation yet" in person_page.get_data(as_text=True)



def test_the_same_answer_twice_sends_one_confirmation_and_names_stay_on_one_line(
        app, client, tokens, event):
    org = bearer(tokens["organizer"])
    base = f"/api/events/{event['id']}"
    ids = invite_all(client, org, base)
    client.post(f"{base}/invitations", headers=org, json={})
    pid = ids["amina@ngo.example"]
    with app.app_context():
        link = db.session.scalar(select(Message.link).where(Message.participant_id == pid))
    path = link.replace("http://127.0.0.1:8000", "")
    token = csrf(client.get(path).get_data(as_text=True))
    form = {"csrf_token": token, "answer": "accept",
            "full_name": "Amina\r\nBcc: someone@else.example\u202e", "organization": "Safe Homes",
            "sector": "civil_society", "consent": "yes"}
    for _ in range(5):
        assert client.post(path, data=form).status_code == 303
    with app.app_context():
        kinds = db.session.scalars(select(Message.kind).where(
            Message.participant_id == pid)).all()
        consent_at = db.session.scalars(select(Participant.consent_at).where(
            Participant.status == "invited")).all()
    assert kinds.count("confirmation") == 1
    assert consent_at and all(at is None for at in consent_at)  # no consent, no time
    stored = client.get(f"{base}/participants/{pid}", headers=org).json
    assert stored["full_name"] == "Amina Bcc: someone@else.example"
    # The page's words follow what is stored, not a parameter in its address.
    page = client.get(path + "?saved=decline").get_data(as_text=True)
    assert "you are registered" in page and "you will not take part" not in page
