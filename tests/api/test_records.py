"""What records and files say is unambiguous: ids are never given out twice, and every
download has one Content-Type with one charset."""

from __future__ import annotations

from sqlalchemy import select

from allocator.extensions import db
from allocator.models import AuditEntry
from tests.conftest import bearer
from tests.support.http import sign_in


def test_a_deleted_run_or_rule_never_lends_its_id_to_the_next(app, client, tokens, world):
    org = bearer(tokens["organizer"])
    base = f"/api/events/{world['event_id']}"
    draft = world["draft_run_id"]
    assert client.delete(f"{base}/allocations/{draft}", headers=org).status_code == 204
    new_run = client.post(f"{base}/allocations", json={}, headers=org).json["id"]
    assert new_run > draft
    rule = world["rule_id"]
    assert client.delete(f"{base}/rules/{rule}", headers=org).status_code == 204
    new_rule = client.post(f"{base}/rules", headers=org, json={
        "kind": "pin", "participant_id": world["participant_id"] + 2,
        "group_id": world["group_id"]}).json["id"]
    assert new_rule > rule
    with app.app_context():  # the audit log never reads "deleted 11", "started 11"
        trail = [(e.action, e.subject_id) for e in db.session.scalars(
            select(AuditEntry).where(AuditEntry.subject_type == "allocation"))]
        started = [s for a, s in trail if a == "allocation.started"]
        assert len(started) == len(set(started))
    group = client.post(f"{base}/groups", headers=org, json={
        "name": "Temporary", "theme": "t", "capacity": 3}).json["id"]
    assert client.delete(f"{base}/groups/{group}", headers=org).status_code == 204
    again = client.post(f"{base}/groups", headers=org, json={
        "name": "Temporary", "theme": "t", "capacity": 3}).json["id"]
    assert again > group


def test_every_csv_download_has_one_charset(app, client, tokens, world):
    org = bearer(tokens["organizer"])
    base = f"/api/events/{world['event_id']}"
    pages = app.test_client()
    sign_in(pages, tokens["organizer"])
    downloads = [client.get(f"{base}/groups.csv", headers=org),
                 client.get(f"{base}/groups/{world['group_id']}.csv", headers=org),
                 pages.get(f"/events/{world['event_id']}/runs/{world['run_id']}/groups.csv")]
    for r in downloads:
        assert r.status_code == 200
        assert r.headers["Content-Type"] == "text/csv; charset=utf-8"
        assert r.headers["Content-Type"].count("charset") == 1
    xlsx = client.get(f"{base}/groups.xlsx", headers=org)
    assert xlsx.headers["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
