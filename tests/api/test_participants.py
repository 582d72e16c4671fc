"""The desk's calls: register, find, change, withdraw, check in."""

from __future__ import annotations

from tests.conftest import YEAR, bearer, person


def url(event, suffix=""):
    return f"/api/events/{event['id']}/participants{suffix}"


def test_register_returns_201_with_location(client, tokens, event):
    desk = bearer(tokens["desk"])
    r = client.post(url(event), json=person(full_name="  Erika   Mustermann ",
                                            email=" Erika@Example.ORG ", country="AT"),
                    headers=desk)
    assert r.status_code == 201
    assert r.headers["Location"] == url(event, f"/{r.json['id']}")
    body = r.json
    assert body["full_name"] == "Erika Mustermann"
    assert body["email"] == "erika@example.org"
    assert body["country"] == "AT"
    assert body["status"] == "registered" and body["role"] == "participant"
    assert body["preferences"] == ["information-sharing", "structured-cooperation"]
    assert body["consent"] is True and body["consent_at"] and body["consent_version"]
    assert client.get(r.headers["Location"], headers=desk).json == body


def test_registering_for_an_unknown_event_is_404(client, tokens, event):
    desk = bearer(tokens["desk"])
    for event_id in (event["id"] + 1000, 2**31, 99999999999999):
        r = client.post(f"/api/events/{event_id}/participants", json=person(), headers=desk)
        assert r.status_code == 404, event_id
        assert r.content_type == "application/problem+json"
        assert f"Event {event_id}" in r.json["detail"]
    assert client.get(url(event), headers=desk).json["total"] == 0


def test_duplicate_email_is_409_naming_the_existing_person(client, tokens, event):
    desk = bearer(tokens["desk"])
    first = client.post(url(event), json=person(), headers=desk)
    again = client.post(url(event), json=person(full_name="Someone Else",
                                                email="ERIKA@example.org"), headers=desk)
    assert again.status_code == 409
    assert again.content_type == "application/problem+json"
    assert again.json["existing"] == first.headers["Location"]
    assert again.headers["Location"] == first.headers["Location"]
    listed = client.get(url(event), headers=desk).json
    assert listed["total"] == 1


def test_same_email_may_register_for_another_event(client, tokens, event):
    org = bearer(tokens["organizer"])
    other = client.post("/api/events", headers=org, json={
        "name": "Other", "starts_at": f"{YEAR}-02-14T09:00:00Z",
        "ends_at": f"{YEAR}-02-14T10:00:00Z"
    }).json
    client.post(url(event), json=person(preferences=[]), headers=org)
    r = client.post(url(other), json=person(preferences=[]), headers=org)
    assert r.status_code == 201


def test_withdrawn_person_may_register_again(client, tokens, event):
    desk = bearer(tokens["desk"])
    first = client.post(url(event), json=person(), headers=desk).json
    withdrawn = client.delete(url(event, f"/{first['id']}"), headers=desk)
    assert withdrawn.status_code == 200 and withdrawn.json["status"] == "withdrawn"
    assert withdrawn.json["withdrawn_at"]
    assert client.delete(url(event, f"/{first['id']}"), headers=desk).status_code == 200
    again = client.post(url(event), json=person(), headers=desk)
    assert again.status_code == 201 and again.json["id"] != first["id"]
    # the withdrawn record stays, for the audit
    kept = client.get(url(event, f"/{first['id']}"), headers=desk)
    assert kept.status_code == 200 and kept.json["status"] == "withdrawn"
    assert client.get(url(event, "?status=withdrawn"), headers=desk).json["total"] == 1


