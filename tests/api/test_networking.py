"""Networking by consent: nobody is visible unless they chose it, and nothing about a person
reaches someone they did not accept — through the API, the pages, the e-mail and the vCard."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update

from allocator.extensions import db
from allocator.models import ContactRequest, Event, Message, NetworkingProfile
from tests.conftest import bearer, person

pytestmark = pytest.mark.db

PEOPLE = {"anna": ("Anna Przykładowa", "government", "PL", "structured-cooperation"),
          "bao": ("Bảo Nguyễn", "civil_society", "VN", "information-sharing"),
          "chidi": ("Chidi Okafor", "academia", "NG", "information-sharing"),
          "dana": ("Dana Cohen", "media", "IL", "structured-cooperation"),
          "emil": ("Emil Undercover", "government", "AT", "information-sharing")}


@pytest.fixture
def people(app, client, tokens, event):
    """Five registered people, each with their own personal link's secret."""
    from allocator.models import Participant
    from allocator.services.invitations import new_link

    org = bearer(tokens["organizer"])
    base = f"/api/events/{event['id']}"
    out = {"base": base, "org": org, "event": event}
    for key, (name, sector, country, theme) in PEOPLE.items():
        r = client.post(f"{base}/participants", headers=org, json=person(
            full_name=name, email=f"{key}@example.org", sector=sector, country=country,
            organization=f"{key.title()} Org", preferences=[theme]))
        assert r.status_code == 201, r.json
        with app.app_context():
            url = new_link(db.session.get(Participant, r.json["id"]))
            db.session.commit()
        out[key] = {"id": r.json["id"], "secret": url.rsplit("/", 1)[1]}
    return out


def me(people, key):
    return bearer(people[key]["secret"])


def list_me(client, people, key, fields, about=""):
    r = client.put("/api/me/directory", headers=me(people, key),
                   json={"listed": True, "fields": fields, "about": about})
    assert r.status_code == 200, r.json
    return r.json


def test_the_directory_shows_only_who_chose_it_and_only_what_they_ticked(client, people):
    list_me(client, people, "anna", ["organization"], "Victim referral in Poland")
    list_me(client, people, "chidi", [])
    # Bảo shares fields with contacts but is not listed; Emil never touches it
    assert client.put("/api/me/directory", headers=me(people, "bao"), json={
        "listed": False, "fields": ["organization", "email"]}).status_code == 200

    seen = client.get("/api/me/directory", headers=me(people, "dana")).json
    assert seen["total"] == 2
    assert seen["items"] == [
        {"full_name": "Anna Przykładowa", "organization": "Anna Org",
         "about": "Victim referral in Poland"},
        {"full_name": "Chidi Okafor", "about": ""}]
    text = str(seen)
    for hidden in ("Bảo", "Emil", "anna@example.org", "Government", "Poland'", "PL"):
        assert hidden not in text.replace("Victim referral in Poland", "")
    # Searched only by what is shown: a hidden e-mail, sector or country finds nobody.
    for query in ({"q": "anna@example"}, {"q": "Anna Org"}, {"sector": "government"},
                  {"country": "PL"}, {"theme": "structured-cooperation"}, {"q": "emil"}):
        found = client.get("/api/me/directory", headers=me(people, "dana"),
                           query_string=query).json
        assert found["total"] == 0, query
    assert client.get("/api/me/directory", headers=me(people, "dana"),
                      query_string={"q": "przykladowa"}).json["total"] == 1
    assert seen["facets"] == {"sector": [], "country": [], "theme": []}

    list_me(client, people, "anna", ["organization", "sector", "country", "themes"])
    by_sector = client.get("/api/me/directory", headers=me(people, "dana"),
                           query_string={"sector": "government", "country": "PL",
                                         "theme": "structured-cooperation"}).json
    assert [p["full_name"] for p in by_sector["items"]] == ["Anna Przykładowa"]
    # Switching it off removes the entry at once; the consent was stored with its version.
    client.put("/api/me/directory", headers=me(people, "anna"), json={"listed": False})
    after = client.get("/api/me/directory", headers=me(people, "dana")).json
    assert [p["full_name"] for p in after["items"]] == ["Chidi Okafor"]
    page = client.get(f"/i/{people['dana']['secret']}/directory").get_data(as_text=True)
    assert "Chidi Okafor" in page and "Anna" not in page and "Bảo" not in page


