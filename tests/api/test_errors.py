"""Bad input of every kind gets problem+json with a clear message; never a 500."""

from __future__ import annotations

import json

from tests.conftest import bearer, person


def test_malformed_json_is_400(client, tokens, event):
    path = f"/api/events/{event['id']}/participants"
    for raw in ("{bad", "[1,", '{"full_name": "x",}', "\xff"):
        r = client.post(path, data=raw, headers={**bearer(tokens["desk"]),
                                                 "Content-Type": "application/json"})
        assert r.status_code == 400, raw
        assert r.content_type == "application/problem+json"
        assert r.json["detail"].startswith("The request body is not valid JSON: ")


def test_json_that_is_not_an_object_is_422(client, tokens, event):
    path = f"/api/events/{event['id']}/participants"
    for body in ([person()], "text", 42, None):
        r = client.post(path, data=json.dumps(body), headers={
            **bearer(tokens["desk"]), "Content-Type": "application/json"})
        assert r.status_code == 422, body
        assert r.content_type == "application/problem+json"


def test_body_over_1_mib_is_413(client, tokens, event):
    path = f"/api/events/{event['id']}/participants"
    body = person(full_name="x" * (1024 * 1024 + 10))
    r = client.post(path, json=body, headers=bearer(tokens["desk"]))
    assert r.status_code == 413
    assert r.content_type == "application/problem+json"


def test_non_json_body_is_415(client, tokens, event):
    path = f"/api/events/{event['id']}/participants"
    r = client.post(path, data="full_name=x", headers={
        **bearer(tokens["desk"]), "Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 415
    assert r.content_type == "application/problem+json"


def test_unknown_route_and_wrong_method(client, tokens):
    r = client.get("/api/nothing-here")
    assert r.status_code == 404 and r.content_type == "application/problem+json"
    r = client.put("/api/events", json={}, headers=bearer(tokens["organizer"]))
    assert r.status_code == 405 and r.content_type == "application/problem+json"
    assert "GET" in r.headers["Allow"]


def test_unexpected_error_is_a_problem_without_details(app, tokens, event, monkeypatch, caplog):
    from allocator.services import participants

    leaked = "erika" + "@example.org"  # data, not source text, as in real life

    def broken(*args, **kwargs):
        raise RuntimeError(f"secret detail {leaked}")

    monkeypatch.setattr(participants, "search", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    client = app.test_client()
    r = client.get(f"/api/events/{event['id']}/participants", headers=bearer(tokens["desk"]))
    assert r.status_code == 500
    assert r.content_type == "application/problem+json"
    assert "erika" not in r.get_data(as_text=True)
    assert "Traceback" not in r.get_data(as_text=True)
    assert "RuntimeError" in caplog.text
    assert "erika@example.org" not in caplog.text


def test_no_personal_data_in_request_log(client, tokens, event, caplog):
    caplog.set_level("INFO", logger="allocator")
    client.get(f"/api/events/{event['id']}/participants?q=Mustermann",
               headers=bearer(tokens["desk"]))
    client.post(f"/api/events/{event['id']}/participants", json=person(),
                headers=bearer(tokens["desk"]))
    assert "participants" in caplog.text
    assert "Mustermann" not in caplog.text and "erika" not in caplog.text.lower()


def test_api_docs_are_served_locally(client):
    page = client.get("/api/docs")
    assert page.status_code == 200 and b"/api/docs/static/swagger-ui-bundle.js" in page.data
    assert b"http" not in page.data.split(b"<body>")[1]
    js = client.get("/api/docs/static/swagger-ui-bundle.js")
    assert js.status_code == 200 and len(js.data) > 100_000
    assert client.get("/api/docs/static/../../secret_key").status_code == 404


def test_health_says_503_when_the_database_is_gone(tmp_path):
    from allocator import create_app

    app = create_app({"ENV_NAME": "testing",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing/dir/x.db"})
    r = app.test_client().get("/healthz")
    assert r.status_code == 503
    assert r.content_type == "application/problem+json"
    assert r.headers["Retry-After"] == "5"
