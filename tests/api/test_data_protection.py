"""Each promise of the README's "Data protection", tried through every route that could
break it: what is stored, who sees it, and what the audit log and the logs keep."""

from __future__ import annotations

import io
import logging
import re

import openpyxl
from sqlalchemy import select

from allocator.extensions import db
from allocator.models import AuditEntry
from tests.conftest import bearer, person
from tests.support.http import sign_in
from tests.support.workshop import post_csv
from tests.support.writes import api_writes

SECRET_NAME = "Zofia Secretname"
SECRET_EMAIL = "zofia.secret@ngo.example"
SECRET_ORG = "Shelter Secretplace"


def _fill(rule, world: dict) -> str:
    values = {"event_id": world["event_id"], "participant_id": world["participant_id"],
              "group_id": world["group_id"], "rule_id": world["rule_id"],
              "run_id": world["run_id"], "key": "t", "fmt": "csv", "filename": "app.css",
              "secret": "x" * 43, "recommendation_id": world["recommendation_id"],
              "item_id": 1, "member_id": 1, "token_id": 1}
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), rule.rule)


def _readable(response) -> str:
    """The body as text; a workbook as the text of its cells, a PDF as its pages' text."""
    if response.data[:5] == b"%PDF-":
        from pypdf import PdfReader

        return " ".join(page.extract_text() for page in
                        PdfReader(io.BytesIO(response.data)).pages)
    if response.data[:2] == b"PK":
        book = openpyxl.load_workbook(io.BytesIO(response.data))
        return " ".join(str(c) for s in book.worksheets
                        for row in s.iter_rows(values_only=True) for c in row)
    return response.get_data(as_text=True)


def _with_secret_person(client, tokens, world) -> int:
    org = bearer(tokens["organizer"])
    base = f"/api/events/{world['event_id']}"
    r = client.post(f"{base}/participants", headers=org, json=person(
        full_name=SECRET_NAME, email=SECRET_EMAIL, organization=SECRET_ORG,
        preferences=["t"]))
    assert r.status_code == 201
    run = client.post(f"{base}/allocations", json={}, headers=org).json
    assert client.post(f"{base}/allocations/{run['id']}/publish",
                       headers=org).status_code == 200
    return r.json["id"]


def test_viewers_never_see_an_email_on_any_route(app, client, tokens, world):
    _with_secret_person(client, tokens, world)
    viewer = bearer(tokens["viewer"])
    read = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.rule.startswith(("/static", "/api/docs")):
            continue
        if not rule.rule.startswith("/api/"):
            continue
        r = client.get(_fill(rule, world), headers=viewer)
        read += r.status_code == 200
        assert SECRET_EMAIL not in _readable(r), rule.rule
    assert read >= 5
    pages = app.test_client()
    sign_in(pages, tokens["viewer"])
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and rule.endpoint.startswith("web.") \
                and "static" not in rule.endpoint:
            r = pages.get(_fill(rule, world))
            assert SECRET_EMAIL not in _readable(r), rule.rule
    # and a viewer asking for the column outright is refused
    forbidden = client.get(f"/api/events/{world['event_id']}/groups.csv?columns=email",
                           headers=viewer)
    assert forbidden.status_code == 403


def test_the_audit_log_and_the_logs_hold_ids_never_names(app, client, tokens, world, caplog):
    caplog.set_level(logging.DEBUG)
    pid = _with_secret_person(client, tokens, world)
    org, desk = bearer(tokens["organizer"]), bearer(tokens["desk"])
    base = f"/api/events/{world['event_id']}"
    client.get(f"{base}/participants?q=Secretname", headers=desk)
    client.patch(f"{base}/participants/{pid}", headers=desk,
                 json={"organization": SECRET_ORG + " II"})
    client.post(f"{base}/participants/{pid}/check-in", headers=desk)
    client.post(f"{base}/rules", headers=org, json={
        "kind": "apart", "participant_id": pid, "other_id": world["participant_id"],
        "note": f"{SECRET_NAME} asked"})
    client.get(f"{base}/groups.csv", headers=org)
    client.get(f"{base}/participants/{pid}/export", headers=org)
    client.get(f"{base}/participants?q={SECRET_NAME}",
               headers=bearer("alc_" + "0" * 12 + "_" + "x" * 30))
    pages = app.test_client()
    sign_in(pages, tokens["desk"])
    pages.get(f"/events/{world['event_id']}/desk?q={SECRET_NAME}")
    client.post(f"{base}/participants/{pid}/erase", headers=org)
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry)).all()
    assert {"participant.registered", "participant.updated", "participant.checked_in",
            "rule.created", "grouplist.downloaded", "participant.exported",
            "participant.erased", "auth.failed"} <= {e.action for e in entries}
    trail = " ".join(f"{e.actor} {e.subject_type} {e.subject_id} {e.details}"
                     for e in entries)
    logged = caplog.text
    for secret in (SECRET_NAME, "Secretname", SECRET_EMAIL, SECRET_ORG, "Secretplace"):
        assert secret not in trail, secret
        assert secret not in logged, secret


def test_nothing_is_stored_beyond_the_fields_the_service_names(app, client, tokens, world):
    org = bearer(tokens["organizer"])
    refused = 0
    for (method, endpoint), (url, kwargs) in sorted(api_writes(world).items()):
        if "json" not in kwargs:
            continue
        body = {**kwargs["json"], "passport_number": "X1234567"}
        r = client.open(url, method=method, headers=org, json=body)
        assert r.status_code == 422, (endpoint, r.status_code, r.data)
        assert "passport_number" in r.json["errors"], endpoint
        refused += 1
    assert refused >= 10
    extra_column = ("full_name,email,organization,sector,consent,passport_number\r\n"
                    "A B,a@example.org,X,government,yes,X1234567\r\n")
    r = post_csv(client, {"id": world["event_id"]}, tokens["organizer"], extra_column)
    assert r.status_code == 422 and "passport_number" in r.json["detail"]
