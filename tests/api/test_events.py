"""Events, themes and working groups through the API."""

from __future__ import annotations

from tests.conftest import EVENT, YEAR, bearer, person


def test_create_event_reads_wall_time_in_its_time_zone(client, tokens):
    r = client.post("/api/events", json=EVENT, headers=bearer(tokens["organizer"]))
    assert r.status_code == 201
    assert r.headers["Location"] == f"/api/events/{r.json['id']}"
    assert r.json["starts_at"] == f"{YEAR}-02-15T09:30:00+01:00"
    assert r.json["ends_at"] == f"{YEAR}-02-15T12:30:00+01:00"
    assert r.json["sectors"][0] == "government" and len(r.json["sectors"]) == 7
    assert r.json["retention_days"] == 90
    again = client.get(r.headers["Location"], headers=bearer(tokens["viewer"]))
    assert again.json == r.json


def test_event_with_explicit_offset_is_shown_in_event_zone(client, tokens):
    body = {**EVENT, "starts_at": f"{YEAR}-02-15T08:30:00Z", "ends_at": f"{YEAR}-02-15T11:30:00Z"}
    r = client.post("/api/events", json=body, headers=bearer(tokens["organizer"]))
    assert r.json["starts_at"] == f"{YEAR}-02-15T09:30:00+01:00"


def test_event_validation(client, tokens):
    org = bearer(tokens["organizer"])
    cases = [
        ({**EVENT, "ends_at": f"{YEAR}-02-15T09:00:00"}, "ends_at"),
        ({**EVENT, "timezone": "Mars/Olympus"}, "timezone"),
        ({**EVENT, "retention_days": -1}, "retention_days"),
        ({**EVENT, "retention_days": "90"}, "retention_days"),
        ({**EVENT, "name": "   "}, "name"),
        ({**EVENT, "name": "x" * 201}, "name"),
        ({**EVENT, "sectors": ["Government"]}, "sectors"),
        ({**EVENT, "sectors": ["media", "media"]}, "sectors"),
        ({**EVENT, "sectors": []}, "sectors"),
        ({**EVENT, "colour": "blue"}, "colour"),
        ({k: v for k, v in EVENT.items() if k != "starts_at"}, "starts_at"),
    ]
    for body, field in cases:
        r = client.post("/api/events", json=body, headers=org)
        assert r.status_code == 422, (field, r.json)
        assert r.content_type == "application/problem+json"
        assert field in r.json["errors"], (field, r.json)
    listed = client.get("/api/events", headers=org)
    assert listed.json == []


def test_patch_event_and_keep_sectors_in_use(client, tokens, event):
    org = bearer(tokens["organizer"])
    url = f"/api/events/{event['id']}"
    r = client.patch(url, json={"venue": "Room C, VIC", "retention_days": 30}, headers=org)
    assert r.status_code == 200 and r.json["venue"] == "Room C, VIC"
    assert r.json["name"] == EVENT["name"]
    client.post(f"{url}/participants", json=person(sector="media"), headers=org)
    r = client.patch(url, json={"sectors": ["government", "civil_society"]}, headers=org)
    assert r.status_code == 409
    assert "media (1)" in r.json["detail"]
    assert client.get(url, headers=org).json["sectors"] == event["sectors"]
    r = client.patch(url, json={"sectors": event["sectors"] + ["trade_union"]}, headers=org)
    assert r.status_code == 200 and r.json["sectors"][-1] == "trade_union"
    r = client.patch(url, json={"ends_at": f"{YEAR}-02-14T12:00:00"}, headers=org)
    assert r.status_code == 422 and "ends_at" in r.json["errors"]


def test_unknown_event_is_404(client, tokens):
    for path in ("/api/events/999", "/api/events/999/themes", "/api/events/999/groups",
                 "/api/events/999/participants", "/api/events/99999999999999"):
        r = client.get(path, headers=bearer(tokens["organizer"]))
        assert r.status_code == 404, path
        assert r.content_type == "application/problem+json"


