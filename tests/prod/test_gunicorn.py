"""Correctness under concurrency, against gunicorn with four workers."""

from __future__ import annotations

import collections
import os
import signal
import threading
import time

import requests

from tests.conftest import EVENT, THEMES, bearer, person
from tests.support.gunicorn import setup_event


def test_sixteen_desks_register_at_once(start_server, tokens):
    server = start_server()
    base = setup_event(server, tokens["organizer"])
    people = 60  # every person is registered by two desks, and some requests retried
    results: list[tuple[int, int, str, str | None, dict]] = []
    lock = threading.Lock()
    barrier = threading.Barrier(16)

    def desk(number: int) -> None:
        session = requests.Session()
        session.headers.update(bearer(tokens["desk"]))
        barrier.wait()
        for k in range(people):
            if k % 16 not in (number, (number + 1) % 16) and k % 8 != number % 8:
                continue
            body = person(email=f"P{k}@Example.org" if number % 2 else f"p{k}@example.org",
                          full_name=f"Person {k}")
            key = f"desk{number}-{k}"
            for _ in range(2 if k % 3 == 0 else 1):  # the Wi-Fi dropped: retry
                r = session.post(f"{base}/participants", json=body,
                                 headers={"Idempotency-Key": key})
                with lock:
                    results.append((number, k, r.status_code,
                                    r.headers.get("Idempotent-Replayed"), r.json()))

    threads = [threading.Thread(target=desk, args=(n,)) for n in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    statuses = collections.Counter(code for _, _, code, _, _ in results)
    assert set(statuses) <= {200, 201, 409}, statuses
    assert statuses[201] >= people
    # a replay gives back exactly what the first answer said
    first: dict[tuple[int, int], dict] = {}
    for number, k, code, replayed, body in results:
        if code == 201 and not replayed:
            first[number, k] = body
    for number, k, code, replayed, body in results:
        if replayed:
            assert code in (201, 409) and (code == 409 or body == first[number, k])
    listed = requests.get(f"{base}/participants?per_page=500",
                          headers=bearer(tokens["desk"])).json()
    assert listed["total"] == people
    assert sorted(p["email"] for p in listed["items"]) == sorted(
        f"p{k}@example.org" for k in range(people))
    created = {body["id"] for _, _, code, replayed, body in results if code == 201}
    assert len(created) == people  # every 201 is one of the people, each person once
    assert "Traceback" not in server.logged()


def test_two_organisers_allocate_at_once(start_server, tokens):
    server = start_server(SOLVER_TEST_DELAY_S="1.5")
    base = setup_event(server, tokens["organizer"])
    for k in range(12):
        requests.post(f"{base}/participants", json=person(email=f"p{k}@example.org"),
                      headers=bearer(tokens["desk"]))
    barrier = threading.Barrier(2)
    answers = []

    def organiser() -> None:
        barrier.wait()
        r = requests.post(f"{base}/allocations", json={}, headers=bearer(tokens["organizer"]))
        answers.append((r.status_code, r.json()))

    threads = [threading.Thread(target=organiser) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(code for code, _ in answers) == [201, 409]
    runs = requests.get(f"{base}/allocations", headers=bearer(tokens["organizer"])).json()
    assert len(runs) == 1 and runs[0]["status"] == "succeeded"


def test_a_killed_worker_leaves_the_published_allocation_alone(app, client, start_server,
                                                               tokens):
    org = bearer(tokens["organizer"])
    event = client.post("/api/events", json=EVENT, headers=org).json
    base_path = f"/api/events/{event['id']}"
    for n, theme in enumerate(THEMES, start=1):
        client.post(f"{base_path}/themes", json=theme, headers=org)
        client.post(f"{base_path}/groups", headers=org, json={
            "name": f"WG{n}", "theme": theme["key"], "capacity": 20})
    ids = [client.post(f"{base_path}/participants", headers=org,
                       json=person(email=f"p{k}@example.org")).json["id"] for k in range(9)]
    published = client.post(f"{base_path}/allocations", json={}, headers=org).json
    client.post(f"{base_path}/allocations/{published['id']}/publish", headers=org)
    before = {pid: client.get(f"{base_path}/participants/{pid}", headers=org).json["group"]
              for pid in ids}

    server = start_server(SOLVER_TEST_DELAY_S="60")
    base = f"{server.url}{base_path}"
    threading.Thread(target=lambda: _post_quietly(f"{base}/allocations", org),
                     daemon=True).start()
    running = None
    for _ in range(100):
        runs = requests.get(f"{base}/allocations", headers=org).json()
        running = next((r for r in runs if r["status"] == "running" and r["runner"]), None)
        if running:
            break
        time.sleep(0.1)
    assert running is not None, runs
    pid = int(running["runner"].rsplit(":", 1)[1])
    os.kill(pid, signal.SIGKILL)
    for _ in range(50):  # gunicorn reaps the worker; the next look notices
        runs = {r["id"]: r for r in requests.get(f"{base}/allocations", headers=org).json()}
        if runs[running["id"]]["status"] == "failed":
            break
        time.sleep(0.1)
    assert runs[running["id"]]["status"] == "failed"
    assert "killed" in runs[running["id"]]["error"]
    assert runs[published["id"]]["published"] is True
    after = {pid: requests.get(f"{base}/participants/{pid}", headers=org).json()["group"]
             for pid in ids}
    assert after == before
    # nothing holds the event any more: the next trigger may run
    assert not [r for r in runs.values() if r["status"] in ("queued", "running")]


def _post_quietly(url: str, headers: dict) -> None:
    try:
        requests.post(url, json={}, headers=headers, timeout=120)
    except requests.RequestException:
        pass  # the worker serving it is killed on purpose


def test_access_log_has_no_query_strings(start_server, tokens):
    server = start_server()
    base = setup_event(server, tokens["organizer"])
    requests.post(f"{base}/participants", json=person(full_name="Erika Mustermann"),
                  headers=bearer(tokens["desk"]))
    r = requests.get(f"{base}/participants?q=Mustermann", headers=bearer(tokens["desk"]))
    assert r.json()["total"] == 1
    time.sleep(0.3)
    log = server.logged()
    assert "/participants HTTP/1.1" in log
    assert "Mustermann" not in log and "erika" not in log.lower()
