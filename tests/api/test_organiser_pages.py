"""The organisers' pages do what the API does: the registration deadline, the contact
e-mail and the consent text on Event & groups; links on the port served."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.support.factories import make_event, token
from tests.support.http import bearer, csrf, person, sign_in


def test_deadline_contact_and_consent_are_set_on_event_and_groups(app, client):
    with app.test_request_context():
        event = make_event()
        organiser = token("organizer", "pages-organiser")
    pages = app.test_client()
    sign_in(pages, organiser)
    page = pages.get(f"/events/{event['id']}/setup").get_data(as_text=True)
    for name in ("registration_closes_at", "contact_email", "consent_text"):
        assert f'name="{name}"' in page
    saved = pages.post(f"/events/{event['id']}/setup/event", data={
        "csrf_token": csrf(page), "registration_closes_at": "2026-12-20T18:00",
        "contact_email": "Workshop@IOM.example", "consent_text": "We keep your data for "
        "this workshop only."}, follow_redirects=True)
    assert "Event saved." in saved.get_data(as_text=True)
    read = client.get(f"/api/events/{event['id']}", headers=bearer(organiser)).json
    assert read["registration_closes_at"].startswith("2026-12-20T18:00")
    assert read["contact_email"] == "workshop@iom.example"
    assert read["consent_text"] == "We keep your data for this workshop only."
    version = read["consent_version"]
    assert version.startswith("event-")
    # who registers now agreed to that text: its version is kept with them
    made = client.post(f"/api/events/{event['id']}/participants", headers=bearer(organiser),
                       json=person())
    assert made.json["consent_version"] == version
    # a wrong address is said beside the form; emptying goes back to no deadline
    wrong = pages.post(f"/events/{event['id']}/setup/event", data={
        "csrf_token": csrf(page), "contact_email": "not an address"}, follow_redirects=True)
    assert "Contact e-mail:" in wrong.get_data(as_text=True)
    pages.post(f"/events/{event['id']}/setup/event", data={
        "csrf_token": csrf(page), "registration_closes_at": "", "consent_text": ""})
    again = client.get(f"/api/events/{event['id']}", headers=bearer(organiser)).json
    assert again["registration_closes_at"] is None and again["consent_version"] != version


def test_links_in_development_lead_to_the_port_served(tmp_path):
    code = "from config import config_class; print(config_class('development').PUBLIC_URL)"
    env = {**os.environ, "PORT": "8201"}
    env.pop("PUBLIC_URL", None)
    shown = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                           text=True, check=True).stdout.strip()
    assert shown == "http://127.0.0.1:8201"
