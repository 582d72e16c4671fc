"""Who may do what: 401 without a valid token, 403 for the wrong role."""

from __future__ import annotations

import pytest

from allocator.services.tokens import create_token, revoke_token
from tests.conftest import EVENT, bearer, person

ALL = {"organizer", "desk", "viewer"}
STAFF = {"organizer", "desk"}
ORG = {"organizer"}


def routes(event, participant_id):
    e = f"/api/events/{event['id']}"
    g = event["groups"][0]["id"]
    p = f"{e}/participants/{participant_id}"
    return [
        ("get", "/api/events", None, ALL),
        ("post", "/api/events", EVENT, ORG),
        ("get", e, None, ALL),
        ("patch", e, {"venue": "x"}, ORG),
        ("get", f"{e}/themes", None, ALL),
        ("post", f"{e}/themes", {"key": "new", "title": "New"}, ORG),
        ("get", f"{e}/themes/information-sharing", None, ALL),
        ("patch", f"{e}/themes/information-sharing", {"title": "IS"}, ORG),
        ("delete", f"{e}/themes/new", None, ORG),
        ("get", f"{e}/groups", None, ALL),
        ("post", f"{e}/groups", {"name": "G9", "theme": "information-sharing",
                                 "capacity": 3}, ORG),
        ("get", f"{e}/groups/{g}", None, ALL),
        ("patch", f"{e}/groups/{g}", {"room": "R"}, ORG),
        ("get", f"{e}/participants", None, STAFF),
        ("post", f"{e}/participants", person(email="new@example.org"), STAFF),
        ("get", p, None, STAFF),
        ("patch", p, {"organization": "O"}, STAFF),
        ("post", f"{p}/check-in", None, STAFF),
        ("delete", f"{p}/check-in", None, STAFF),
        ("delete", p, None, STAFF),
        ("post", f"{e}/participants/import?dry_run=1", None, ORG),
    ]


def call(client, method, path, body, headers):
    kwargs = {"json": body} if body is not None else {}
    return getattr(client, method)(path, headers=headers, **kwargs)


def test_role_matrix(client, tokens, event):
    pid = client.post(f"/api/events/{event['id']}/participants", json=person(),
                      headers=bearer(tokens["organizer"])).json["id"]
    for method, path, body, allowed in routes(event, pid):
        for role in ("viewer", "desk", "organizer"):
            r = call(client, method, path, body, bearer(tokens[role]))
            if role in allowed:
                assert r.status_code not in (401, 403), (method, path, role, r.json)
            else:
                assert r.status_code == 403, (method, path, role, r.status_code)
                assert r.content_type == "application/problem+json"


@pytest.mark.parametrize("header", [
    None, "Bearer", "Bearer nonsense", "Basic dXNlcjpwYXNz",
    "Bearer alc_000000000000_wrongsecret",
])
def test_missing_or_invalid_token_is_401(client, event, tokens, header):
    headers = {"Authorization": header} if header else {}
    for method, path, body, _ in routes(event, 1):
        r = call(client, method, path, body, headers)
        assert r.status_code == 401, (method, path)
        assert r.content_type == "application/problem+json"
        assert r.headers["WWW-Authenticate"].startswith("Bearer")


def test_tampered_secret_of_a_real_token_is_401(client, tokens, event):
    token = tokens["organizer"]
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.get("/api/events", headers=bearer(tampered)).status_code == 401


def test_revoked_token_is_401(app, client, tokens, event):
    assert client.get("/api/events", headers=bearer(tokens["viewer"])).status_code == 200
    with app.app_context():
        revoke_token("test-viewer")
    assert client.get("/api/events", headers=bearer(tokens["viewer"])).status_code == 401


def test_token_limited_to_one_event(app, client, tokens, event):
    org = bearer(tokens["organizer"])
    other = client.post("/api/events", json={**EVENT, "name": "Other"}, headers=org).json
    with app.app_context():
        scoped = bearer(create_token("desk", "desk-other", other["id"]))
    assert [e["id"] for e in client.get("/api/events", headers=scoped).json] == [other["id"]]
    assert client.get(f"/api/events/{other['id']}/participants",
                      headers=scoped).status_code == 200
    r = client.post(f"/api/events/{event['id']}/participants", json=person(), headers=scoped)
    assert r.status_code == 403
    assert client.get(f"/api/events/{event['id']}", headers=scoped).status_code == 403


def test_health_and_spec_need_no_token(client):
    assert client.get("/healthz").json == {"status": "ok", "database": "ok"}
    spec = client.get("/api/openapi.json").json
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    op = spec["paths"]["/api/events/{event_id}/participants"]["post"]
    assert op["security"] == [{"bearerAuth": []}]
    assert op["summary"] == "Register a participant"
    assert "application/problem+json" in spec["components"]["responses"]["DEFAULT_ERROR"][
        "content"]
