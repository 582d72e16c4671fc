"""Load benchmark: gunicorn on SQLite and PostgreSQL, driven from a second process.

    .venv/bin/python -m benchmarks.load                      # both databases, 4/16/64 clients
    .venv/bin/python -m benchmarks.load --db sqlite --seconds 5

For each database: a fresh database with a published allocation of 10,000 people, the
app under gunicorn (config/gunicorn.conf.py, workers from the core count), then for 4, 16
and 64 concurrent clients: GET /livez (the ceiling: no database, no auth), GET /healthz
(one database statement, no auth: what touching the database at all costs), registration
POSTs (new people, desk token, into a second event so that searches always see the same
10,000), participant searches, ticket scans (POST /check-ins with an Idempotency-Key, as
the desk page sends them: first scans check in, later ones answer "already checked in"),
and the all-groups CSV. The load runs in its own processes
(one per scenario), which share the machine's cores with the server: figures are for the
whole machine, client included. Each row also gives the CPU time per request of the
gunicorn processes, the PostgreSQL server processes and the client, how idle the
machine's cores were, and how much of their time the hypervisor gave to other machines
(stolen; from /proc).
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zlib
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PEOPLE = 10_000
PG_SERVER = os.environ.get("BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432")


def prepare(database_url: str) -> dict:
    """Migrate, seed an event with 10,000 people, allocate and publish; return tokens."""
    os.environ["DATABASE_URL"] = database_url
    os.environ["ALLOCATOR_ENV"] = "testing"
    from flask_migrate import upgrade
    from sqlalchemy import insert

    from allocator import create_app
    from allocator.extensions import db
    from allocator.models import Participant, Preference
    from allocator.services import allocation
    from allocator.services.events import create_event, create_group, create_theme
    from allocator.services.tokens import create_token

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        upgrade()
        event = create_event({"name": "Load test forum", "starts_at": _ts("2030-05-01T09:00"),
                              "ends_at": _ts("2030-05-01T17:00"), "timezone": "Europe/Vienna"})
        keys = ["structured-cooperation", "information-sharing", "non-traditional"]
        themes = [create_theme(event, {"key": k, "title": k.title()}) for k in keys]
        for n, key in enumerate(keys):
            create_group(event, {"name": f"WG{n + 1}", "theme": key, "capacity": 4000})
        rng = random.Random(1)
        rows = []
        for i in range(PEOPLE):
            name = f"{rng.choice(['Anna', 'Jan', 'Łukasz', 'Nguyễn', 'Maria'])} Person{i:05d}"
            rows.append({"event_id": event.id, "full_name": name,
                         "email": f"person{i}@example.org", "organization": f"Org {i % 700}",
                         "sector": rng.choice(event.sectors), "role": "participant",
                         "status": "registered", "consent": True, "consent_version": "bench",
                         "search_key": name.lower(), "consent_at": _ts("2030-04-01T00:00"),
                         "created_at": _ts("2030-04-01T00:00"),
                         "updated_at": _ts("2030-04-01T00:00")})
        db.session.execute(insert(Participant), rows)
        ids = db.session.scalars(sa.select(Participant.id)).all()
        db.session.execute(insert(Preference), [
            {"participant_id": pid, "theme_id": themes[pid % 3].id, "rank": 1} for pid in ids])
        db.session.commit()
        with app.test_request_context():
            run = allocation.allocate(event, {"include": ["registered", "checked_in"],
                                              "time_limit_s": 60})
            allocation.publish(event, run.id)
        # Walk-ins register for an event of their own, so that the searches and the
        # CSV always see the same 10,000 people, whatever ran before them.
        walk_in = create_event({"name": "Walk-in desk", "starts_at": _ts("2030-05-02T09:00"),
                                "ends_at": _ts("2030-05-02T17:00"),
                                "timezone": "Europe/Vienna"})
        for key in keys:
            create_theme(walk_in, {"key": key, "title": key.title()})
        # Everyone's ticket, as the desks' scanners would read it.
        from allocator.services import tickets

        codes = list(tickets.payloads(list(db.session.scalars(sa.select(Participant).where(
            Participant.event_id == event.id)))).values())
        return {"event": event.id, "walk_in": walk_in.id, "codes": codes,
                "desk": create_token("desk", f"bench-desk-{uuid.uuid4()}"),
                "viewer": create_token("viewer", f"bench-viewer-{uuid.uuid4()}")}


def _ts(text: str):
    import datetime as dt

    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


def client_process(port: int, scenario: str, clients: int, seconds: float, setup: dict,
                   out: multiprocessing.Queue) -> None:
    """Drive one scenario with ``clients`` threads for ``seconds``; report latencies."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop = time.monotonic() + seconds
    event = setup["event"]

    def request(conn: http.client.HTTPConnection, n: int, tag: str) -> int:
        if scenario == "ceiling":
            conn.request("GET", "/livez")
        elif scenario == "healthz":
            conn.request("GET", "/healthz")
        elif scenario == "register":
            body = json.dumps({"full_name": f"Walk In {tag}-{n}",
                               "email": f"walkin-{tag}-{n}@example.org",
                               "organization": "Labour Inspectorate", "sector": "government",
                               "preferences": ["information-sharing"], "consent": True})
            conn.request("POST", f"/api/events/{setup['walk_in']}/participants", body=body,
                         headers={"Authorization": f"Bearer {setup['desk']}",
                                  "Content-Type": "application/json"})
        elif scenario == "scan":
            # Desks scan arriving people: the first scan checks in, later ones answer
            # "already checked in" (both 200); a retried request carries its own key.
            codes = setup["codes"]
            body = json.dumps({"code": codes[(zlib.crc32(tag.encode()) + n) % len(codes)]})
            conn.request("POST", f"/api/events/{event}/check-ins", body=body,
                         headers={"Authorization": f"Bearer {setup['desk']}",
                                  "Content-Type": "application/json",
                                  "Idempotency-Key": f"{tag}-{n}"})
        elif scenario == "search":
            conn.request("GET", f"/api/events/{event}/participants?q=person{n % 9999:04d}"
                         f"&per_page=20", headers={"Authorization": f"Bearer {setup['desk']}"})
        else:
            conn.request("GET", f"/api/events/{event}/groups.csv",
                         headers={"Authorization": f"Bearer {setup['viewer']}"})
        response = conn.getresponse()
        response.read()
        return response.status

    def worker(index: int) -> None:
        nonlocal errors
        tag = f"{scenario}{clients}{index}{uuid.uuid4().hex[:6]}"
        n = 0
        while time.monotonic() < stop:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            start = time.perf_counter()
            try:
                status = request(conn, n, tag)
                ok = status < 400 or (scenario == "register" and status == 409)
            except OSError:
                ok = False
            elapsed = time.perf_counter() - start
            conn.close()
            with lock:
                if ok:
                    latencies.append(elapsed)
                else:
                    errors += 1
            n += 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out.put({"latencies": latencies, "errors": errors, "seconds": seconds})