def test_themes_crud(client, tokens, event):
    org = bearer(tokens["organizer"])
    base = f"/api/events/{event['id']}/themes"
    assert [t["key"] for t in client.get(base, headers=org).json] == [
        "structured-cooperation", "information-sharing", "non-traditional-stakeholders"]
    r = client.post(base, json={"key": "victim-protection", "title": "Victim protection"},
                    headers=org)
    assert r.status_code == 201 and r.json["position"] == 3
    assert r.headers["Location"].endswith("/themes/victim-protection")
    dup = client.post(base, json={"key": "victim-protection", "title": "Again"}, headers=org)
    assert dup.status_code == 409
    bad = client.post(base, json={"key": "Victim Protection", "title": "x"}, headers=org)
    assert bad.status_code == 422 and "key" in bad.json["errors"]
    r = client.patch(f"{base}/victim-protection", json={"key": "protection", "title": "P"},
                     headers=org)
    assert r.status_code == 200 and r.json == {"key": "protection", "title": "P",
                                               "description": "", "position": 3}
    clash = client.patch(f"{base}/protection", json={"key": "information-sharing"}, headers=org)
    assert clash.status_code == 409
    assert client.delete(f"{base}/protection", headers=org).status_code == 204
    assert client.get(f"{base}/protection", headers=org).status_code == 404


def test_theme_rename_keeps_preferences(client, tokens, event):
    org = bearer(tokens["organizer"])
    base = f"/api/events/{event['id']}"
    p = client.post(f"{base}/participants", json=person(), headers=org).json
    client.patch(f"{base}/themes/information-sharing", json={"key": "data-sharing"}, headers=org)
    got = client.get(f"{base}/participants/{p['id']}", headers=org).json
    assert got["preferences"] == ["data-sharing", "structured-cooperation"]


def test_theme_delete_guards_groups_and_preferences(client, tokens, event):
    org = bearer(tokens["organizer"])
    base = f"/api/events/{event['id']}"
    r = client.delete(f"{base}/themes/information-sharing", headers=org)
    assert r.status_code == 409 and r.json["detail"].startswith("WG2 works on ")
    client.post(f"{base}/themes", json={"key": "extra", "title": "Extra"}, headers=org)
    p = client.post(f"{base}/participants", headers=org,
                    json=person(preferences=["extra", "information-sharing"])).json
    r = client.delete(f"{base}/themes/extra", headers=org)
    assert r.status_code == 409 and "force=true" in r.json["detail"]
    assert client.delete(f"{base}/themes/extra?force=true", headers=org).status_code == 204
    got = client.get(f"{base}/participants/{p['id']}", headers=org).json
    assert got["preferences"] == ["information-sharing"]


def test_groups_crud(client, tokens, event):
    org = bearer(tokens["organizer"])
    base = f"/api/events/{event['id']}/groups"
    assert [g["name"] for g in client.get(base, headers=bearer(tokens["viewer"])).json] == [
        "WG1", "WG2", "WG3"]
    r = client.post(base, json={"name": "WG4", "theme": "information-sharing",
                                "room": "M4", "capacity": 20, "min_size": 5}, headers=org)
    assert r.status_code == 201
    group = r.json
    assert group["theme"] == "information-sharing" and group["capacity"] == 20
    assert r.headers["Location"] == f"{base}/{group['id']}"
    assert client.post(base, json={"name": "wg4", "theme": "information-sharing",
                                   "capacity": 5}, headers=org).status_code == 409
    bad = client.post(base, json={"name": "WG5", "theme": "nope", "capacity": 5}, headers=org)
    assert bad.status_code == 422 and "theme" in bad.json["errors"]
    bad = client.post(base, json={"name": "WG5", "theme": "information-sharing",
                                  "capacity": 5, "min_size": 6}, headers=org)
    assert bad.status_code == 422 and "min_size" in bad.json["errors"]
    bad = client.post(base, json={"name": "WG5", "theme": "information-sharing",
                                  "capacity": 0}, headers=org)
    assert bad.status_code == 422 and "capacity" in bad.json["errors"]
    r = client.patch(f"{base}/{group['id']}", json={"min_size": 25}, headers=org)
    assert r.status_code == 422
    r = client.patch(f"{base}/{group['id']}", json={"capacity": 30, "min_size": 25,
                                                    "theme": "structured-cooperation"},
                     headers=org)
    assert r.status_code == 200 and r.json["theme"] == "structured-cooperation"
    assert client.delete(f"{base}/{group['id']}", headers=org).status_code == 204
    assert client.get(f"{base}/{group['id']}", headers=org).status_code == 404


def test_group_of_another_event_is_not_reachable(client, tokens, event):
    org = bearer(tokens["organizer"])
    other = client.post("/api/events", json={**EVENT, "name": "Other"}, headers=org).json
    group_id = event["groups"][0]["id"]
    for method in ("get", "patch", "delete"):
        kwargs = {"json": {"room": "x"}} if method == "patch" else {}
        r = getattr(client, method)(f"/api/events/{other['id']}/groups/{group_id}",
                                    headers=org, **kwargs)
        assert r.status_code == 404, method
    assert client.get(f"/api/events/{event['id']}/groups/{group_id}",
                      headers=org).json["room"] == "Room 1"