def test_withdrawn_and_erased_people_are_never_listed(client, people):
    base, org = people["base"], people["org"]
    list_me(client, people, "anna", ["organization"])
    list_me(client, people, "bao", ["organization"])
    assert client.delete(f"{base}/participants/{people['anna']['id']}",
                         headers=org).status_code in (200, 204)
    assert client.post(f"{base}/participants/{people['bao']['id']}/erase",
                       headers=org).status_code in (200, 204)
    seen = client.get("/api/me/directory", headers=me(people, "dana")).json
    assert seen["total"] == 0


def test_a_request_answers_the_same_for_any_code_and_tells_only_the_addressee(
        app, client, people):
    from allocator.models import Participant
    from allocator.services import tickets

    anna = client.get("/api/me/meet-code", headers=me(people, "anna")).json
    assert anna["code"].startswith("MEET:") and anna["qr"].endswith("/meet.png")
    emil = client.get("/api/me/meet-code", headers=me(people, "emil")).json["code"]
    own = client.get("/api/me/meet-code", headers=me(people, "dana")).json["code"]
    with app.app_context():
        ticket = tickets.payload(db.session.get(Participant, people["chidi"]["id"]))
    client.post(f"{people['base']}/participants/{people['emil']['id']}/erase",
                headers=people["org"])
    answers = [client.post("/api/me/contacts", headers=me(people, "dana"), json={"code": c})
               for c in (anna["code"], "MEET:AAAA-BBBB-CCCC-DDDD", ticket, emil, own,
                         anna["code"].lower().replace("-", " "))]
    assert {r.status_code for r in answers} == {202}
    assert len({r.get_data() for r in answers}) == 1  # the same bytes, whatever the code
    # Only Anna is asked; Dana's list says how many were sent, never to whom.
    incoming = client.get("/api/me/contacts", headers=me(people, "anna")).json["incoming"]
    assert [r["full_name"] for r in incoming] == ["Dana Cohen"]
    mine = client.get("/api/me/contacts", headers=me(people, "dana")).json
    assert len(mine["sent"]) == 5 and mine["accepted"] == [] and mine["incoming"] == []
    assert "Anna" not in str(mine) and "Emil" not in str(mine)
    assert client.post("/api/me/contacts", headers=me(people, "dana"),
                       json={"code": "  "}).status_code == 422
    # a meet code is no ticket: the desk's scan refuses it
    desk = client.post(f"{people['base']}/check-ins", headers=people["org"],
                       json={"code": anna["code"]})
    assert desk.status_code in (404, 409, 422) and "Anna" not in desk.get_data(as_text=True)