def test_every_validation_rule(client, tokens, event):
    desk = bearer(tokens["desk"])
    cases = [
        (person(full_name=""), "full_name"),
        (person(full_name="x" * 201), "full_name"),
        (person(full_name=5), "full_name"),
        (person(email="not-an-email"), "email"),
        (person(email="a@b"), "email"),
        (person(email="a b@example.org"), "email"),
        (person(email="x" * 250 + "@example.org"), "email"),
        (person(organization="  "), "organization"),
        (person(sector="pirates"), "sector"),
        (person(country="XX"), "country"),
        (person(country="Congo"), "country"),
        (person(country=""), "country"),
        (person(gender="other"), "gender"),
        (person(role="chair"), "role"),
        (person(preferences=["information-sharing", "information-sharing"]), "preferences"),
        (person(preferences=["no-such-theme"]), "preferences"),
        (person(preferences="information-sharing"), "preferences"),
        (person(consent=False), "consent"),
        ({k: v for k, v in person().items() if k != "consent"}, "consent"),
        ({k: v for k, v in person().items() if k != "email"}, "email"),
        (person(status="checked_in"), "status"),
        (person(nickname="E"), "nickname"),
    ]
    for body, field in cases:
        r = client.post(url(event), json=body, headers=desk)
        assert r.status_code == 422, (field, r.json)
        assert r.content_type == "application/problem+json"
        assert field in r.json["errors"], (field, r.json)
    assert client.get(url(event), headers=desk).json["total"] == 0


def test_optional_fields_may_be_left_out(client, tokens, event):
    body = {k: v for k, v in person().items() if k not in ("country", "gender", "preferences")}
    r = client.post(url(event), json=body, headers=bearer(tokens["desk"]))
    assert r.status_code == 201
    assert r.json["country"] is None and r.json["gender"] is None
    assert r.json["preferences"] == []


def test_search_filters_and_pages(client, tokens, event):
    desk = bearer(tokens["desk"])
    people = [
        person(full_name="Nguyễn Văn Mẫu", email="nguyen@example.org", sector="civil_society",
               preferences=["non-traditional-stakeholders"]),
        person(full_name="Łukasz Przykładowy", email="lukasz@example.org", sector="government",
               organization="Border Guard Service", preferences=[]),
        person(full_name="Jane Doe", email="jane@example.org", sector="media",
               role="facilitator"),
        person(full_name="100% Sample", email="sample@example.org", sector="academia"),
    ]
    ids = [client.post(url(event), json=p, headers=desk).json["id"] for p in people]
    client.post(url(event, f"/{ids[0]}/check-in"), headers=desk)

    def names(query):
        r = client.get(url(event, query), headers=desk)
        assert r.status_code == 200, r.json
        return [p["full_name"] for p in r.json["items"]]

    assert names("?q=nguyen") == ["Nguyễn Văn Mẫu"]
    assert names("?q=LUKASZ") == ["Łukasz Przykładowy"]
    assert names("?q=border guard") == ["Łukasz Przykładowy"]
    assert names("?q=jane%40example") == ["Jane Doe"]
    assert names("?q=100%25") == ["100% Sample"]
    assert names("?q=%25") == []  # nothing to search for: nobody, not everybody
    assert names("?q=zzz") == []
    assert names("?sector=government") == ["Łukasz Przykładowy"]
    assert names("?status=checked_in") == ["Nguyễn Văn Mẫu"]
    assert names("?role=facilitator") == ["Jane Doe"]
    assert names("?theme=non-traditional-stakeholders") == ["Nguyễn Văn Mẫu"]
    assert sorted(names("?theme=information-sharing")) == ["100% Sample", "Jane Doe"]
    assert names("") == ["100% Sample", "Jane Doe", "Łukasz Przykładowy", "Nguyễn Văn Mẫu"]
    assert names("?sort=-name")[0] == "Nguyễn Văn Mẫu"
    page = client.get(url(event, "?per_page=3&page=2"), headers=desk).json
    assert page["total"] == 4 and page["pages"] == 2 and page["page"] == 2
    assert [p["full_name"] for p in page["items"]] == ["Nguyễn Văn Mẫu"]
    for bad in ("?status=gone", "?per_page=0", "?per_page=501", "?page=0", "?sort=email"):
        r = client.get(url(event, bad), headers=desk)
        assert r.status_code == 422, bad


