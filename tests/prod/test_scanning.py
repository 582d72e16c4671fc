"""Sixteen desks scanning at once, against gunicorn with four workers (SQLite and
PostgreSQL): everyone is checked in exactly once, and nobody sees a server error."""

from __future__ import annotations

import collections
import random
import threading
import uuid

import requests

from tests.conftest import bearer, person
from tests.support.gunicorn import setup_event


def test_sixteen_desks_scan_at_once_and_each_person_is_checked_in_once(
        app, start_server, tokens):
    from sqlalchemy import func, select

    from allocator.extensions import db
    from allocator.models import AuditEntry, Participant
    from allocator.services import tickets

    server = start_server()
    base = setup_event(server, tokens["organizer"])
    desk = bearer(tokens["desk"])
    people = 40
    for n in range(people):
        r = requests.post(f"{base}/participants", headers=desk, json=person(
            full_name=f"Arrival {n}", email=f"arrival{n}@example.org"), timeout=30)
        assert r.status_code == 201, r.text
    with app.app_context():
        codes = {p.id: tickets.payload(p) for p in db.session.scalars(select(Participant))}
        db.session.remove()
    answers: list[tuple[int, int, dict]] = []
    lock = threading.Lock()
    barrier = threading.Barrier(16)

    def scanning_desk(number: int) -> None:
        session = requests.Session()
        session.headers.update(desk)
        order = list(codes.items())
        random.Random(number).shuffle(order)  # each desk meets the crowd in its own order
        barrier.wait()
        for pid, code in order:
            r = session.post(f"{base}/check-ins", json={"code": code}, timeout=60,
                             headers={"Idempotency-Key": f"scan-{uuid.uuid4()}"})
            with lock:
                answers.append((pid, r.status_code, r.json()))

    threads = [threading.Thread(target=scanning_desk, args=(n,)) for n in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(answers) == 16 * people
    assert collections.Counter(status for _, status, _ in answers) == {200: 16 * people}
    first_scans = collections.Counter(pid for pid, _, body in answers
                                      if body["already_checked_in_at"] is None)
    assert first_scans == {pid: 1 for pid in codes}  # one desk checked each person in
    with app.app_context():
        assert set(db.session.scalars(select(Participant.status))) == {"checked_in"}
        audited = collections.Counter(db.session.scalars(
            select(AuditEntry.subject_id).where(AuditEntry.action == "participant.checked_in")))
        assert audited == {str(pid): 1 for pid in codes}
        assert db.session.scalar(select(func.count()).select_from(Participant)) == people
        db.session.remove()
    assert "Traceback" not in server.logged()
