"""Two desks at once: the database index decides, every loser gets a clean 409."""

from __future__ import annotations

import threading

from allocator.services import participants as participant_service
from tests.conftest import bearer, person


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


def test_parallel_registrations_with_one_email_make_one_person(app, tokens, event):
    path = f"/api/events/{event['id']}/participants"
    desk = bearer(tokens["desk"])

    def register(client, i):
        email = "Racer@Example.org" if i % 2 else "racer@EXAMPLE.org"
        r = client.post(path, json=person(email=email, full_name=f"Racer {i}"), headers=desk)
        return r.status_code, r.content_type

    results = run_together(app, 8, register)
    assert sorted(code for code, _ in results) == [201] + [409] * 7
    assert all(ct == "application/problem+json" for code, ct in results if code == 409)
    listed = app.test_client().get(f"{path}?q=racer", headers=desk).json
    assert listed["total"] == 1


def test_index_wins_when_both_desks_pass_the_check(client, tokens, event, monkeypatch):
    """Simulate the window between check and insert: the unique index answers 409."""
    path = f"/api/events/{event['id']}/participants"
    desk = bearer(tokens["desk"])
    first = client.post(path, json=person(), headers=desk)
    real = participant_service.active_with_email
    calls = []

    def blind_then_real(*args, **kwargs):
        calls.append(1)
        return None if len(calls) == 1 else real(*args, **kwargs)

    monkeypatch.setattr(participant_service, "active_with_email", blind_then_real)
    second = client.post(path, json=person(full_name="Late"), headers=desk)
    assert second.status_code == 409
    assert second.json["existing"] == first.headers["Location"]
    assert client.get(path, headers=desk).json["total"] == 1
