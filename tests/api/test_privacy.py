"""A person's rights, retention, and what each role may see."""

from __future__ import annotations

import datetime as dt
import io
import json

from sqlalchemy import select, text

from allocator.extensions import db
from allocator.models import AllocationRun, AuditEntry, IdempotencyRecord, Participant
from allocator.services.privacy import purge_expired
from tests.conftest import EVENT, bearer, person
from tests.support.workshop import people_csv


def setup_event(client, tokens, event):
    org = bearer(tokens["organizer"])
    base = f"/api/events/{event['id']}"
    r = client.post(f"{base}/participants/import", headers=org,
                    content_type="multipart/form-data",
                    data={"file": (io.BytesIO(people_csv(30)), "people.csv")})
    ids = r.json["participant_ids"]
    client.post(f"{base}/rules", headers=org, json={"kind": "together",
                                                    "participant_id": ids[5],
                                                    "other_id": ids[6]})
    run = client.post(f"{base}/allocations", json={}, headers=org).json
    client.post(f"{base}/allocations/{run['id']}/publish", headers=org)
    return base, org, ids, run


def test_export_holds_everything_on_the_person(client, tokens, event):
    base, org, ids, run = setup_event(client, tokens, event)
    r = client.get(f"{base}/participants/{ids[5]}/export", headers=org)
    assert r.status_code == 200
    data = r.json
    assert data["participant"]["email"] == "person5@example.org"
    assert data["participant"]["consent"] is True and data["participant"]["consent_version"]
    assert data["participant"]["preferences"]
    assert [x["kind"] for x in data["rules"]] == ["together"]
    assert data["allocations"][0]["run_id"] == run["id"]
    assert data["allocations"][0]["published"] is True
    assert data["audit"] == []  # imported in bulk: nothing yet about this person alone
    assert r.headers["Cache-Control"] == "no-store"
    assert client.get(f"{base}/participants/{ids[5]}/export",
                      headers=bearer(tokens["desk"])).status_code == 403
    again = client.get(f"{base}/participants/{ids[5]}/export", headers=org).json
    assert "participant.exported" in {a["action"] for a in again["audit"]}


def test_erasure_anonymises_at_once_and_keeps_group_figures(app, client, tokens, event):
    base, org, ids, run = setup_event(client, tokens, event)
    desk = bearer(tokens["desk"])
    before = client.get(f"{base}/allocations/{run['id']}/report", headers=org).json
    target = ids[5]
    original = client.get(f"{base}/participants/{target}", headers=org).json
    client.post(f"{base}/participants", json=person(email="retry@example.org"),
                headers={**desk, "Idempotency-Key": "k1"})
    assert client.post(f"{base}/participants/{target}/erase", headers=desk).status_code == 403
    r = client.post(f"{base}/participants/{target}/erase", headers=org)
    assert r.status_code == 200
    gone = r.json
    assert gone["full_name"] == "Erased participant"
    assert original["email"] not in json.dumps(gone)
    assert gone["organization"] == "erased" and gone["country"] is None
    assert gone["status"] == "withdrawn" and gone["sector"] == original["sector"]
    assert client.get(f"{base}/participants?q={original['full_name']}",
                      headers=desk).json["total"] == 0
    after = client.get(f"{base}/allocations/{run['id']}/report", headers=org).json
    for g_before, g_after in zip(before["groups"], after["groups"], strict=True):
        assert {m["participant_id"] for m in g_before["members"]} == {
            m["participant_id"] for m in g_after["members"]}
        assert g_before["sectors"] == g_after["sectors"]
    assert client.get(f"{base}/rules", headers=org).json == []
    with app.app_context():
        stored = db.session.get(AllocationRun, run["id"]).problem
        entry = next(p for p in stored["participants"] if p["id"] == str(target))
        assert entry["organization"] is None and entry["gender"] is None
        # stored answers are emptied, their keys kept as tombstones (no personal data)
        kept = db.session.scalars(select(IdempotencyRecord)).all()
        assert kept and all(r.state == "gone" and r.body is None and r.fingerprint == ""
                            for r in kept)
        assert db.session.scalar(select(AuditEntry).where(
            AuditEntry.action == "participant.erased")).subject_id == str(target)
    assert client.post(f"{base}/participants/{target}/erase", headers=org).status_code == 200
    # their row stays out of group lists (withdrawn), and the person is not findable
    listed = client.get(f"{base}/groups.csv", headers=org).data.decode("utf-8-sig")
    assert original["full_name"] not in listed and "Erased participant" not in listed


