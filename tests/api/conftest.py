"""Fixtures shared by the API tests."""

from __future__ import annotations

import pytest

from tests.api.test_security import make_world
from tests.conftest import bearer, person


@pytest.fixture
def world(client, tokens):
    """make_world's event with a second person, a draft run beside the published one."""
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
    return {**found, "draft_run_id": draft.json["id"],
            "recommendation_id": recommendation.json["id"]}
