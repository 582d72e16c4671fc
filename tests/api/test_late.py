"""Late arrivals: listed for the organisers, placed one by one without a re-run."""

from __future__ import annotations

from sqlalchemy import select

from allocator.extensions import db
from allocator.models import AuditEntry
from tests.conftest import bearer
from tests.support.workshop import SECTORS, late_arrival, published


def test_late_arrivals_are_listed_and_placed_where_the_rules_allow(app, client, tokens,
                                                                  event):
    org = bearer(tokens["organizer"])
    base, run_id, placed = published(client, org, event)
    assert client.get(f"{base}/late-arrivals", headers=org).json == []
    first = late_arrival(client, org, base, "Late One", preferences=["structured-cooperation"])
    pinned = late_arrival(client, org, base, "Late Pinned")
    groups = [g["id"] for g in event["groups"]]
    client.post(f"{base}/rules", headers=org, json={
        "kind": "pin", "participant_id": pinned, "group_id": groups[2]})
    listed = client.get(f"{base}/late-arrivals", headers=org).json
    assert {p["full_name"] for p in listed} == {"Late One", "Late Pinned"}

    # nobody else moves; the pin is kept; the person's own first choice wins a tie
    done = client.post(f"{base}/late-arrivals/{pinned}/place", headers=org)
    assert done.status_code == 200, done.json
    assert done.json["group_id"] == groups[2] and done.json["group"] == "WG3"
    report = client.get(f"{base}/allocations/{run_id}/report", headers=org).json
    now = {m["participant_id"]: g["id"] for g in report["groups"] for m in g["members"]}
    assert {k: v for k, v in now.items() if k in placed} == placed
    assert now[pinned] == groups[2]
    assert client.post(f"{base}/late-arrivals/{pinned}/place", headers=org).json["type"] \
        == "/problems/already-placed"

    # the desk sees the group at once; the list shrinks; the decision is audited
    desk = bearer(tokens["desk"])
    assert client.get(f"{base}/participants/{pinned}", headers=desk).json["group"]["id"] \
        == groups[2]
    assert [p["id"] for p in client.get(f"{base}/late-arrivals", headers=org).json] \
        == [first]
    with app.app_context():
        actions = set(db.session.scalars(select(AuditEntry.action)))
    assert "allocation.late_placed" in actions

    # a stable re-run keeps the placement as the organisers' decision
    again = client.post(f"{base}/allocations", headers=org,
                        json={"stable": True, "time_limit_s": 5}).json
    rerun = client.get(f"{base}/allocations/{again['id']}/report", headers=org).json
    kept = {m["participant_id"]: g["id"] for g in rerun["groups"] for m in g["members"]}
    assert kept[pinned] == groups[2]


def test_a_late_arrival_kept_apart_from_someone_avoids_their_group(client, tokens, event):
    org = bearer(tokens["organizer"])
    base, _, placed = published(client, org, event)
    late = late_arrival(client, org, base, "Late Apart")
    groups = [g["id"] for g in event["groups"]]
    # one person from each of two groups to be kept apart from: only the third remains
    others = [next(p for p, g in placed.items() if g == gid) for gid in groups[:2]]
    for other in others:
        r = client.post(f"{base}/rules", headers=org, json={
            "kind": "apart", "participant_id": late, "other_id": other})
        assert r.status_code == 201, r.json
    done = client.post(f"{base}/late-arrivals/{late}/place", headers=org).json
    assert done["group_id"] == groups[2]


def test_full_rooms_and_no_allocation_are_refused_in_words(app, client, tokens, event):
    org = bearer(tokens["organizer"])
    base = f"/api/events/{event['id']}"
    early = late_arrival(client, org, base, "Too Early")
    refused = client.post(f"{base}/late-arrivals/{early}/place", headers=org)
    assert refused.status_code == 409
    assert refused.json["detail"] == "Nothing is published yet: allocate and publish first."
    base, _, placed = published(client, org, event, people=6)
    for group in event["groups"]:  # every room exactly full now
        members = sum(1 for g in placed.values() if g == group["id"])
        r = client.patch(f"{base}/groups/{group['id']}", headers=org,
                         json={"capacity": members})
        assert r.status_code == 200, r.json
    late = late_arrival(client, org, base, "No Seat Left")
    full = client.post(f"{base}/late-arrivals/{late}/place", headers=org)
    assert full.status_code == 409 and full.json["type"] == "/problems/no-room"
    assert full.json["detail"].startswith("No group can take No Seat Left")
    desk = bearer(tokens["desk"])
    assert client.post(f"{base}/late-arrivals/{late}/place", headers=desk).status_code == 403


def test_after_a_checked_in_only_run_no_shows_are_not_late_arrivals(app, client, tokens,
                                                                    event):
    """People registered weeks ago who have not arrived are "not arrived", not late
    arrivals: not listed, not placed, until the desk checks them in."""
    org, desk = bearer(tokens["organizer"]), bearer(tokens["desk"])
    base = f"/api/events/{event['id']}"
    for group in event["groups"]:
        client.patch(f"{base}/groups/{group['id']}", headers=org, json={"min_size": 2})
    ids = [late_arrival(client, org, base, f"Early Bird{n}", sector=SECTORS[n % len(SECTORS)],
                 organization=f"Org {n}") for n in range(12)]
    for pid in ids[:9]:
        client.post(f"{base}/participants/{pid}/check-in", headers=desk)
    run = client.post(f"{base}/allocations", headers=org,
                      json={"include": ["checked_in"], "time_limit_s": 5})
    assert run.status_code == 201, run.json
    assert client.post(f"{base}/allocations/{run.json['id']}/publish", headers=org
                       ).status_code == 200
    assert client.get(f"{base}/late-arrivals", headers=org).json == []
    no_show = client.post(f"{base}/late-arrivals/{ids[9]}/place", headers=org)
    assert no_show.status_code == 409 and no_show.json["type"] == "/problems/not-arrived"
    assert "has not checked in" in no_show.json["detail"]

    client.post(f"{base}/participants/{ids[9]}/check-in", headers=desk)
    assert [p["id"] for p in client.get(f"{base}/late-arrivals", headers=org).json] \
        == [ids[9]]
    assert client.post(f"{base}/late-arrivals/{ids[9]}/place", headers=org).status_code == 200

    # the page counts the others apart
    with app.test_client() as browser:
        from tests.support.http import csrf

        form = browser.get("/sign-in").get_data(as_text=True)
        browser.post("/sign-in", data={"token": tokens["organizer"], "csrf_token": csrf(form)})
        html = browser.get(f"/events/{event['id']}/allocate").get_data(as_text=True)
    assert "2 not arrived" in html and "Everyone taking part is in the published" in html