def test_retention_purge_time_travels(app, client, tokens, runner):
    org = bearer(tokens["organizer"])
    now = dt.datetime.now(dt.UTC)
    recent = client.post("/api/events", headers=org, json={
        **EVENT, "name": "Recent", "starts_at": (now - dt.timedelta(days=10)).isoformat(),
        "ends_at": (now - dt.timedelta(days=9)).isoformat(), "retention_days": 30}).json
    old = client.post("/api/events", headers=org, json={
        **EVENT, "name": "Old", "starts_at": (now - dt.timedelta(days=101)).isoformat(),
        "ends_at": (now - dt.timedelta(days=100)).isoformat(), "retention_days": 365}).json
    for ev in (recent, old):
        for n in range(3):
            r = client.post(f"/api/events/{ev['id']}/participants", headers=org, json=person(
                email=f"p{n}@example.org", full_name=f"Keep Secret {n}", preferences=[]))
            assert r.status_code == 201, r.json
    # the organisers shorten the old event's retention to 90 days: 100 days have passed
    r = client.patch(f"/api/events/{old['id']}", headers=org, json={"retention_days": 90})
    assert r.status_code == 200
    result = runner.invoke(args=["purge-expired"])
    assert result.exit_code == 0 and "purged 1 event(s), 3 participant(s)" in result.output
    with app.app_context():
        old_people = db.session.scalars(select(Participant).where(
            Participant.event_id == old["id"])).all()
        assert {p.full_name for p in old_people} == {"Erased participant"}
        assert all(p.erased_at and p.sector == "government" for p in old_people)
        recent_people = db.session.scalars(select(Participant).where(
            Participant.event_id == recent["id"])).all()
        assert all(p.full_name.startswith("Keep Secret") for p in recent_people)
    again = runner.invoke(args=["purge-expired"])
    assert "purged 0 event(s), 0 participant(s)" in again.output
    with app.app_context():
        # three weeks on, the recent event's 30 days have passed too
        done = purge_expired(now + dt.timedelta(days=22))
        assert done["events"] == 1 and done["participants"] == 3
        assert all(p.full_name == "Erased participant" for p in db.session.scalars(
            select(Participant).where(Participant.event_id == recent["id"])))


def test_consent_is_recorded_with_time_and_version(app, client, tokens, event):
    app.config["CONSENT_TEXT_VERSION"] = "2026-03-privacy-notice"
    r = client.post(f"/api/events/{event['id']}/participants", json=person(),
                    headers=bearer(tokens["desk"]))
    assert r.json["consent_version"] == "2026-03-privacy-notice"
    assert abs(dt.datetime.fromisoformat(r.json["consent_at"]) - dt.datetime.now(dt.UTC)
               ) < dt.timedelta(minutes=1)


def test_the_audit_log_has_ids_and_never_names(app, client, tokens, event):
    base, org, ids, run = setup_event(client, tokens, event)
    desk = bearer(tokens["desk"])
    pid = client.post(f"{base}/participants", json=person(), headers=desk).json["id"]
    client.patch(f"{base}/participants/{pid}", json={"organization": "Secret Unit"},
                 headers=desk)
    client.post(f"{base}/participants/{pid}/check-in", headers=desk)
    client.delete(f"{base}/participants/{pid}/check-in", headers=desk)
    client.delete(f"{base}/participants/{pid}", headers=desk)
    client.get(f"{base}/groups.csv", headers=bearer(tokens["viewer"]))
    client.get(f"{base}/participants", headers={"Authorization": "Bearer alc_ffff_nope"})
    client.post(f"{base}/participants/{ids[3]}/erase", headers=org)
    log = client.get(f"{base}/audit?per_page=500", headers=org).json
    actions = {e["action"] for e in log["items"]}
    assert {"participant.registered", "participant.updated", "participant.checked_in",
            "participant.check_in_undone", "participant.withdrawn", "participants.imported",
            "allocation.started", "allocation.finished", "allocation.published",
            "grouplist.downloaded", "participant.erased", "auth.failed", "rule.created",
            "token.used", "event.created"} <= actions
    updated = next(e for e in log["items"] if e["action"] == "participant.updated")
    assert updated["details"] == {"fields": ["organization"]}
    assert updated["actor"] == "test-desk"
    dump = json.dumps(log)
    for secret in ("Erika", "Mustermann", "erika@example.org", "Secret Unit", "Person 0",
                   "person3@example.org"):
        assert secret not in dump
    only = client.get(f"{base}/audit?action=participant.checked_in", headers=org).json
    assert only["total"] == 1 and only["items"][0]["subject_id"] == str(pid)
    assert client.get(f"{base}/audit", headers=desk).status_code == 403


def test_the_audit_log_is_append_only(app, client, tokens, event):
    with app.app_context():
        assert db.session.scalar(select(AuditEntry.id)) is not None
        for statement in ("UPDATE audit_log SET actor = 'someone else'",
                          "DELETE FROM audit_log"):
            try:
                db.session.execute(text(statement))
                db.session.commit()
            except Exception as exc:  # the database refuses, whatever its driver's class
                db.session.rollback()
                assert "append-only" in str(exc)
            else:
                raise AssertionError(f"{statement} was allowed")
        assert db.session.scalar(select(AuditEntry.actor).where(
            AuditEntry.action == "event.created")) == "test-organizer"
