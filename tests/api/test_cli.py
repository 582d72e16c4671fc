"""The command-line tools: tokens and the demo workshop."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from allocator.demo import workshop_day
from allocator.extensions import db
from allocator.models import ApiToken, Participant
from tests.conftest import bearer


def test_create_token_prints_only_the_token(app, runner):
    result = runner.invoke(args=["create-token", "--role", "desk", "--name", "desk-1"])
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    assert "\n" not in token and token.startswith("alc_")
    client = app.test_client()
    assert client.get("/api/events", headers=bearer(token)).status_code == 200
    with app.app_context():
        stored = db.session.scalar(select(ApiToken))
        assert token not in (stored.secret_hash, stored.public_id)
        assert stored.secret_hash != token.split("_", 2)[2]
    again = runner.invoke(args=["create-token", "--role", "desk", "--name", "desk-1"])
    assert again.exit_code != 0 and "exists" in again.output
    revoked = runner.invoke(args=["revoke-token", "desk-1"])
    assert revoked.exit_code == 0
    assert client.get("/api/events", headers=bearer(token)).status_code == 401
    assert runner.invoke(args=["revoke-token", "desk-1"]).exit_code != 0
    bad = runner.invoke(args=["create-token", "--role", "admin", "--name", "x"])
    assert bad.exit_code != 0


def test_seed_demo_creates_the_workshop_once(app, runner):
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    lines = [line.split()[-1] for line in result.stdout.splitlines() if "alc_" in line]
    assert len(lines) == 2
    organizer, desk = lines
    client = app.test_client()
    events = client.get("/api/events", headers=bearer(organizer)).json
    assert len(events) == 1
    event = events[0]
    assert event["name"].startswith("Building the Bridges")
    # four weeks ahead, the aide-memoire's hours in Vienna
    day = workshop_day()
    assert day > dt.date.today()
    vienna = ZoneInfo("Europe/Vienna")
    assert event["starts_at"] == dt.datetime.combine(day, dt.time(9, 30), vienna).isoformat()
    assert event["ends_at"] == dt.datetime.combine(day, dt.time(12, 30), vienna).isoformat()
    groups = client.get(f"/api/events/{event['id']}/groups", headers=bearer(desk)).json
    assert [g["capacity"] for g in groups] == [35, 35, 35]
    assert len({g["theme"] for g in groups}) == 3
    people = client.get(f"/api/events/{event['id']}/participants?per_page=500",
                        headers=bearer(desk)).json
    assert 75 <= people["total"] <= 90
    facilitators = [p["full_name"] for p in people["items"] if p["role"] == "facilitator"]
    assert sorted(facilitators) == sorted([
        "Maria Grazia Giammarinaro", "Lance Bonneau", "Astrid Ganterer", "Paul Holmes",
        "Betty Pedraza"])
    assert len({p["sector"] for p in people["items"]}) == 7
    again = runner.invoke(args=["seed-demo", "--if-empty"])
    assert again.exit_code == 0 and "alc_" not in again.stdout
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Participant)) == people["total"]
