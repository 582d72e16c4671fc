"""The command-line tools: tokens and the demo workshop."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from allocator.demo import workshop_day
from allocator.extensions import db
from allocator.models import ApiToken, Participant
from tests.conftest import ROOT, bearer


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
    assert sorted(facilitators) == sorted(["Somchai Tua-yang", "Paula Ejemplo",
                                           "Peter Beispiel"])
    leads = {p["full_name"]: p["duties"] for p in people["items"] if p["duties"]}
    assert leads["Giulia Esempio"] == ["moderator"] and "rapporteur" in leads["Jean Exemple"]
    registered = [p for p in people["items"] if p["status"] == "registered"]
    assert len({p["sector"] for p in registered}) == 7
    invitees = [p for p in people["items"] if p["status"] == "invited"]
    assert len(invitees) == 6 and all(p["sector"] is None for p in invitees)
    again = runner.invoke(args=["seed-demo", "--if-empty"])
    assert again.exit_code == 0 and "alc_" not in again.stdout
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Participant)) == people["total"]


def test_seed_demo_names_what_each_token_may_do(runner, app):
    result = runner.invoke(args=["seed-demo"])
    lines = [line for line in result.stdout.splitlines() if "alc_" in line]
    assert lines[0].split()[0:3] == ["organiser", "(every", "event):"]
    assert lines[1].split()[0:4] == ["desk", "(event", "1", "only):"]


def _flask(args: list[str], cwd, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("ALLOCATOR_", "FLASK_")) and k != "SECRET_KEY"}
    return subprocess.run([sys.executable, "-m", "flask", *args], cwd=cwd,
                          env={**clean, **env}, capture_output=True, text=True, timeout=60)


def test_the_cli_without_settings_says_what_to_set_in_one_line(tmp_path):
    done = _flask(["--app", str(ROOT / "wsgi"), "routes"], tmp_path,
                  {"ALLOCATOR_INSTANCE_PATH": str(tmp_path / "instance")})
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    said = done.stderr.strip().splitlines()
    assert len(said) == 1 and said[0].startswith("allocator: SECRET_KEY must be set")
    assert "ALLOCATOR_ENV=development" in said[0]


def test_the_cli_in_a_checkout_where_make_run_ran_just_works(tmp_path):
    # what `make run` writes (python-dotenv reads it for every `flask` command)
    (tmp_path / ".flaskenv").write_text(
        f"FLASK_APP={ROOT / 'wsgi'}\nALLOCATOR_ENV=development\n"
        f"ALLOCATOR_INSTANCE_PATH={tmp_path / 'instance'}\n", encoding="utf-8")
    done = _flask(["routes"], tmp_path, {})
    assert done.returncode == 0, done.stderr
    assert "/api/events" in done.stdout
