"""When the rooms are too small, and when a theme is out of the question (issue 29): "not
this theme" at every door that takes a registration; a shortage refused in words with
the waiting list offered; a waiting list in order, on the run, its report, page and CSV;
late placements that take from it first; a message telling each waiting person their
number."""

from __future__ import annotations

import pytest

from tests.conftest import bearer, person
from tests.support.http import csrf, personal_link, sign_in
from tests.support.languages import untranslated

pytestmark = pytest.mark.db

INFO, COOP, NTS = "information-sharing", "structured-cooperation", "non-traditional-stakeholders"


def _register(client, org, base, name: str, **fields) -> dict:
    r = client.post(f"{base}/participants", headers=org, json=person(
        full_name=name, email=f"{name.lower().replace(' ', '.')}@example.org", **fields))
    assert r.status_code == 201, r.json
    return r.json


# --- "not this theme" -------------------------------------------------------------------

def test_vetoes_are_stored_by_title_or_key_and_refused_where_they_clash(client, tokens, event):
    org = bearer(tokens["organizer"])
    base = f"/api/events/{event['id']}"
    made = _register(client, org, base, "Vera Veto", preferences=[INFO],
                     vetoes=["Non-Traditional Stakeholders"])
    assert made["vetoes"] == [NTS]
    assert client.get(f"{base}/participants/{made['id']}", headers=org).json["vetoes"] == [NTS]

    # a theme both wanted and ruled out, at registration and in a change of either list
    both = client.post(f"{base}/participants", headers=org, json=person(
        email="both@example.org", preferences=[INFO, NTS], vetoes=[NTS]))
    assert both.status_code == 422
    assert both.json["errors"]["vetoes"] == [
        "Non-Traditional Stakeholders cannot be both a preference and a theme they cannot "
        "take part in."]
    for body in ({"preferences": [NTS]}, {"vetoes": [INFO]}):
        r = client.patch(f"{base}/participants/{made['id']}", headers=org, json=body)
        assert r.status_code == 422 and "vetoes" in r.json["errors"], r.json
    unknown = client.patch(f"{base}/participants/{made['id']}", headers=org,
                           json={"vetoes": ["no-such-theme"]})
    assert unknown.status_code == 422 and "vetoes" in unknown.json["errors"]
    twice = client.patch(f"{base}/participants/{made['id']}", headers=org,
                         json={"vetoes": [NTS, NTS]})
    assert twice.status_code == 422
    stored = client.get(f"{base}/participants/{made['id']}", headers=org).json
    assert stored["vetoes"] == [NTS] and stored["preferences"] == [INFO]

    # a theme's new key is followed; a deleted theme leaves the list
    renamed = client.patch(f"{base}/themes/{NTS}", headers=org, json={"key": "others"})
    assert renamed.status_code == 200, renamed.json
    assert client.get(f"{base}/participants/{made['id']}", headers=org).json["vetoes"] \
        == ["others"]