def test_an_accepted_exchange_shows_each_what_the_other_shares_and_a_decline_nothing(
        client, people):
    client.put("/api/me/directory", headers=me(people, "bao"),
               json={"listed": False, "fields": ["organization", "email"]})
    client.put("/api/me/directory", headers=me(people, "anna"),
               json={"listed": False, "fields": ["country"], "about": "Referral"})
    bao_code = client.get("/api/me/meet-code", headers=me(people, "bao")).json["code"]
    client.post("/api/me/contacts", headers=me(people, "anna"), json={"code": bao_code})
    client.post("/api/me/contacts", headers=me(people, "chidi"), json={"code": bao_code})
    waiting = client.get("/api/me/contacts", headers=me(people, "bao")).json["incoming"]
    by_name = {r["full_name"]: r["id"] for r in waiting}
    assert set(by_name) == {"Anna Przykładowa", "Chidi Okafor"}
    # Somebody else cannot answer Bảo's requests.
    assert client.post(f"/api/me/contacts/{by_name['Chidi Okafor']}/accept",
                       headers=me(people, "dana")).status_code == 404
    ok = client.post(f"/api/me/contacts/{by_name['Anna Przykładowa']}/accept",
                     headers=me(people, "bao"))
    assert ok.status_code == 200
    assert ok.json["accepted"] == [{"full_name": "Anna Przykładowa", "country": "Poland",
                                    "about": "Referral"}]
    no = client.post(f"/api/me/contacts/{by_name['Chidi Okafor']}/decline",
                     headers=me(people, "bao"))
    assert no.status_code == 200 and len(no.json["accepted"]) == 1
    anna = client.get("/api/me/contacts", headers=me(people, "anna")).json
    assert anna["accepted"] == [{"full_name": "Bảo Nguyễn", "organization": "Bao Org",
                                 "email": "bao@example.org", "about": ""}]
    chidi = client.get("/api/me/contacts", headers=me(people, "chidi")).json
    assert chidi["accepted"] == [] and len(chidi["sent"]) == 1  # as if nobody was asked
    card = client.get("/api/me/contacts.vcf", headers=me(people, "anna"))
    assert card.status_code == 200 and card.mimetype == "text/vcard"
    import vobject

    [parsed] = list(vobject.readComponents(card.get_data(as_text=True)))
    assert parsed.fn.value == "Bảo Nguyễn" and parsed.email.value == "bao@example.org"
    # Two people who asked each other are contacts at once.
    dana_code = client.get("/api/me/meet-code", headers=me(people, "dana")).json["code"]
    chidi_code = client.get("/api/me/meet-code", headers=me(people, "chidi")).json["code"]
    client.post("/api/me/contacts", headers=me(people, "dana"), json={"code": chidi_code})
    client.post("/api/me/contacts", headers=me(people, "chidi"), json={"code": dana_code})
    assert [c["full_name"] for c in client.get(
        "/api/me/contacts", headers=me(people, "chidi")).json["accepted"]] == ["Dana Cohen"]


def test_every_me_route_refuses_a_link_that_does_not_work_in_the_same_words(
        app, client, people):
    from allocator.services import invitations
    from allocator.services.events import get_event

    client.post(f"{people['base']}/participants/{people['emil']['id']}/erase",
                headers=people["org"])
    with app.app_context():
        invitations.revoke(get_event(people["event"]["id"]), people["chidi"]["id"])
    routes = [("GET", "/api/me", None), ("GET", "/api/me/directory", None),
              ("PUT", "/api/me/directory", {"listed": True}),
              ("GET", "/api/me/meet-code", None), ("GET", "/api/me/contacts", None),
              ("POST", "/api/me/contacts", {"code": "MEET:AAAA"}),
              ("POST", "/api/me/contacts/1/accept", None),
              ("POST", "/api/me/contacts/1/decline", None), ("GET", "/api/me/contacts.vcf", None)]
    refusals = set()
    for headers in ({}, bearer("x" * 43), bearer(people["emil"]["secret"]),
                    bearer(people["chidi"]["secret"]), {"Authorization": "Basic abc"}):
        for method, path, body in routes:
            r = client.open(path, method=method, headers=headers, json=body)
            assert r.status_code == 401, (method, path, headers, r.status_code)
            refusals.add(r.json["detail"])
    assert len(refusals) == 1
    # a purged event's links open nothing either
    with app.app_context():
        db.session.execute(update(Event).where(Event.id == people["event"]["id"])
                           .values(purged_at=dt.datetime.now(dt.UTC)))
        db.session.commit()
    assert client.get("/api/me", headers=me(people, "anna")).status_code == 401
    assert client.get(f"/i/{people['anna']['secret']}/directory").status_code == 404