def test_patch_changes_fields_and_preferences(client, tokens, event):
    desk = bearer(tokens["desk"])
    p = client.post(url(event), json=person(), headers=desk).json
    other = client.post(url(event), json=person(email="other@example.org"), headers=desk).json
    r = client.patch(url(event, f"/{p['id']}"), headers=desk, json={
        "organization": "National Police", "preferences": ["structured-cooperation",
                                                           "information-sharing"]})
    assert r.status_code == 200
    assert r.json["organization"] == "National Police"
    assert r.json["preferences"] == ["structured-cooperation", "information-sharing"]
    assert r.json["full_name"] == "Erika Mustermann"
    assert client.get(url(event, "?q=national"), headers=desk).json["total"] == 1
    clash = client.patch(url(event, f"/{p['id']}"), json={"email": "OTHER@example.org"},
                         headers=desk)
    assert clash.status_code == 409 and clash.json["existing_id"] == other["id"]
    bad = client.patch(url(event, f"/{p['id']}"), json={"sector": "pirates"}, headers=desk)
    assert bad.status_code == 422
    bad = client.patch(url(event, f"/{p['id']}"), json={"consent": False}, headers=desk)
    assert bad.status_code == 422
    assert client.get(url(event, f"/{p['id']}"), headers=desk).json["sector"] == "government"


def test_check_in_and_undo(client, tokens, event):
    desk = bearer(tokens["desk"])
    p = client.post(url(event), json=person(), headers=desk).json
    r = client.post(url(event, f"/{p['id']}/check-in"), headers=desk)
    assert r.status_code == 200 and r.json["status"] == "checked_in" and r.json["checked_in_at"]
    again = client.post(url(event, f"/{p['id']}/check-in"), headers=desk)
    assert again.json["checked_in_at"] == r.json["checked_in_at"]
    undone = client.delete(url(event, f"/{p['id']}/check-in"), headers=desk)
    assert undone.status_code == 200 and undone.json["status"] == "registered"
    assert undone.json["checked_in_at"] is None
    client.delete(url(event, f"/{p['id']}"), headers=desk)
    r = client.post(url(event, f"/{p['id']}/check-in"), headers=desk)
    assert r.status_code == 409 and "withdrawn" in r.json["detail"]


def test_person_of_another_event_is_404_on_every_route(client, tokens, event):
    org = bearer(tokens["organizer"])
    other = client.post("/api/events", headers=org, json={
        "name": "Other", "starts_at": f"{YEAR}-02-14T09:00:00Z",
        "ends_at": f"{YEAR}-02-14T10:00:00Z"
    }).json
    p = client.post(url(event), json=person(), headers=org).json
    for method, suffix, body in [("get", "", None), ("patch", "", {"organization": "X"}),
                                 ("delete", "", None), ("post", "/check-in", None),
                                 ("delete", "/check-in", None)]:
        kwargs = {"json": body} if body else {}
        r = getattr(client, method)(url(other, f"/{p['id']}{suffix}"), headers=org, **kwargs)
        assert r.status_code == 404, (method, suffix)
    kept = client.get(url(event, f"/{p['id']}"), headers=org).json
    assert kept["status"] == "registered" and kept["organization"] == p["organization"]


def test_the_desk_finds_greek_cyrillic_and_korean_names_by_their_passport_spelling(
        client, tokens, event):
    desk = bearer(tokens["desk"])
    names = ["Ελένη Παπαδοπούλου", "Νίκος Χατζηδάκης", "Юлия Петрова", "Сергій Шевченко",
             "김민준", "Maria Papadopoulos"]
    for n, name in enumerate(names):
        assert client.post(url(event), json=person(full_name=name, email=f"p{n}@example.org"),
                           headers=desk).status_code == 201

    def names_found(q):
        r = client.get(url(event), query_string={"q": q, "sort": "name"}, headers=desk)
        assert r.status_code == 200, r.json
        return [p["full_name"] for p in r.json["items"]]

    assert names_found("papadopoulou") == ["Ελένη Παπαδοπούλου"]
    assert names_found("hatzidakis") == names_found("chatzidakis") == ["Νίκος Χατζηδάκης"]
    assert names_found("iuliia") == names_found("yulia petrova") == ["Юлия Петрова"]
    assert names_found("serhii shevchenko") == ["Сергій Шевченко"]
    assert names_found("kim minjun") == ["김민준"]
    assert names_found("Παπαδοπούλου") == ["Ελένη Παπαδοπούλου"]  # typed in Greek
