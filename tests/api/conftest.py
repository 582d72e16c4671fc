"""Fixtures shared by the API tests."""

from __future__ import annotations

import pytest

from tests.conftest import bearer, person
from tests.support.workshop import make_world


@pytest.fixture
def world(client, tokens):
    """make_world's event with a second person, a draft run beside the published one, a
    recommendation, and the first person's ticket code (as a scanner reads it)."""
    org = bearer(tokens["organizer"])
    found = make_world(client, org, "world")
    base = f"/api/events/{found['event_id']}"
    client.post(f"{base}/participants", headers=org, json=person(
        email="third@example.org", full_name="Third Person", preferences=["t"]))
    draft = client.post(f"{base}/allocations", json={}, headers=org)
    assert draft.status_code == 201, draft.json
    recommendation = client.post(f"{base}/groups/{found['group_id']}/recommendations",
                                 headers=org, json={"title": "A first recommendation"})
    assert recommendation.status_code == 201, recommendation.json
    ticket = client.get(f"{base}/participants/{found['participant_id']}/ticket.png",
                        headers=org)
    assert ticket.status_code == 200
    return {**found, "draft_run_id": draft.json["id"],
            "recommendation_id": recommendation.json["id"],
            "ticket": _decoded(ticket.data)}


def _decoded(png: bytes) -> str:
    """The text of a QR code image, read by a real decoder (zxing-cpp)."""
    import io

    import zxingcpp
    from PIL import Image

    [found] = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    return found.text