def test_after_the_workshop_each_gets_their_contacts_once_and_erasure_removes_both_sides(
        app, client, people, smtp, runner):
    client.put("/api/me/directory", headers=me(people, "bao"),
               json={"listed": True, "fields": ["organization", "email"]})
    bao_code = client.get("/api/me/meet-code", headers=me(people, "bao")).json["code"]
    client.post("/api/me/contacts", headers=me(people, "anna"), json={"code": bao_code})
    [request] = client.get("/api/me/contacts", headers=me(people, "bao")).json["incoming"]
    client.post(f"/api/me/contacts/{request['id']}/accept", headers=me(people, "bao"))
    assert "contact list" not in runner.invoke(args=["send-mail"]).output  # not ended yet
    with app.app_context():
        db.session.execute(update(Event).where(Event.id == people["event"]["id"]).values(
            starts_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=5),
            ends_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)))
        db.session.commit()
    out = runner.invoke(args=["send-mail"]).output
    assert "queued 2 contact list(s)" in out
    assert "queued" not in runner.invoke(args=["send-mail"]).output  # once
    lists = {m.rcpt_tos[0]: m for m in smtp.inbox.received
             if m.message["Subject"].startswith("Your contacts")}
    assert set(lists) == {"anna@example.org", "bao@example.org"}
    to_anna = lists["anna@example.org"]
    assert "Bảo Nguyễn" in to_anna.text() and "bao@example.org" in to_anna.text()
    assert "Chidi" not in to_anna.text()
    [vcf] = [a for a in to_anna.message.iter_attachments()
             if a.get_filename() == "contacts.vcf"]
    assert "FN:Bảo Nguyễn" in vcf.get_content()
    with app.app_context():  # sent: the vCard left the database with the bodies
        assert db.session.scalars(select(Message.vcard).where(
            Message.kind == "contacts")).all() == [None, None]

    figures = client.get(f"{people['base']}/networking", headers=people["org"]).json
    assert figures == {"listed": 1, "requests": 1, "accepted": 1}
    client.post(f"{people['base']}/participants/{people['bao']['id']}/erase",
                headers=people["org"])
    assert client.get("/api/me/contacts", headers=me(people, "anna")).json["accepted"] == []
    with app.app_context():
        assert db.session.scalar(select(NetworkingProfile).where(
            NetworkingProfile.participant_id == people["bao"]["id"])) is None
        assert db.session.scalars(select(ContactRequest)).all() == []
    assert client.get(f"{people['base']}/networking", headers=people["org"]).json == {
        "listed": 0, "requests": 0, "accepted": 0}


def test_organisers_see_numbers_and_nobody_else_does(client, tokens, people):
    base = people["base"]
    list_me(client, people, "anna", [])
    for role in ("desk", "viewer"):
        assert client.get(f"{base}/networking", headers=bearer(tokens[role])).status_code \
            == 403
    assert client.get(f"{base}/networking", headers=people["org"]).json["listed"] == 1
    import io

    from docx import Document

    text = "\n".join(p.text for p in Document(io.BytesIO(client.get(
        f"{base}/report.docx", headers=people["org"]).data)).paragraphs)
    assert "1 person listed themselves in the workshop's directory" in text
    assert "Anna" not in text


def test_the_personal_page_exchanges_contacts_without_javascript(client, people):
    import re

    anna, bao = people["anna"]["secret"], people["bao"]["secret"]
    page = client.get(f"/i/{bao}").get_data(as_text=True)
    code = re.search(r'id="meet-code">(MEET:[A-Z2-7-]+)<', page).group(1)
    assert "Meet code QR" in page and "Ticket QR code" in page  # two different codes
    form = client.get(f"/i/{anna}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    sent = client.post(f"/i/{anna}/networking/contacts", data={"csrf_token": token,
                                                               "code": code})
    assert sent.status_code == 303 and "said=sent" in sent.headers["Location"]
    assert client.post(f"/i/{anna}/networking/contacts", data={
        "csrf_token": "forged", "code": code}).status_code == 400
    page = client.get(f"/i/{bao}").get_data(as_text=True)
    assert "Anna Przykładowa</bdi> would like to exchange contacts" in page
    request_id = re.search(r"/networking/contacts/(\d+)/accept", page).group(1)
    bao_token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    done = client.post(f"/i/{bao}/networking/contacts/{request_id}/accept",
                       data={"csrf_token": bao_token})
    assert done.status_code == 303
    assert "Bảo Nguyễn" in client.get(f"/i/{anna}").get_data(as_text=True)
    chose = client.post(f"/i/{anna}/networking/directory", data={
        "csrf_token": token, "listed": "yes", "fields": ["organization"], "about": "x"})
    assert chose.status_code == 303
    assert "Anna Org" in client.get(f"/i/{bao}/directory").get_data(as_text=True)
