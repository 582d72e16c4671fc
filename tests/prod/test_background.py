"""Allocations as RQ jobs: 202 with the run's URL, queued → running → succeeded/failed."""

from __future__ import annotations

import os
import subprocess
import uuid

import pytest
from redis import Redis
from rq import Queue

from tests.conftest import BIN, ROOT, bearer, person

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def queue(app):
    """A queue of this test's own, on the local Redis, emptied afterwards."""
    name = f"test-{uuid.uuid4().hex[:10]}"
    app.config.update(REDIS_URL=REDIS_URL, RQ_QUEUE=name)
    connection = Redis.from_url(REDIS_URL)
    yield Queue(name, connection=connection)
    Queue(name, connection=connection).empty()


def work(queue, database_url, tmp_path):
    """Run a real `rq worker` until the queue is empty."""
    env = {**os.environ, "ALLOCATOR_ENV": "testing", "DATABASE_URL": database_url,
           "ALLOCATOR_INSTANCE_PATH": str(tmp_path / "instance"), "PYTHONPATH": str(ROOT)}
    done = subprocess.run([str(BIN / "rq"), "worker", "--burst", "--url", REDIS_URL,
                           queue.name], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=180)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


def test_queued_allocation_runs_on_a_worker(client, tokens, event, queue, database_url,
                                            tmp_path):
    org = bearer(tokens["organizer"])
    base = f"/api/events/{event['id']}"
    for k in range(20):
        client.post(f"{base}/participants", json=person(email=f"p{k}@example.org"),
                    headers=bearer(tokens["desk"]))
    r = client.post(f"{base}/allocations", json={"time_limit_s": 20}, headers=org)
    assert r.status_code == 202
    assert r.headers["Location"] == f"{base}/allocations/{r.json['id']}"
    assert r.json["status"] == "queued"
    assert len(queue) == 1
    busy = client.post(f"{base}/allocations", json={}, headers=org)
    assert busy.status_code == 409
    output = work(queue, database_url, tmp_path)
    assert "Job OK" in output or "Successfully completed" in output
    run = client.get(r.headers["Location"], headers=org).json
    assert run["status"] == "succeeded" and run["solver_status"] in ("optimal", "feasible")
    assert run["runner"] and run["started_at"] and run["finished_at"]
    report = client.get(f"{base}/allocations/{run['id']}/report", headers=org).json
    assert sum(len(g["members"]) for g in report["groups"]) == 20
    assert client.post(f"{base}/allocations/{run['id']}/publish", headers=org).status_code == 200


def test_a_queued_infeasible_run_fails_with_its_reasons(client, tokens, event, queue,
                                                        database_url, tmp_path):
    org = bearer(tokens["organizer"])
    base = f"/api/events/{event['id']}"
    ids = [client.post(f"{base}/participants", json=person(email=f"p{k}@example.org"),
                       headers=org).json["id"] for k in range(3)]
    group = event["groups"][0]["id"]
    for pid in ids[:2]:
        client.post(f"{base}/rules", json={"kind": "pin", "participant_id": pid,
                                           "group_id": group}, headers=org)
    # the room shrinks after the pins were made: found when the run solves
    client.patch(f"{base}/groups/{group}", json={"capacity": 1}, headers=org)
    r = client.post(f"{base}/allocations", json={}, headers=org)
    assert r.status_code == 202
    work(queue, database_url, tmp_path)
    run = client.get(r.headers["Location"], headers=org).json
    assert run["status"] == "failed" and run["solver_status"] == "infeasible"
    message = run["conflicts"][0]["message"]
    assert "pinned to WG1" in message and "WG1 holds at most 1" in message
    assert "Erika Mustermann" in message  # names, not ids


def test_unreachable_queue_is_a_503_and_frees_the_event(app, client, tokens, event):
    app.config.update(REDIS_URL="redis://127.0.0.1:1/0", RQ_QUEUE="nowhere")
    org = bearer(tokens["organizer"])
    base = f"/api/events/{event['id']}"
    client.post(f"{base}/participants", json=person(), headers=org)
    r = client.post(f"{base}/allocations", json={}, headers=org)
    assert r.status_code == 503 and r.headers["Retry-After"]
    runs = client.get(f"{base}/allocations", headers=org).json
    assert runs[0]["status"] == "failed" and "Redis" in runs[0]["error"]


def test_a_worker_sends_the_mail_a_change_queued(app, client, tokens, event, queue, smtp,
                                                 database_url, tmp_path):
    org = bearer(tokens["organizer"])
    base = f"/api/events/{event['id']}"
    client.post(f"{base}/participants", headers=org, json={
        "full_name": "Mario Rossi", "email": "mario.rossi@example.org", "status": "invited"})
    assert client.post(f"{base}/invitations", headers=org, json={}).status_code == 202
    assert len(queue) == 1  # the commit that queued the message asked a worker to send
    env = {**os.environ, "ALLOCATOR_ENV": "testing", "DATABASE_URL": database_url,
           "ALLOCATOR_INSTANCE_PATH": str(tmp_path / "instance"), "PYTHONPATH": str(ROOT),
           "SMTP_URL": smtp.url, "MAIL_FROM": app.config["MAIL_FROM"]}
    done = subprocess.run([str(BIN / "rq"), "worker", "--burst", "--url", REDIS_URL,
                           queue.name], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=180)
    assert done.returncode == 0, done.stdout + done.stderr
    assert [r.rcpt_tos for r in smtp.inbox.received] == [["mario.rossi@example.org"]]
    sent = client.get(f"{base}/messages", headers=org).json
    assert [m["status"] for m in sent] == ["sent"]
