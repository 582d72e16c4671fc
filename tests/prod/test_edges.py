"""Promises at the edges, against gunicorn as clients meet it: bodies however framed,
concurrent wrong tokens, and errors gunicorn answers itself."""

from __future__ import annotations

import collections
import json
import socket
import threading
import time
from urllib.parse import urlsplit

import requests
from sqlalchemy import func, select

from allocator.extensions import db
from allocator.models import AuditEntry, AuthThrottle, Participant
from tests.conftest import bearer, person
from tests.support.gunicorn import setup_event

LIMIT = 5 * 1024 * 1024


def big_csv(rows: int = 9_991) -> bytes:
    """An import over 5 MiB in which every row is valid: cut anywhere, the rows before the
    cut would import."""
    lines = ["full_name,email,organization,sector,consent"]
    lines += [f"Person {i:05d} {'n' * 186},p{i:05d}{'e' * 58}@{'d' * 50}.example.org,"
              f"{'o' * 200},government,yes" for i in range(rows)]
    data = ("\r\n".join(lines) + "\r\n").encode()
    assert len(data) > LIMIT
    return data


def chunks(data: bytes, size: int = 65_536):
    for start in range(0, len(data), size):
        yield data[start:start + size]


def multipart(data: bytes, boundary: str = "edge-boundary") -> bytes:
    return (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"people.csv\"\r\nContent-Type: text/csv\r\n\r\n").encode() + data + \
        f"\r\n--{boundary}--\r\n".encode()


def test_every_over_limit_body_is_413_however_it_is_framed(app, start_server, tokens):
    server = start_server()
    base = setup_event(server, tokens["organizer"])
    org = bearer(tokens["organizer"])
    upload = multipart(big_csv())
    form = {**org, "Content-Type": "multipart/form-data; boundary=edge-boundary"}
    attempts = {
        "chunked multipart": requests.post(f"{base}/participants/import", headers=form,
                                           data=chunks(upload)),
        "counted multipart": requests.post(f"{base}/participants/import", headers=form,
                                           data=upload),
        "chunked text/csv": requests.post(f"{base}/participants/import", data=chunks(
            big_csv()), headers={**org, "Content-Type": "text/csv"}),
        "chunked JSON": requests.post(f"{base}/participants", data=chunks(json.dumps(
            person(full_name="x" * (2 * 1024 * 1024))).encode()),
            headers={**org, "Content-Type": "application/json"}),
        "counted JSON": requests.post(f"{base}/participants", data=json.dumps(
            person(full_name="x" * (2 * 1024 * 1024))).encode(),
            headers={**org, "Content-Type": "application/json"}),
    }
    for how, r in attempts.items():
        assert r.status_code == 413, (how, r.status_code, r.text[:200])
        assert r.headers["Content-Type"] == "application/problem+json", how
        assert r.json()["status"] == 413
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Participant)) == 0
    # a chunked body within the limit is read whole, as with a Content-Length
    small = requests.post(f"{base}/participants", headers={
        **org, "Content-Type": "application/json"}, data=chunks(json.dumps(person()).encode(),
                                                               size=7))
    assert small.status_code == 201, small.text
    csv_rows = b"full_name,email,organization,sector,consent\r\n" + b"".join(
        f"P {i},c{i}@example.org,X,government,yes\r\n".encode() for i in range(300))
    imported = requests.post(f"{base}/participants/import", headers=form,
                             data=chunks(multipart(csv_rows), size=100))
    assert imported.status_code == 201 and imported.json()["created"] == 300


def test_sixty_wrong_tokens_at_once_are_each_counted_and_audited(app, start_server, tokens):
    server = start_server(AUTH_FAIL_LIMIT="10")
    barrier = threading.Barrier(60)
    statuses: list[int] = []
    lock = threading.Lock()

    def attempt(n: int) -> None:
        wrong = f"alc_{n:012x}_" + "w" * 40
        barrier.wait()
        r = requests.get(f"{server.url}/api/events", headers=bearer(wrong), timeout=60)
        with lock:
            statuses.append(r.status_code)

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(60)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    counted = collections.Counter(statuses)
    assert counted == {401: 10, 429: 50}, counted
    with app.app_context():
        assert db.session.scalar(select(AuthThrottle.failures)) == 60
        audited = db.session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "auth.failed"))
        assert audited == 60


