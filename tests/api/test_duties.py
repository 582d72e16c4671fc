"""The workshop's people and their duties: a moderator, a chair, a rapporteur and speakers
lead the programme; whoever of them facilitates no group is placed in none."""

from __future__ import annotations

import pytest

from tests.support.documents import text_of
from tests.support.factories import make_event, token
from tests.support.http import bearer, person, sign_in


@pytest.fixture
def workshop(app):
    with app.test_request_context():
        event = make_event()
        organiser = token("organizer", "duties-organiser")
        desk = token("desk", "duties-desk", event["id"])
    return {**event, "org": bearer(organiser), "desk": bearer(desk), "token": organiser}


def _people(client, workshop) -> dict[str, int]:
    base = f"/api/events/{workshop['id']}/participants"
    ids = {}
    for n in range(9):
        r = client.post(base, headers=workshop["org"], json=person(
            full_name=f"Participant {n}", email=f"p{n}@example.org",
            sector=["government", "civil_society", "academia"][n % 3]))
        ids[f"p{n}"] = r.json["id"]
    for n, key in enumerate(("structured-cooperation", "information-sharing",
                             "non-traditional-stakeholders")):
        r = client.post(base, headers=workshop["org"], json=person(
            full_name=f"Expert {n}", email=f"expert{n}@example.org", role="facilitator",
            duties=["Speaker"] + (["rapporteur"] if n == 0 else []), preferences=[key]))
        assert r.status_code == 201, r.json
        ids[f"expert{n}"] = r.json["id"]
    for name, duties in (("Moderator", ["Moderator"]), ("Chair", "Chair; Speaker")):
        r = client.post(base, headers=workshop["org"], json=person(
            full_name=f"The {name}", email=f"{name.lower()}@example.org", duties=duties))
        assert r.status_code == 201, r.json
        ids[name.lower()] = r.json["id"]
    return ids


def test_duties_are_read_in_people_s_words_and_kept_in_order_once(client, workshop):
    base = f"/api/events/{workshop['id']}/participants"
    r = client.post(base, headers=workshop["org"], json=person(
        duties=["Chair", "speaker", "chair", "Chairperson"]))
    assert r.status_code == 201 and r.json["duties"] == ["chair", "speaker"]
    wrong = client.post(base, headers=workshop["org"], json=person(
        email="other@example.org", duties=["boss"]))
    assert wrong.status_code == 422
    assert "Moderator" in wrong.json["errors"]["duties"][0]
    changed = client.patch(f"{base}/{r.json['id']}", headers=workshop["org"],
                           json={"duties": ["rapporteur"]})
    assert changed.status_code == 200 and changed.json["duties"] == ["rapporteur"]
    # a change of anything else leaves them as they are
    kept = client.patch(f"{base}/{r.json['id']}", headers=workshop["org"],
                        json={"organization": "Elsewhere"})
    assert kept.json["duties"] == ["rapporteur"]


def test_who_leads_the_programme_is_placed_in_no_group_and_counted_in_none(client, workshop):
    ids = _people(client, workshop)
    base = f"/api/events/{workshop['id']}"
    run = client.post(f"{base}/allocations", headers=workshop["org"], json={})
    assert run.status_code == 201, run.json
    report = client.get(f"{base}/allocations/{run.json['id']}/report",
                        headers=workshop["org"]).json
    placed = {m["participant_id"] for g in report["groups"] for m in g["members"]}
    assert ids["moderator"] not in placed and ids["chair"] not in placed
    # the experts facilitate: placed, one a group, the rapporteur among them
    assert {ids["expert0"], ids["expert1"], ids["expert2"]} <= placed
    assert all(len(g["facilitators"]) == 1 for g in report["groups"])
    assert sum(g["size"] for g in report["groups"]) == 12
    leads = {p["participant_id"]: p["duty_words"] for p in report["programme_people"]}
    assert leads == {ids["moderator"]: "Moderator", ids["chair"]: "Chair, Speaker"}
    client.post(f"{base}/allocations/{run.json['id']}/publish", headers=workshop["org"])
    # not a late arrival, and not placed by hand either
    late = client.get(f"{base}/late-arrivals", headers=workshop["org"]).json
    assert ids["moderator"] not in {p["id"] for p in late}
    refused = client.post(f"{base}/late-arrivals/{ids['moderator']}/place",
                          headers=workshop["org"])
    assert refused.status_code == 409 and "in no working group" in refused.json["detail"]