def _cpu_seconds(pids: list[int]) -> dict[int, float]:
    """User + system CPU seconds used so far by each of these processes (Linux /proc)."""
    used = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        used[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return used


def _cpu_used(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds between two readings; processes started in between count from zero."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def _machine_ticks() -> tuple[int, int, int]:
    """(idle, stolen, total) clock ticks of all cores so far, from /proc/stat (zeros elsewhere).

    Stolen ticks are those the hypervisor gave to other machines: on a shared host they
    make every figure of the row slower, whatever the code does.
    """
    try:
        ticks = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except OSError:
        return 0, 0, 0
    # user nice system idle iowait irq softirq steal (guest time is counted in user)
    return ticks[3] + ticks[4], ticks[7], sum(ticks[:8])


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _postgres_pids() -> list[int]:
    pids = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            if (entry / "comm").read_text().strip() == "postgres":
                pids.append(int(entry.name))
        except OSError:
            continue
    return pids


def run_scenario(port: int, scenario: str, clients: int, seconds: float, setup: dict,
                 server_pid: int | None = None) -> dict:
    """One scenario in a separate process; its throughput, latency and CPU per request."""
    out: multiprocessing.Queue = multiprocessing.Queue()
    process = multiprocessing.Process(target=client_process,
                                      args=(port, scenario, clients, seconds, setup, out))
    server = [server_pid, *_children(server_pid)] if server_pid else []
    before = _cpu_seconds(server), _cpu_seconds(_postgres_pids())
    ticks_before = _machine_ticks()
    process.start()
    result = out.get()
    client_cpu = sum(_cpu_seconds([process.pid]).values())
    # Database backends are opened by the app as it needs them: read them afterwards.
    after = _cpu_seconds(server), _cpu_seconds(_postgres_pids())
    ticks_after = _machine_ticks()
    process.join()
    idle, stolen, total = (a - b for a, b in zip(ticks_after, ticks_before, strict=True))
    lat = sorted(result["latencies"])
    count = len(lat)

    def per_request(cpu_s: float) -> float | None:
        return round(cpu_s / count * 1000, 3) if count else None

    return {
        "scenario": scenario, "clients": clients, "requests": count, "errors": result["errors"],
        "rps": round(count / result["seconds"], 1),
        "p50_ms": round(statistics.median(lat) * 1000, 1) if lat else None,
        "p95_ms": round(lat[min(count - 1, int(count * 0.95))] * 1000, 1) if lat else None,
        "p99_ms": round(lat[min(count - 1, int(count * 0.99))] * 1000, 1) if lat else None,
        "cpu_app_ms": per_request(_cpu_used(before[0], after[0])),
        "cpu_db_ms": per_request(_cpu_used(before[1], after[1])),
        "cpu_client_ms": per_request(client_cpu),
        "idle_pct": round(100 * idle / total) if total else None,
        "steal_pct": round(100 * stolen / total) if total else None,
    }


def start_gunicorn(database_url: str, port: int, log: Path) -> subprocess.Popen:
    """The app under gunicorn with the production configuration file."""
    env = {**os.environ, "ALLOCATOR_ENV": "testing", "DATABASE_URL": database_url,
           "PORT": str(port)}
    process = subprocess.Popen([str(BIN / "gunicorn"), "--config", "config/gunicorn.conf.py",
                                "wsgi:app"], cwd=ROOT, env=env, stdout=log.open("w"),
                               stderr=subprocess.STDOUT)
    for _ in range(300):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/livez")
            if conn.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(log.read_text())


SCENARIOS = ("ceiling", "healthz", "register", "search", "scan", "csv")


def bench_database(kind: str, clients: list[int], seconds: float, workdir: Path,
                   scenarios: tuple[str, ...] = SCENARIOS) -> list[dict]:
    """Everything for one database; the database is dropped afterwards."""
    name = f"allocator_bench_{uuid.uuid4().hex[:8]}"
    if kind == "sqlite":
        url = f"sqlite:///{workdir / 'bench.db'}"
    else:
        admin = sa.create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        url = f"{PG_SERVER}/{name}"
    try:
        setup = multiprocessing.get_context("spawn").Pool(1).apply(prepare, (url,))
        port = 18000 + random.randint(0, 999)
        server = start_gunicorn(url, port, workdir / f"gunicorn-{kind}.log")
        rows = []
        try:
            for scenario in scenarios:
                for c in clients:
                    row = run_scenario(port, scenario, c, seconds, setup, server.pid)
                    row["db"] = kind
                    rows.append(row)
                    print(f"# {kind} {scenario} {c}: {row['rps']} rps", file=sys.stderr)
            if "csv" in scenarios:
                single = run_scenario(port, "csv", 1, seconds, setup, server.pid)
                single.update(db=kind, scenario="csv (one client)")
                rows.append(single)
        finally:
            server.terminate()
            server.wait(timeout=30)
        return rows
    finally:
        if kind != "sqlite":
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            admin.dispose()


def _row(rows: list[dict], kind: str, scenario: str, clients: int) -> dict | None:
    """The row of one database, scenario and client count, if it was run."""
    return next((r for r in rows if r["db"] == kind and r["scenario"] == scenario
                 and r["clients"] == clients), None)


def main() -> None:
    """Run the benchmark and print a Markdown table with the targets checked."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", nargs="+", default=["sqlite", "postgres"],
                        choices=["sqlite", "postgres"])
    parser.add_argument("--clients", nargs="+", type=int, default=[4, 16, 64])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--scenarios", nargs="+", default=list(SCENARIOS), choices=SCENARIOS)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for kind in args.db:
            rows += bench_database(kind, args.clients, args.seconds, Path(tmp),
                                   tuple(args.scenarios))
    workers = os.environ.get("WEB_CONCURRENCY") or f"{multiprocessing.cpu_count() + 1}"
    print(f"Machine: {os.cpu_count()} cores; gunicorn sync workers: {workers}; "
          f"{args.seconds:g} s per row; {PEOPLE:,} people published.\n")
    print("| database | scenario | clients | requests | errors | req/s | p50 ms | p95 ms "
          "| p99 ms | CPU ms/req: app | database | client | idle % | stolen % |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['db']} | {r['scenario']} | {r['clients']} | {r['requests']} | "
              f"{r['errors']} | {r['rps']} | {r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} | "
              f"{r['cpu_app_ms']} | {r['cpu_db_ms'] if r['db'] != 'sqlite' else '–'} | "
              f"{r['cpu_client_ms']} | {r['idle_pct']} | {r['steal_pct']} |")
    print()
    for kind in args.db:
        ceiling, register, healthz = (_row(rows, kind, scenario, 16)
                                      for scenario in ("ceiling", "register", "healthz"))
        single = _row(rows, kind, "csv (one client)", 1)
        scan = _row(rows, kind, "scan", 16)
        if scan:
            print(f"- {kind}: scan to check-in at 16 desks: p95 {scan['p95_ms']} ms "
                  f"(target < 150 ms), {scan['errors']} errors")
        if ceiling and register:
            share = register["rps"] / ceiling["rps"] if ceiling["rps"] else 0
            print(f"- {kind}: registration at 16 clients = {share:.0%} of the ceiling "
                  f"(target ≥ 50%), p99 {register['p99_ms']} ms (target < 100 ms)")
        if ceiling and healthz and ceiling["rps"]:
            print(f"- {kind}: GET /healthz at 16 clients = "
                  f"{healthz['rps'] / ceiling['rps']:.0%} of the ceiling")
        if single:
            print(f"- {kind}: all-groups CSV of {PEOPLE:,} people, one client: p50 "
                  f"{single['p50_ms']} ms, p99 {single['p99_ms']} ms (target < 1 s)")


if __name__ == "__main__":
    main()
