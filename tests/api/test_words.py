"""People's words in, people's words out: spellings a spreadsheet uses are understood, every
field's error comes at once and names what is allowed, and what people read uses names,
titles and labels, never keys or ids."""

from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import select

from allocator.extensions import db
from allocator.models import AuditEntry
from tests.conftest import bearer, person
from tests.support.workshop import post_csv

SPREADSHEET = {
    "sector": ("Civil society", "civil_society"),
    "role": ("Facilitator", "facilitator"),
    "gender": ("Non-Binary", "non_binary"),
    "country": ("ua", "UA"),
}


def url(event, rest=""):
    return f"/api/events/{event['id']}/participants{rest}"


@pytest.mark.parametrize(("field", "written", "stored"), [
    ("sector", "Government", "government"), ("sector", "civil society", "civil_society"),
    ("sector", "PRIVATE-SECTOR", "private_sector"), ("sector", "International organisation",
                                                   "international_organization"),
    ("role", "Facilitator", "facilitator"), ("gender", "Non-Binary", "non_binary"),
    ("country", "ua", "UA"), ("country", "UKR", "UA"), ("country", "Ukraine", "UA"),
    ("country", "Türkiye", "TR"), ("country", "south korea", "KR"),
    ("preferences", ["Information Sharing", "structured cooperation"],
     ["information-sharing", "structured-cooperation"]),
])
def test_spreadsheet_spellings_are_understood_by_the_api(client, tokens, event, field,
                                                         written, stored):
    r = client.post(url(event), json=person(**{field: written}), headers=bearer(tokens["desk"]))
    assert r.status_code == 201, r.json
    assert r.json[field] == stored


def test_every_field_error_comes_at_once_naming_what_is_allowed(client, tokens, event):
    r = client.post(url(event), json=person(country="XX", sector="ngo", gender="other",
                                            preferences=["Data sharing"]),
                    headers=bearer(tokens["desk"]))
    assert r.status_code == 422
    errors = r.json["errors"]
    assert set(errors) == {"country", "sector", "gender", "preferences"}
    assert "Civil society" in errors["sector"][0] and "Government" in errors["sector"][0]
    assert "lower-case" not in errors["sector"][0]
    assert "Information Sharing" in errors["preferences"][0]
    assert "'Data sharing'" in errors["preferences"][0]


def test_the_import_forgives_the_same_spellings_and_reports_every_error_in_words(
        client, tokens, event):
    org = tokens["organizer"]
    text = ("full_name,email,organization,sector,country,role,preferences,consent\n"
            "Ana Ruiz,ana@example.org,X,Civil society,ua,Facilitator,"
            "Information Sharing;Structured Cooperation,yes\n"
            "Bo Li,bo@example.org,Y,ngo,XX,participant,Data sharing,yes\n")
    r = post_csv(client, event, org, text)
    assert r.status_code == 422
    row3 = {e["column"]: e["message"] for e in r.json["errors"] if e["row"] == 3}
    assert set(row3) == {"sector", "country", "preferences"}
    assert not any(message.startswith("[") for message in row3.values())
    assert all(e["row"] == 3 for e in r.json["errors"])  # row 2 is fine
    fixed = text.replace("ngo,XX", "civil-society,Vietnam").replace("Data sharing",
                                                                    "non traditional "
                                                                    "stakeholders")
    r = post_csv(client, event, org, fixed)
    assert r.status_code == 201, r.json
    ana = client.get(url(event, "?q=ana+ruiz"), headers=bearer(org)).json["items"][0]
    assert (ana["sector"], ana["country"], ana["role"]) == ("civil_society", "UA",
                                                            "facilitator")
    assert ana["preferences"] == ["information-sharing", "structured-cooperation"]


def test_an_updated_list_can_be_imported_again(app, client, tokens, event):
    org = tokens["organizer"]
    first = ("full_name,email,organization,sector,consent\n"
             "Ana Ruiz,ana@example.org,Old Org,government,yes\n"
             "Bo Li,bo@example.org,Y,media,yes\n")
    assert post_csv(client, event, org, first).status_code == 201
    second = ("full_name,email,organization,sector,consent\n"
              "Ana Ruiz,ANA@example.org,New Org,government,yes\n"
              "Bo Li,bo@example.org,Y,media,yes\n"
              "Cy Doe,cy@example.org,Z,academia,yes\n")
    refused = post_csv(client, event, org, second)
    assert refused.status_code == 422 and "on_existing=update" in refused.json["errors"][0][
        "message"]
    dry = post_csv(client, event, org, second, query="?on_existing=update&dry_run=true")
    assert dry.status_code == 200
    assert [r["status"] for r in dry.json["report"]] == ["updated", "unchanged", "created"]
    assert dry.json["report"][0]["changed"] == ["organization"]
    assert (dry.json["created"], dry.json["updated"], dry.json["unchanged"]) == (1, 1, 1)
    listed = client.get(url(event, "?q=ana"), headers=bearer(org)).json["items"]
    assert listed[0]["organization"] == "Old Org"  # a dry run changes nothing
    done = post_csv(client, event, org, second, query="?on_existing=update")
    assert done.status_code == 201 and done.json["updated"] == 1
    assert client.get(url(event, "?q=new+org"), headers=bearer(org)).json["total"] == 1
    skipped = post_csv(client, event, org, second.replace("New Org", "Newer Org"),
                       query="?on_existing=skip")
    assert [r["status"] for r in skipped.json["report"]] == ["skipped"] * 3
    assert client.get(url(event, "?q=newer"), headers=bearer(org)).json["total"] == 0
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry).where(
            AuditEntry.action == "participants.imported")).all()
        updated = entries[1].details
        assert updated["on_existing"] == "update" and len(updated["updated"]) == 1
        assert "Ana" not in str(updated)


