"""Every kind of message the outbox sends, scored by SpamAssassin's local rules (no network
tests): each stays under 1.0, so an invitation does not land in a junk folder."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess

import pytest

from tests.conftest import bearer
from tests.support.http import csrf
from tests.support.mail import INVITEES, invite_all, send_mail
from tests.support.workshop import published

pytestmark = pytest.mark.slow

SPAMASSASSIN = shutil.which("spamassassin")
SCORE = re.compile(r"score=(-?\d+(?:\.\d+)?)")
RULES = re.compile(r"tests=([A-Z0-9_,\s]+?)\s+autolearn", re.S)


def _score(raw: bytes) -> tuple[float, str]:
    """SpamAssassin's score of one message with local tests only, and the rules it hit."""
    done = subprocess.run([SPAMASSASSIN, "-L", "-t", "--cf", "use_bayes 0"], input=raw,
                          capture_output=True, timeout=120, check=True)
    head = done.stdout.split(b"\n\n", 1)[0].decode("utf-8", "replace")
    status = re.search(r"^X-Spam-Status:.*?(?=^\S)", head + "\nEND", re.S | re.M).group(0)
    rules = RULES.search(status)
    return float(SCORE.search(status).group(1)), " ".join(
        (rules.group(1) if rules else "").split())


@pytest.mark.skipif(SPAMASSASSIN is None, reason="make test installs spamassassin")
def test_every_message_kind_scores_under_one_with_spamassassin(app, client, tokens, event,
                                                               smtp, runner):
    from allocator.services import invitations, team
    from allocator.services.events import get_event

    # links as in production: https, no port (a port in a link is a spam sign of its own)
    app.config["PUBLIC_URL"] = "https://workshop.example.org"
    org = bearer(tokens["organizer"])
    base = f"/api/events/{event['id']}"
    invite_all(client, org, base)
    client.post(f"{base}/invitations", headers=org, json={})
    send_mail(runner)
    link = re.search(r"https://workshop\.example\.org(/i/[A-Za-z0-9_\-]+)",
                     smtp.inbox.received[0].text()).group(1)
    page = client.get(link)
    client.post(link, data={
        "csrf_token": csrf(page.get_data(as_text=True)), "answer": "accept",
        "full_name": INVITEES[0][0], "organization": "Safe Homes", "sector": "Civil society",
        "country": "senegal", "preference_1": "information-sharing", "consent": "yes"})
    with app.app_context():
        assert invitations.remind(dt.timedelta(days=3650)) == 2
        team.add_member(get_event(event["id"]), {"name": "Desk Two", "email": "desk2@example.org",
                                          "role": "desk"})
    _, _, placed = published(client, org, event)
    client.post(f"{base}/notifications", headers=org, json={"kind": "groups"})
    mover = next(iter(placed))
    target = next(g["id"] for g in event["groups"] if g["id"] != placed[mover])
    client.post(f"{base}/rules", headers=org, json={
        "kind": "pin", "participant_id": mover, "group_id": target})
    run = client.post(f"{base}/allocations", headers=org,
                      json={"time_limit_s": 5, "stable": True}).json
    client.post(f"{base}/allocations/{run['id']}/publish", headers=org)
    client.post(f"{base}/notifications", headers=org, json={"kind": "changes"})
    send_mail(runner)

    kinds = {}
    for received in smtp.inbox.received:
        subject = received.message["Subject"]
        kinds.setdefault(_kind(received), (subject, received.message.as_bytes()))
    assert set(kinds) == {"invitation", "confirmation", "reminder", "groups", "change",
                          "team"}, sorted(kinds)
    scored = {kind: _score(raw) for kind, (_, raw) in kinds.items()}
    print("SpamAssassin, local tests:", scored)  # shown with pytest -s
    too_high = {kind: s for kind, s in scored.items() if s[0] >= 1.0}
    assert not too_high, too_high


def _kind(received) -> str:
    """Which kind of message this is, by its subject (mail/<kind>.subject.txt)."""
    subject = received.message["Subject"]
    for kind, start in (("invitation", "Invitation:"), ("confirmation", "Your registration:"),
                        ("confirmation", "You declined:"), ("reminder", "Reminder:"),
                        ("change", "Your working group changed:"),
                        ("groups", "Your working group:"), ("team", "Your access to")):
        if subject.startswith(start):
            return kind
    return "other: " + subject
