"""Fixtures shared by the page tests (and the API tests that sign in to pages)."""

from __future__ import annotations

import pytest

from allocator.services.tokens import create_token


@pytest.fixture
def demo(app):
    from allocator.demo import seed_demo

    with app.app_context():
        event = seed_demo()
        return {"event": event.id, "organizer": create_token("organizer", "Organiser"),
                "desk": create_token("desk", "Desk 1"),
                "viewer": create_token("viewer", "Facilitator")}