def test_the_desk_says_where_each_goes_when_their_ticket_is_scanned(app, client, workshop):
    from tests.support.tickets import ticket_text

    ids = _people(client, workshop)
    base = f"/api/events/{workshop['id']}"
    scan = client.post(f"{base}/check-ins", headers=workshop["desk"],
                       json={"code": ticket_text(client, base, ids["p0"], workshop["desk"])})
    assert scan.status_code == 200 and scan.json["where"] == "No group published yet"
    run = client.post(f"{base}/allocations", headers=workshop["org"], json={}).json
    client.post(f"{base}/allocations/{run['id']}/publish", headers=workshop["org"])
    moderator = client.post(f"{base}/check-ins", headers=workshop["desk"], json={
        "code": ticket_text(client, base, ids["moderator"], workshop["desk"])})
    assert moderator.json["where"] == "Moderator: in no working group"
    placed = client.post(f"{base}/check-ins", headers=workshop["desk"], json={
        "code": ticket_text(client, base, ids["p1"], workshop["desk"])})
    group = placed.json["group"]
    assert placed.json["where"] == f"{group['name']}, {group['room']}"
    latecomer = client.post(f"{base}/participants", headers=workshop["desk"], json=person(
        full_name="Late Comer", email="late@example.org")).json["id"]
    late = client.post(f"{base}/check-ins", headers=workshop["desk"], json={
        "code": ticket_text(client, base, latecomer, workshop["desk"])})
    assert late.json["where"] == "Not in the published allocation yet — ask the organisers"


def test_a_badge_says_what_its_wearer_does(client, workshop):
    ids = _people(client, workshop)
    base = f"/api/events/{workshop['id']}"
    badges = client.get(f"{base}/badges.pdf", headers=workshop["org"])
    text = text_of(badges.content_type, badges.data)
    assert "RAPPORTEUR" in text.upper() and "MODERATOR" in text.upper()
    assert ids


def test_duties_come_from_a_spreadsheet_too(client, workshop):
    csv = ("Full name,E-mail,Organisation,Sector,Consent,Duties\n"
           "Ana Chair,ana@example.org,IOM,International organisation,yes,Chair; Speaker\n"
           "Ben Plain,ben@example.org,NGO,Civil society,yes,\n")
    r = client.post(f"/api/events/{workshop['id']}/participants/import",
                    headers={**workshop["org"], "Content-Type": "text/csv"}, data=csv)
    assert r.status_code == 201, r.json
    people = client.get(f"/api/events/{workshop['id']}/participants",
                        headers=workshop["org"]).json["items"]
    assert {p["full_name"]: p["duties"] for p in people} == {
        "Ana Chair": ["chair", "speaker"], "Ben Plain": []}
    bad = client.post(f"/api/events/{workshop['id']}/participants/import",
                      headers={**workshop["org"], "Content-Type": "text/csv"},
                      data=csv.replace("Chair; Speaker", "Boss").replace("ana@", "ann@")
                      .replace("ben@", "bo@"))
    assert bad.status_code == 422
    assert any(e["column"] == "duties" for e in bad.json["errors"])


def test_an_erasure_takes_the_duties_too(client, workshop):
    ids = _people(client, workshop)
    base = f"/api/events/{workshop['id']}/participants"
    erased = client.post(f"{base}/{ids['chair']}/erase", headers=workshop["org"])
    assert erased.status_code == 200 and erased.json["duties"] == []


def test_the_desk_registers_duties_and_checks_in_only_on_the_day(app, workshop):
    pages = app.test_client()
    sign_in(pages, workshop["token"])
    form = pages.get(f"/events/{workshop['id']}/desk/register").get_data(as_text=True)
    assert 'id="check_in"' in form and 'name="check_in" value="yes" checked' not in form
    assert "the event is not today" in form and 'name="duties" value="rapporteur"' in form