def raw_request(url: str, payload: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send bytes as they are (no client library tidies them up); read the answer."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(payload)
        data = b""
        while chunk := sock.recv(65_536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), headers, body


def test_gunicorns_own_errors_are_problem_documents(start_server):
    server = start_server()
    secret = "q=Zofia%20Secretname"
    cases = {
        414: b"GET /api/events?" + secret.encode() + b"&x=" + b"a" * 9000
             + b" HTTP/1.1\r\nHost: x\r\n\r\n",
        431: b"GET /api/events HTTP/1.1\r\nHost: x\r\n"
             + b"".join(f"X-H{n}: v\r\n".encode() for n in range(150)) + b"\r\n",
        400: b"GET /api/events?" + secret.encode() + b" HTTP/1.1\r\nHost: x\r\n"
             b"Bad Header Name: x\r\n\r\n",
    }
    for status, payload in cases.items():
        code, headers, body = raw_request(server.url, payload)
        assert code == status, (status, code, body[:200])
        assert headers["Content-Type"] == "application/problem+json"
        problem = json.loads(body)
        assert problem["status"] == status and problem["detail"]
        assert b"Secretname" not in body


def test_an_erasure_while_a_run_solves_leaves_nothing_of_them_in_it(app, start_server, tokens):
    """The run reads everyone at its start and stores figures at its end: an erasure in
    between must still win (organisation, country and gender of the erased are gone)."""
    server = start_server(SOLVER_TEST_DELAY_S="2")
    base = setup_event(server, tokens["organizer"])
    org = bearer(tokens["organizer"])
    ids = []
    for n in range(24):
        undercover = n < 3
        r = requests.post(f"{base}/participants", headers=org, json=person(
            email=f"p{n}@example.org", full_name=f"Person {n}",
            organization="Unit Seven Undercover" if undercover else f"Org {n % 5}",
            country="MT" if undercover else "AT",
            gender="non_binary" if undercover else "female"))
        assert r.status_code == 201
        ids.append(r.json()["id"])
    answer: list[requests.Response] = []
    run = threading.Thread(target=lambda: answer.append(requests.post(
        f"{base}/allocations", headers=org, json={"time_limit_s": 20}, timeout=120)))
    run.start()
    time.sleep(1)
    for pid in ids[:3]:
        assert requests.post(f"{base}/participants/{pid}/erase", headers=org).status_code == 200
    run.join(120)
    assert answer and answer[0].status_code == 201, answer[0].text
    run_id = answer[0].json()["id"]
    stored = requests.get(f"{base}/allocations/{run_id}", headers=org).text
    report = requests.get(f"{base}/allocations/{run_id}/report", headers=org).text
    for trace in ("Unit Seven Undercover", '"MT"', "non_binary"):
        assert trace not in stored and trace not in report, trace
    with app.app_context():
        from allocator.models import AllocationRun

        problem = db.session.get(AllocationRun, run_id).problem
        erased = [p for p in problem["participants"] if int(p["id"]) in ids[:3]]
        assert all(p["organization"] is None for p in erased)


def test_check_ins_racing_an_erasure_never_outlive_it(app, start_server, tokens):
    server = start_server()
    base = setup_event(server, tokens["organizer"])
    org = bearer(tokens["organizer"])
    ids = [requests.post(f"{base}/participants", headers=org, json=person(
        email=f"r{n}@example.org", full_name=f"Racer {n}")).json()["id"] for n in range(40)]
    statuses: list[int] = []
    lock = threading.Lock()

    def act(method: str, url: str) -> None:
        r = requests.request(method, url, headers=org, timeout=60)
        with lock:
            statuses.append(r.status_code)

    threads = []
    for pid in ids:
        for method, path in (("POST", "check-in"), ("POST", "erase"), ("POST", "check-in"),
                             ("DELETE", "check-in")):
            threads.append(threading.Thread(target=act, args=(
                method, f"{base}/participants/{pid}/{path}")))
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert set(statuses) <= {200, 409}, collections.Counter(statuses)
    with app.app_context():
        people = db.session.scalars(select(Participant).where(Participant.id.in_(ids))).all()
        assert all(p.erased_at is not None for p in people)
        assert all(p.status == "withdrawn" and p.checked_in_at is None for p in people)
