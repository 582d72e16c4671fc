"""Recommendations: facilitators write their group's, organisers moderate; no lost edits."""

from __future__ import annotations

from tests.conftest import bearer


def _facilitator(app, event_id: int, group_id: int | None, name: str) -> dict[str, str]:
    from allocator.services.tokens import create_token

    with app.app_context():
        return bearer(create_token("facilitator", name, event_id, group_id))


def test_a_facilitator_writes_their_group_and_no_other(app, client, tokens, event):
    org = bearer(tokens["organizer"])
    base = f"/api/events/{event['id']}"
    wg1, wg2 = event["groups"][0]["id"], event["groups"][1]["id"]
    mine = _facilitator(app, event["id"], wg1, "Facilitator WG1")

    r = client.post(f"{base}/groups/{wg1}/recommendations", headers=mine, json={
        "title": "A national referral mechanism", "text": "Set up **one** contact point.",
        "status": "proposed"})
    assert r.status_code == 201 and r.headers["ETag"] == '"1"'
    assert r.json["changed_by_role"] == "facilitator" and r.json["history"] == []
    rid = r.json["id"]
    other = client.post(f"{base}/groups/{wg2}/recommendations", headers=mine,
                        json={"title": "Not mine"})
    assert other.status_code == 403 and "another working group" in other.json["detail"]
    adopt = client.patch(f"{base}/recommendations/{rid}", headers={**mine, "If-Match": '"1"'},
                         json={"status": "adopted"})
    assert adopt.status_code == 403 and "Only the organisers" in adopt.json["detail"]
    # Facilitators read every group's output and their own group's list, not others'.
    assert client.get(f"{base}/recommendations", headers=mine).status_code == 200
    assert client.get(f"{base}/groups.csv", headers=mine).status_code == 403
    for role in ("desk", "viewer"):
        refused = client.post(f"{base}/groups/{wg1}/recommendations",
                              headers=bearer(tokens[role]), json={"title": "x"})
        assert refused.status_code == 403

    # Organisers lock the group; the facilitator can no longer change it.
    assert client.post(f"{base}/groups/{wg1}/recommendations/lock", headers=org).json[
        "locked_at"]
    locked = client.patch(f"{base}/recommendations/{rid}",
                          headers={**mine, "If-Match": '"1"'}, json={"title": "Later"})
    assert locked.status_code == 409 and "locked" in locked.json["detail"]
    assert client.post(f"{base}/groups/{wg1}/recommendations/lock", headers=mine
                       ).status_code == 403


def test_two_editors_never_overwrite_each_other_unseen(app, client, tokens, event):
    org = bearer(tokens["organizer"])
    base = f"/api/events/{event['id']}"
    wg1 = event["groups"][0]["id"]
    first = _facilitator(app, event["id"], wg1, "Facilitator A")
    second = _facilitator(app, event["id"], wg1, "Facilitator B")
    rid = client.post(f"{base}/groups/{wg1}/recommendations", headers=first,
                      json={"title": "Shared data standards"}).json["id"]

    missing = client.patch(f"{base}/recommendations/{rid}", headers=first,
                           json={"text": "No If-Match"})
    assert missing.status_code == 428 and "If-Match" in missing.json["detail"]
    ok = client.patch(f"{base}/recommendations/{rid}", headers={**first, "If-Match": '"1"'},
                      json={"text": "Agree on one data standard."})
    assert ok.status_code == 200 and ok.headers["ETag"] == '"2"'
    stale = client.patch(f"{base}/recommendations/{rid}",
                         headers={**second, "If-Match": '"1"'}, json={"text": "Mine"})
    assert stale.status_code == 412
    assert stale.json["current"]["text"] == "Agree on one data standard."
    assert stale.json["current_version"] == 2 and stale.headers["ETag"] == '"2"'
    assert client.delete(f"{base}/recommendations/{rid}", headers=second).status_code == 428
    assert client.delete(f"{base}/recommendations/{rid}",
                         headers={**second, "If-Match": '"1"'}).status_code == 412

    # The moderator amends it: the history keeps the original wording.
    amended = client.patch(f"{base}/recommendations/{rid}", headers={**org, "If-Match": '"2"'},
                           json={"text": "Agree on one data standard within a year.",
                                 "status": "amended", "position": 1})
    assert amended.status_code == 200
    detail = client.get(f"{base}/recommendations/{rid}", headers=org).json
    assert [h["text"] for h in detail["history"]] == ["", "Agree on one data standard."]
    assert detail["status"] == "amended" and detail["version"] == 3


def test_merging_needs_another_recommendation_of_the_event(app, client, tokens, event):
    org = bearer(tokens["organizer"])
    base = f"/api/events/{event['id']}"
    wg1, wg2 = event["groups"][0]["id"], event["groups"][1]["id"]
    a = client.post(f"{base}/groups/{wg1}/recommendations", headers=org,
                    json={"title": "Joint trainings"}).json
    b = client.post(f"{base}/groups/{wg2}/recommendations", headers=org,
                    json={"title": "Joint training of police and NGOs"}).json
    bad = client.patch(f"{base}/recommendations/{a['id']}",
                       headers={**org, "If-Match": '"1"'}, json={"status": "merged"})
    assert bad.status_code == 422 and "merged_into_id" in bad.json["errors"]
    merged = client.patch(f"{base}/recommendations/{a['id']}",
                          headers={**org, "If-Match": '"1"'},
                          json={"status": "merged", "merged_into_id": b["id"]})
    assert merged.status_code == 200 and merged.json["merged_into_id"] == b["id"]
    listed = client.get(f"{base}/recommendations", headers=org).json
    assert {r["status"] for r in listed} == {"merged", "draft"}
