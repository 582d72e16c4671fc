"""The report asked for by many at once, against gunicorn with four workers: one build, the
others answered from it or told when to ask again, and the desk keeps answering."""

from __future__ import annotations

import threading
import time

import requests

from allocator.access import Principal
from tests.support.factories import make_event, publish_allocation, register, token
from tests.support.http import bearer


def test_many_ask_for_the_report_at_once_and_it_is_built_once(app, start_server):
    from allocator.services import recommendations
    from allocator.services.events import get_event

    with app.test_request_context():
        event = make_event()
        for n in range(12):
            register(event["id"], full_name=f"Person {n}", email=f"p{n}@example.org")
        publish_allocation(event["id"])
        for n in range(6):  # six long adopted recommendations, as in the report that stalled
            recommendations.create(get_event(event["id"]), event["groups"][n % 3], {
                "title": f"Recommendation {n}", "status": "adopted",
                "text": " ".join(["Law enforcement and civil society share referrals."]
                                 * 300)}, Principal.system())
        organiser = token("organizer", "report-readers")
        desk = token("desk", "the-desk", event["id"])
    server = start_server()
    url = f"{server.url}/api/events/{event['id']}/report.pdf"
    answers: list[tuple[int, str | None, bytes]] = []
    barrier = threading.Barrier(5)

    def reader() -> None:
        barrier.wait()
        r = requests.get(url, headers=bearer(organiser), timeout=60)
        answers.append((r.status_code, r.headers.get("Retry-After"), r.content))

    searches: list[float] = []

    def the_desk() -> None:
        barrier.wait()
        end = time.monotonic() + 3
        while time.monotonic() < end:
            started = time.monotonic()
            r = requests.get(f"{server.url}/api/events/{event['id']}/participants?q=person",
                             headers=bearer(desk), timeout=30)
            assert r.status_code == 200
            searches.append(time.monotonic() - started)

    threads = [threading.Thread(target=reader) for _ in range(4)]
    threads.append(threading.Thread(target=the_desk))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)
    codes = sorted(code for code, _, _ in answers)
    assert len(answers) == 4 and set(codes) <= {200, 503} and 200 in codes, codes
    assert all(retry and 1 <= int(retry) <= 10 for code, retry, _ in answers if code == 503)
    bodies = {body for code, _, body in answers if code == 200}
    assert len(bodies) == 1 and next(iter(bodies)).startswith(b"%PDF")
    # whoever was told to ask again gets the same document, without a second build
    again = requests.get(url, headers=bearer(organiser), timeout=60)
    assert again.status_code == 200 and again.content in bodies
    audit = requests.get(f"{server.url}/api/events/{event['id']}/audit?action=document.built",
                         headers=bearer(organiser)).json()
    assert audit["total"] == 1
    # the desk was answered all along (one worker builds; the others serve)
    assert searches and max(searches) < 5
