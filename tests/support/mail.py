"""Invitations through a real SMTP server, for a test: three invitees, their links, sending."""

from __future__ import annotations

import re

INVITEES = [("Amina Diallo", "amina@ngo.example"), ("Петро Коваленко", "petro@police.example"),
            ("Lucía Gómez", "lucia@ministry.example")]


LINK = re.compile(r"http://127\.0\.0\.1:8000(/i/[A-Za-z0-9_\-]+)")


def invite_all(client, org, base) -> dict[str, int]:
    ids = {}
    for name, email in INVITEES:
        r = client.post(f"{base}/participants", headers=org,
                        json={"full_name": name, "email": email, "status": "invited"})
        assert r.status_code == 201, r.json
        assert r.json["status"] == "invited" and r.json["sector"] is None
        ids[email] = r.json["id"]
    return ids


def send_mail(runner) -> str:
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    return result.output
