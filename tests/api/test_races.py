"""Two desks at once: the database index decides, every loser gets a clean 409."""

from __future__ import annotations

from tests.conftest import bearer, person
from tests.support.workshop import run_together


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
