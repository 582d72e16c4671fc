"""Building a workshop through the API for a test: people registered, an allocation
published, late arrivals, a CSV import, two desks at once, a small world per event."""

from __future__ import annotations

import csv
import io
import random
import threading

from tests.support.http import EVENT, bearer, person

ALL_SECTORS = ["government", "parliament", "private_sector", "civil_society", "media",
               "academia", "international_organization"]
THEME_KEYS = ["structured-cooperation", "information-sharing", "non-traditional-stakeholders"]
PAYLOADS = ["=HYPERLINK(\"http://x\",\"y\")", "+41 22", "-cmd", "@SUM(A1)", "\tTab"]


SECTORS = ["government", "civil_society", "private_sector", "academia"]


def published(client, org, event, people: int = 12) -> tuple[str, int, dict[int, int]]:
    """Register ``people``, allocate and publish: (base url, run id, {person: group})."""
    base = f"/api/events/{event['id']}"
    for group in event["groups"]:  # every group gets people
        client.patch(f"{base}/groups/{group['id']}", headers=org, json={"min_size": 2})
    for n in range(people):
        r = client.post(f"{base}/participants", headers=org, json=person(
            full_name=f"Early {n}", email=f"early{n}@example.org",
            sector=SECTORS[n % len(SECTORS)], organization=f"Org {n}"))
        assert r.status_code == 201, r.json
    run = client.post(f"{base}/allocations", headers=org, json={"time_limit_s": 5}).json
    assert client.post(f"{base}/allocations/{run['id']}/publish", headers=org).status_code \
        == 200
    report = client.get(f"{base}/allocations/{run['id']}/report", headers=org).json
    placed = {m["participant_id"]: g["id"] for g in report["groups"] for m in g["members"]}
    return base, run["id"], placed


def late_arrival(client, org, base, name: str, **fields) -> int:
    r = client.post(f"{base}/participants", headers=org, json=person(
        full_name=name, email=f"{name.lower().replace(' ', '.')}@example.org", **fields))
    assert r.status_code == 201, r.json
    return r.json["id"]


def post_csv(client, event, token, text, query="", as_file=True):
    path = f"/api/events/{event['id']}/participants/import{query}"
    data = text.encode("utf-8") if isinstance(text, str) else text
    if as_file:
        return client.post(path, headers=bearer(token), content_type="multipart/form-data",
                           data={"file": (io.BytesIO(data), "people.csv")})
    return client.post(path, headers={**bearer(token), "Content-Type": "text/csv"}, data=data)


def run_together(app, count, request):
    barrier = threading.Barrier(count)
    results = [None] * count

    def worker(i):
        client = app.test_client()
        barrier.wait()
        results[i] = request(client, i)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def make_world(client, org, name):
    """An event with a theme, a group, two people, a rule and a published run."""
    ev = client.post("/api/events", headers=org, json={**EVENT, "name": name}).json
    base = f"/api/events/{ev['id']}"
    client.post(f"{base}/themes", json={"key": "t", "title": "T"}, headers=org)
    group = client.post(f"{base}/groups", json={"name": "G", "theme": "t", "capacity": 5},
                        headers=org).json
    people = [client.post(f"{base}/participants", headers=org, json=person(
        email=f"{name}{n}@example.org", preferences=["t"])).json for n in range(2)]
    rule = client.post(f"{base}/rules", headers=org, json={
        "kind": "together", "participant_id": people[0]["id"],
        "other_id": people[1]["id"]}).json
    run = client.post(f"{base}/allocations", json={}, headers=org).json
    client.post(f"{base}/allocations/{run['id']}/publish", headers=org)
    return {"event_id": ev["id"], "group_id": group["id"], "participant_id": people[0]["id"],
            "rule_id": rule["id"], "run_id": run["id"], "key": "t"}


def people_csv(n=80, seed=7):
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["full_name", "email", "organization", "sector", "country", "gender",
                     "role", "preferences", "consent"])
    for i in range(n):
        role = "facilitator" if i < 3 else "participant"
        name = ["Łukasz Przykładowy", "Nguyễn Văn Mẫu"][i] if i < 2 else f"Person {i:02d}"
        org = PAYLOADS[i % len(PAYLOADS)] if 10 <= i < 15 else f"Org {rng.randint(1, 25)}"
        prefs = ";".join(rng.sample(THEME_KEYS, k=rng.choice([1, 2, 3])))
        writer.writerow([name, f"person{i}@example.org", org, rng.choice(ALL_SECTORS),
                         rng.choice(["AT", "CO", "TH", ""]), rng.choice(["female", "male", ""]),
                         role, prefs, "yes"])
    return out.getvalue().encode("utf-8")
