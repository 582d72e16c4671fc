"""Hostile input and access: throttling, headers, CORS, secrets, ids across events."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import update

from allocator import create_app
from allocator.extensions import db
from allocator.models import AuthThrottle
from tests.conftest import bearer
from tests.support.workshop import make_world


def test_failed_sign_ins_are_throttled(app, client, tokens, event):
    app.config["AUTH_FAIL_LIMIT"] = 3
    path = f"/api/events/{event['id']}"
    for _ in range(3):
        assert client.get(path, headers=bearer("alc_0000_wrong")).status_code == 401
    r = client.get(path, headers=bearer("alc_0000_wrong"))
    assert r.status_code == 429 and r.content_type == "application/problem+json"
    assert 0 < int(r.headers["Retry-After"]) <= 300
    # a real token holder at the same (shared) address is not locked out
    assert client.get(path, headers=bearer(tokens["viewer"])).status_code == 200
    # another address is not affected
    other = client.get(path, headers=bearer("alc_0000_wrong"),
                       environ_base={"REMOTE_ADDR": "10.9.8.7"})
    assert other.status_code == 401
    with app.app_context():
        db.session.execute(update(AuthThrottle).values(
            window_start=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=301)))
        db.session.commit()
    assert client.get(path, headers=bearer("alc_0000_wrong")).status_code == 401


def test_security_headers(client, tokens, event):
    r = client.get(f"/api/events/{event['id']}/participants", headers=bearer(tokens["desk"]))
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]
    assert r.headers["Cache-Control"] == "no-store"
    assert r.headers["Referrer-Policy"] == "no-referrer"
    docs = client.get("/api/docs")
    assert "script-src 'self'" in docs.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in docs.headers["Content-Security-Policy"].split(
        "script-src")[1].split(";")[0]
    assert "Cache-Control" not in client.get("/api/openapi.json").headers or \
        client.get("/api/openapi.json").headers["Cache-Control"] != "no-store"
    unauthenticated = client.get(f"/api/events/{event['id']}/participants")
    assert unauthenticated.headers["Cache-Control"] == "no-store"


def test_cors_is_off_unless_configured(app, client, tokens):
    headers = {**bearer(tokens["viewer"]), "Origin": "https://evil.example"}
    assert "Access-Control-Allow-Origin" not in client.get("/api/events", headers=headers).headers
    app.config["CORS_ORIGINS"] = ["https://desk.example.org"]
    assert "Access-Control-Allow-Origin" not in client.get("/api/events", headers=headers).headers
    ok = client.get("/api/events", headers={**headers, "Origin": "https://desk.example.org"})
    assert ok.headers["Access-Control-Allow-Origin"] == "https://desk.example.org"
    preflight = client.options("/api/events", headers={
        "Origin": "https://desk.example.org", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type"})
    assert preflight.status_code == 204  # no body: the answer is in the headers
    assert "Authorization" in preflight.headers["Access-Control-Allow-Headers"]


@pytest.mark.parametrize("secret", [None, "", "dev", "changeme", "short-but-not-strong",
                                    "a" * 64])
def test_production_refuses_to_start_without_a_strong_secret(secret, tmp_path):
    overrides = {"ENV_NAME": "production", "SQLALCHEMY_DATABASE_URI": "sqlite://",
                 "SECRET_KEY": secret}
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(overrides)


def test_production_starts_with_a_strong_secret():
    app = create_app({"ENV_NAME": "production", "SQLALCHEMY_DATABASE_URI": "sqlite://",
                      "SECRET_KEY": "x7Gq9-Lm2Pz4_Rt8Vw1Ys6Bn3Cd5Fh0JkQeTa"})
    assert app.config["ENV_NAME"] == "production"


def test_development_makes_and_keeps_its_own_secret(tmp_path, monkeypatch):
    monkeypatch.setenv("ALLOCATOR_INSTANCE_PATH", str(tmp_path / "instance"))
    first = create_app({"ENV_NAME": "development", "SECRET_KEY": None,
                        "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    second = create_app({"ENV_NAME": "development", "SECRET_KEY": None,
                         "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert len(first.config["SECRET_KEY"]) >= 32
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert oct((tmp_path / "instance" / "secret_key").stat().st_mode)[-3:] == "600"




def _urls(app, mine, theirs, prefix_api):
    """Every route with an event id and another id, filled with another event's ids."""
    for rule in app.url_map.iter_rules():
        names = set(rule.arguments)
        if "event_id" not in names or names == {"event_id"}:
            continue
        if rule.rule.startswith("/api/") != prefix_api:
            continue
        values = {name: theirs.get(name, "csv") for name in names}
        values["event_id"] = mine["event_id"]
        if "key" in names:
            values["key"] = "t-of-theirs"
        url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m, v=values: str(v[m.group(1)]), rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, url


def test_no_route_reaches_another_events_data(app, client, tokens):
    """Every API and page route, given another event's ids: 404, nothing read or changed."""
    org = bearer(tokens["organizer"])
    mine = make_world(client, org, "mine")
    theirs = make_world(client, org, "theirs")
    before = client.get(f"/api/events/{theirs['event_id']}/groups/{theirs['group_id']}",
                        headers=org).json
    checked = 0
    for method, url in _urls(app, mine, theirs, prefix_api=True):
        body = {"group_id": theirs["group_id"]} if "assignments" in url else {}
        r = client.open(url, method=method, headers=org,
                        json=body if method in ("POST", "PATCH", "PUT") else None)
        assert r.status_code == 404, (method, url, r.status_code, r.json)
        checked += 1
    assert checked >= 15
    # the pages, signed in as an organiser with a valid form token
    pages = app.test_client()
    sign_in_page = pages.get("/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', sign_in_page).group(1)
    pages.post("/sign-in", data={"token": tokens["organizer"], "csrf_token": token})
    home = pages.get(f"/events/{mine['event_id']}/allocate").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', home).group(1)
    for method, url in _urls(app, mine, theirs, prefix_api=False):
        form = {"csrf_token": token, "participant_id": theirs["participant_id"],
                "group_id": theirs["group_id"], "name": "Hijacked", "theme": "t",
                "capacity": "1", "min_size": "0"}
        r = pages.open(url, method=method, data=form if method == "POST" else None)
        if r.status_code == 302:  # a form page: refused with a message, never applied
            follow = pages.get(r.headers["Location"]).get_data(as_text=True)
            assert "not found" in follow.lower(), (method, url)
        else:
            assert r.status_code == 404, (method, url, r.status_code)
        assert str(theirs["participant_id"]) not in r.get_data(as_text=True) or \
            r.status_code == 404
        checked += 1
    assert checked >= 25
    # and nothing of theirs changed
    after = client.get(f"/api/events/{theirs['event_id']}/groups/{theirs['group_id']}",
                       headers=org).json
    assert after == before
    still = client.get(f"/api/events/{theirs['event_id']}/participants/"
                       f"{theirs['participant_id']}", headers=org).json
    assert still["status"] == "registered" and still["group"]["id"] == theirs["group_id"]
    assert len(client.get(f"/api/events/{theirs['event_id']}/rules", headers=org).json) == 1
