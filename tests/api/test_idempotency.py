"""A retried POST (the desk's Wi-Fi dropped) is done once."""

from __future__ import annotations

import datetime as dt
import io
import json

from sqlalchemy import select, update

from allocator.extensions import db
from allocator.models import IdempotencyRecord
from tests.conftest import bearer, person
from tests.support.workshop import run_together


def test_retry_with_same_key_returns_the_stored_response(client, tokens, event):
    path = f"/api/events/{event['id']}/participants"
    headers = {**bearer(tokens["desk"]), "Idempotency-Key": "reg-0001"}
    first = client.post(path, json=person(), headers=headers)
    again = client.post(path, json=person(), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json == first.json
    assert again.headers["Location"] == first.headers["Location"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert client.get(path, headers=headers).json["total"] == 1


def test_key_is_scoped_to_the_caller(client, tokens, event):
    path = f"/api/events/{event['id']}/participants"
    client.post(path, json=person(), headers={**bearer(tokens["desk"]), "Idempotency-Key": "k"})
    other = client.post(path, json=person(),
                        headers={**bearer(tokens["organizer"]), "Idempotency-Key": "k"})
    # a different caller's key is a different request: it runs, and finds the duplicate
    assert other.status_code == 409
    assert "Idempotent-Replayed" not in other.headers


def test_errors_are_replayed_too_but_a_different_body_is_refused(client, tokens, event):
    path = f"/api/events/{event['id']}/participants"
    headers = {**bearer(tokens["desk"]), "Idempotency-Key": "bad-1"}
    first = client.post(path, json=person(email="nope"), headers=headers)
    assert first.status_code == 422
    again = client.post(path, json=person(email="nope"), headers=headers)
    assert again.status_code == 422 and again.json == first.json
    changed = client.post(path, json=person(), headers=headers)
    assert changed.status_code == 422
    assert "different request" in changed.json["detail"]


def test_request_still_in_progress_gets_409(app, client, tokens, event):
    path = f"/api/events/{event['id']}/participants"
    headers = {**bearer(tokens["desk"]), "Idempotency-Key": "slow-1"}
    first = client.post(path, json=person(), headers=headers)
    with app.app_context():
        db.session.execute(update(IdempotencyRecord).values(state="in_progress"))
        db.session.commit()
    r = client.post(path, json=person(), headers=headers)
    assert r.status_code == 409 and r.content_type == "application/problem+json"
    # an in-progress key whose request died is taken over after the lease
    with app.app_context():
        old = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10)
        db.session.execute(update(IdempotencyRecord).values(updated_at=old))
        db.session.commit()
    r = client.post(path, json=person(), headers=headers)
    assert r.status_code == 409 and r.json["existing"] == first.headers["Location"]


def test_concurrent_retries_create_one_person(app, tokens, event):
    path = f"/api/events/{event['id']}/participants"
    headers = {**bearer(tokens["desk"]), "Idempotency-Key": "burst-7"}

    def send(client, _):
        r = client.post(path, json=person(), headers=headers)
        return r.status_code, r.json

    results = run_together(app, 6, send)
    codes = sorted(code for code, _ in results)
    assert codes.count(201) >= 1 and set(codes) <= {201, 409}
    created = {body["id"] for code, body in results if code == 201}
    assert len(created) == 1
    for code, body in results:
        if code == 409:
            assert "Idempotency-Key" in body["detail"]
    with app.app_context():
        rows = db.session.scalars(select(IdempotencyRecord)).all()
        assert len(rows) == 1 and rows[0].state == "done"


def test_invalid_key_is_400(client, tokens, event):
    path = f"/api/events/{event['id']}/participants"
    r = client.post(path, json=person(),
                    headers={**bearer(tokens["desk"]), "Idempotency-Key": "x" * 300})
    assert r.status_code == 400
    assert client.get(path, headers=bearer(tokens["desk"])).json["total"] == 0


def test_a_retried_upload_is_the_same_request_whatever_its_boundary(client, tokens, event):
    """Clients draw a new multipart boundary for every request: the retry must still match."""
    path = f"/api/events/{event['id']}/participants/import"
    headers = {**bearer(tokens["organizer"]), "Idempotency-Key": "import-1"}
    content = (b"full_name,email,organization,sector,consent\r\n"
               b"A B,ab@example.org,X,government,yes\r\n")
    answers = []
    for boundary in ("boundary-one", "----WebKitFormBoundary7MA4YWxkTrZu0gW"):
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
                f"filename=\"people.csv\"\r\nContent-Type: text/csv\r\n\r\n").encode() \
            + content + f"\r\n--{boundary}--\r\n".encode()
        answers.append(client.post(path, data=body, headers={
            **headers, "Content-Type": f"multipart/form-data; boundary={boundary}"}))
    first, retry = answers
    assert first.status_code == retry.status_code == 201, retry.json
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert retry.json == first.json
    listed = client.get(f"/api/events/{event['id']}/participants",
                        headers=bearer(tokens["organizer"])).json
    assert listed["total"] == 1
    # another file under the same key is another request
    other = content.replace(b"ab@", b"cd@")
    r = client.post(path, headers=headers, content_type="multipart/form-data",
                    data={"file": (io.BytesIO(other), "people.csv")})
    assert r.status_code == 422 and r.json["type"] == "/problems/idempotency-key-reused"


def test_the_same_json_in_another_key_order_is_the_same_request(client, tokens, event):
    path = f"/api/events/{event['id']}/participants"
    headers = {**bearer(tokens["desk"]), "Idempotency-Key": "reorder-1",
               "Content-Type": "application/json"}
    body = person()
    first = client.post(path, data=json.dumps(body), headers=headers)
    again = client.post(path, data=json.dumps(dict(reversed(list(body.items()))), indent=2),
                        headers=headers)
    assert first.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json == first.json
    changed = client.post(path, data=json.dumps({**body, "full_name": "Someone Else"}),
                          headers=headers)
    assert changed.status_code == 422
