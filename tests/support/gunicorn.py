"""An event set up through gunicorn's HTTP port, for the tests that drive a real server."""

from __future__ import annotations

import requests

from tests.support.http import EVENT, THEMES, bearer


def setup_event(server, token):
    headers = bearer(token)
    event = requests.post(f"{server.url}/api/events", json=EVENT, headers=headers).json()
    base = f"{server.url}/api/events/{event['id']}"
    for n, theme in enumerate(THEMES, start=1):
        requests.post(f"{base}/themes", json=theme, headers=headers)
        requests.post(f"{base}/groups", headers=headers, json={
            "name": f"WG{n}", "theme": theme["key"], "room": f"R{n}", "capacity": 200})
    return base
