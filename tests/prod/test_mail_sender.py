"""Queued mail leaves by itself in the embedded default (no Redis, no cron): each gunicorn
worker sends what is due, and nothing is sent twice."""

from __future__ import annotations

import time

import requests

from tests.support.factories import make_event, token
from tests.support.http import bearer


def test_invitations_leave_within_moments_without_cron_and_each_once(app, start_server, smtp):
    with app.test_request_context():
        event = make_event()
        organiser = token("organizer", "mail-organiser")
    server = start_server(SMTP_URL=smtp.url, MAIL_EVERY_S="1",
                          MAIL_FROM="Workshop desk <desk@workshop.example>")
    base = f"{server.url}/api/events/{event['id']}"
    for n in range(5):
        r = requests.post(f"{base}/participants", headers=bearer(organiser), json={
            "full_name": f"Invitee {n}", "email": f"invitee{n}@example.org",
            "status": "invited"})
        assert r.status_code == 201, r.text
    queued = requests.post(f"{base}/invitations", headers=bearer(organiser), json={})
    assert queued.status_code == 202 and queued.json()["queued"] == 5
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and len(smtp.inbox.received) < 5:
        time.sleep(0.2)
    time.sleep(3)  # every worker has had its turn: still one message each
    recipients = sorted(r for message in smtp.inbox.received for r in message.rcpt_tos)
    assert recipients == [f"invitee{n}@example.org" for n in range(5)]