def test_vetoes_come_from_the_desk_form_the_personal_page_and_an_import(app, client, tokens,
                                                                        event):
    org = bearer(tokens["organizer"])
    base = f"/api/events/{event['id']}"
    # the desk: "cannot take part" in a theme's rank choice
    sign_in(client, tokens["organizer"])
    page = f"/events/{event['id']}/desk/register"
    form = client.get(page).get_data(as_text=True)
    assert ">cannot take part</option>" in form
    done = client.post(page, data={
        "csrf_token": csrf(form), "full_name": "Desk Veto", "email": "desk.veto@example.org",
        "organization": "Org", "sector": "government", "consent": "yes",
        f"rank-{INFO}": "1", f"rank-{COOP}": "no"})
    assert done.status_code == 302, done.get_data(as_text=True)[:400]
    found = client.get(f"{base}/participants?q=Desk%20Veto", headers=org).json["items"][0]
    assert found["vetoes"] == [COOP] and found["preferences"] == [INFO]
    edit = client.get(f"/events/{event['id']}/people/{found['id']}/edit").get_data(
        as_text=True)
    assert '<option value="no" selected>' in edit.split(f'id="rank-{COOP}"')[1][:2000]

    # the personal page, in the invitee's language: a tick per theme
    invitee = client.post(f"{base}/participants", headers=org, json={
        "full_name": "Élodie Mercier", "email": "elodie@example.org", "status": "invited",
        "language": "fr"}).json
    link = personal_link(app, invitee["id"])
    html = client.get(link).get_data(as_text=True)
    assert "Y a-t-il un thème auquel vous ne pouvez pas participer" in html
    clash = client.post(link, data={
        "csrf_token": csrf(html), "answer": "accept", "full_name": "Élodie Mercier",
        "organization": "Safe Homes",
        "sector": "Civil society", "preference_1": NTS, "vetoes": [NTS], "consent": "yes"})
    assert clash.status_code == 422
    said = clash.get_data(as_text=True)
    assert "ne peut pas être aussi l’un de vos choix" in said
    assert untranslated(said, "fr") == []
    ok = client.post(link, data={
        "csrf_token": csrf(html), "answer": "accept", "full_name": "Élodie Mercier",
        "organization": "Safe Homes",
        "sector": "Civil society", "preference_1": INFO, "vetoes": [NTS], "consent": "yes"})
    assert ok.status_code == 303
    stored = client.get(f"{base}/participants/{invitee['id']}", headers=org).json
    assert stored["vetoes"] == [NTS] and stored["preferences"] == [INFO]
    assert 'value="non-traditional-stakeholders" checked' in client.get(link).get_data(
        as_text=True)

    # an import column, by its English heading, titles or keys separated by ";"
    text = ("Full name,E-mail,Organisation,Sector,Consent,Not these themes\n"
            "Imported Veto,imported@example.org,Org,government,yes,"
            "Information Sharing; structured-cooperation\n")
    r = client.post(f"{base}/participants/import", headers={**org, "Content-Type": "text/csv"},
                    data=text.encode())
    assert r.status_code in (200, 201), r.json
    imported = client.get(f"{base}/participants?q=Imported", headers=org).json["items"][0]
    assert sorted(imported["vetoes"]) == sorted([INFO, COOP])


def test_erasure_forgets_vetoes_and_only_staff_read_them(app, client, tokens, event):
    org = bearer(tokens["organizer"])
    base = f"/api/events/{event['id']}"
    made = _register(client, org, base, "Gone Soon", preferences=[INFO], vetoes=[NTS])
    export = client.get(f"{base}/participants/{made['id']}/export", headers=org)
    assert export.status_code == 200 and export.json["participant"]["vetoes"] == [NTS]
    assert client.post(f"{base}/participants/{made['id']}/erase",
                       headers=org).status_code == 200
    assert client.get(f"{base}/participants/{made['id']}", headers=org).json["vetoes"] == []


# --- a shortage -------------------------------------------------------------------------

def _small_rooms(client, org, event, capacity: int) -> str:
    base = f"/api/events/{event['id']}"
    for group in event["groups"]:
        r = client.patch(f"{base}/groups/{group['id']}", headers=org,
                         json={"capacity": capacity, "min_size": 0})
        assert r.status_code == 200, r.json
    return base


def test_a_shortage_is_refused_in_words_offering_the_waiting_list(client, tokens, event):
    org = bearer(tokens["organizer"])
    base = _small_rooms(client, org, event, 2)
    for n in range(8):
        _register(client, org, base, f"Person {n}")
    r = client.post(f"{base}/allocations", headers=org, json={"time_limit_s": 5})
    assert r.status_code == 422
    assert r.headers["Content-Type"].startswith("application/problem+json")
    assert r.json["type"].endswith("/problems/seats-short")
    assert r.json["seats_missing"] == 2 and r.json["people"] == 8 and r.json["seats"] == 6
    assert r.json["errors"]["overflow"] == [
        "8 people but 6 seats: 2 seats are missing. Add seats to the working groups, or "
        "allocate with a waiting list: 6 people are placed and the other 2 wait, in order."]
    assert client.get(f"{base}/allocations", headers=org).json == []  # nothing recorded
    bad = client.post(f"{base}/allocations", headers=org, json={"overflow": "maybe"})
    assert bad.status_code == 422 and "overflow" in bad.json["errors"]

    # the Allocate page says the same next to its button, with the waiting list offered
    sign_in(client, tokens["organizer"])
    page = f"/events/{event['id']}/allocate"
    html = client.get(page).get_data(as_text=True)
    assert 'name="overflow" value="waitlist"' in html
    refused = client.post(page, data={"csrf_token": csrf(html), "time_limit_s": "5"})
    assert refused.status_code == 422
    said = refused.get_data(as_text=True)
    assert "2 seats are missing" in said and "Allocate with a waiting list" in said