@pytest.mark.parametrize(("name", "typed"), [
    ("Петрова Анна", "petrova"), ("Seán O'Connor", "oconnor"), ("Seán O'Connor", "o'connor"),
    ("Ελένη Παπαδάκη", "eleni"), ("محمد علي", "mhmd"), ("山田太郎", "山田"),
    ("Jean-Pierre Dupont", "jean pierre"), ("Nguyễn Thị Minh Khai", "nguyen thi"),
])
def test_search_finds_names_by_their_latin_spelling(client, tokens, event, name, typed):
    desk = bearer(tokens["desk"])
    assert client.post(url(event), json=person(full_name=name), headers=desk).status_code == 201
    found = client.get(url(event), query_string={"q": typed}, headers=desk).json
    assert [p["full_name"] for p in found["items"]] == [name]


def test_group_lists_read_in_labels_and_names(client, tokens, event):
    org = bearer(tokens["organizer"])
    for n, sector in enumerate(["private_sector", "civil_society", "government"]):
        client.post(url(event), headers=org, json=person(
            email=f"p{n}@example.org", full_name=f"Person {n}", sector=sector,
            country="UA"))
    run = client.post(f"/api/events/{event['id']}/allocations", json={}, headers=org).json
    client.post(f"/api/events/{event['id']}/allocations/{run['id']}/publish", headers=org)
    text = client.get(f"/api/events/{event['id']}/groups.csv", headers=org).data.decode(
        "utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    sectors = {r[6] for r in rows[1:]}
    assert sectors == {"Private sector", "Civil society", "Government"}
    assert {r[7] for r in rows[1:]} == {"Ukraine"}
    assert "private_sector" not in text and "information-sharing" not in text


def test_event_sector_labels_can_be_changed(client, tokens, event):
    org = bearer(tokens["organizer"])
    r = client.patch(f"/api/events/{event['id']}", headers=org,
                     json={"sector_labels": {"civil_society": "NGOs and civil society"}})
    assert r.status_code == 200
    assert r.json["sector_labels"]["civil_society"] == "NGOs and civil society"
    assert r.json["sector_labels"]["private_sector"] == "Private sector"
    again = client.post(url(event), json=person(sector="NGOs and Civil Society"),
                        headers=org)
    assert again.status_code == 201 and again.json["sector"] == "civil_society"
    bad = client.patch(f"/api/events/{event['id']}", headers=org,
                       json={"sector_labels": {"pirates": "Pirates"}})
    assert bad.status_code == 422 and "sector_labels" in bad.json["errors"]


def test_move_warnings_name_the_group_the_sector_and_the_person(client, tokens, event):
    org = bearer(tokens["organizer"])
    base = f"/api/events/{event['id']}"
    sectors = ["government", "private_sector", "civil_society"]
    themes = [g["theme"] for g in event["groups"]]
    for n in range(12):
        client.post(url(event), headers=org, json=person(
            full_name=f"Person {n}", email=f"p{n}@example.org", organization=f"Org {n}",
            sector=sectors[n % 3], preferences=[themes[(n // 3) % 3]]))
    run = client.post(f"{base}/allocations", headers=org, json={"time_limit_s": 5}).json
    report = client.get(f"{base}/allocations/{run['id']}/report", headers=org).json
    target = event["groups"][1]["id"]
    said = []
    for member in (m for g in report["groups"] if g["id"] != target for m in g["members"]
                   if m["sector"] == "private_sector"):
        moved = client.patch(f"{base}/allocations/{run['id']}/assignments/"
                             f"{member['participant_id']}", headers=org,
                             json={"group_id": target})
        if moved.status_code == 200:
            said += moved.json["warnings"]
    assert any(w.startswith("WG2 now has") and "from Private sector, above its share" in w
               for w in said), said
    assert any(re.fullmatch(r"Person \d+ now has choice \d+ \(was choice 1\)|"
                            r"Person \d+ now has a theme they did not list \(was choice 1\)", w)
               for w in said), said
    assert not any(key in w for w in said for key in (*sectors, *themes))
