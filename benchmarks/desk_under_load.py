"""The desk while the heavy work runs: does check-in stay quick while four people fetch the
report and an allocation of 1,200 people runs?

    .venv/bin/python -m benchmarks.desk_under_load                 # SQLite and PostgreSQL
    .venv/bin/python -m benchmarks.desk_under_load --db sqlite --seconds 10

For each database: a fresh event of 1,200 people in 36 groups, a published allocation, and
the report that stalled the desk (six adopted recommendations of about 20,000 characters,
Markdown with lists); gunicorn with config/gunicorn.conf.py (workers from the core count).
Then two phases of ``--seconds`` each, the desk driven from its own process (two desks:
one searches by name, one checks people in with an Idempotency-Key, as the pages do):

1. the desk alone;
2. the desk while, from another process, four clients fetch report.pdf over and over
   (honouring Retry-After), an organiser changes a recommendation every 3 s (so the
   report is built again: the worst case, not the cached one), and one client runs
   allocations of all 1,200 people one after another (10 s limit).

Printed: the desk's p50 / p95 / max per phase, how the report requests were answered,
how long each build of the report took (the audit's ``document.built``), and the
allocations finished. Figures are for the whole machine, clients included.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

from benchmarks.load import PG_SERVER, start_gunicorn

PEOPLE = 1_200
GROUPS_PER_THEME = 12


def _ts(text: str):  # noqa: ANN202
    import datetime as dt

    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


def long_text(rng: random.Random, length: int = 20_000) -> str:
    """About ``length`` characters of a recommendation: paragraphs and bulleted lists."""
    words = ("cooperation between civil society and law enforcement requires trust shared "
             "understanding of the crime referral mechanisms data protection victims "
             "prosecution labour inspectorates shelters hotlines").split()
    parts: list[str] = []
    while sum(len(p) for p in parts) < length:
        sentence = " ".join(rng.choice(words) for _ in range(rng.randint(12, 30)))
        parts.append(f"- **{sentence[:40]}** {sentence}\n" if len(parts) % 4 else
                     f"\n{sentence.capitalize()}.\n\n")
    return "".join(parts)[:length]


def prepare(database_url: str) -> dict:
    """Migrate, seed the event, allocate and publish; the ids and tokens the clients use."""
    import os

    os.environ["DATABASE_URL"] = database_url
    os.environ["ALLOCATOR_ENV"] = "testing"
    from flask_migrate import upgrade
    from sqlalchemy import insert

    from allocator import create_app
    from allocator.access import Principal
    from allocator.extensions import db
    from allocator.models import Participant, Preference
    from allocator.services import allocation, recommendations
    from allocator.services.events import create_event, create_group, create_theme
    from allocator.services.tokens import create_token

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    rng = random.Random(2008)
    with app.test_request_context():
        upgrade()
        event = create_event({"name": "Desk under load", "starts_at": _ts("2030-05-01T09:00"),
                              "ends_at": _ts("2030-05-01T17:00"), "timezone": "Europe/Vienna"})
        keys = ["structured-cooperation", "information-sharing", "non-traditional"]
        themes = [create_theme(event, {"key": k, "title": k.title()}) for k in keys]
        groups = []
        for n, key in enumerate(keys):
            for g in range(GROUPS_PER_THEME):
                groups.append(create_group(event, {"name": f"WG{n + 1}.{g + 1}", "theme": key,
                                                   "capacity": 40}))
        rows = []
        for i in range(PEOPLE):
            name = f"{rng.choice(['Anna', 'Jan', 'Łukasz', 'Nguyễn', 'Maria'])} Person{i:05d}"
            rows.append({"event_id": event.id, "full_name": name,
                         "email": f"person{i}@example.org", "organization": f"Org {i % 300}",
                         "sector": rng.choice(event.sectors), "role": "participant",
                         "status": "registered", "consent": True, "consent_version": "bench",
                         "search_key": name.lower(), "consent_at": _ts("2030-04-01T00:00"),
                         "created_at": _ts("2030-04-01T00:00"),
                         "updated_at": _ts("2030-04-01T00:00")})
        db.session.execute(insert(Participant), rows)
        ids = db.session.scalars(sa.select(Participant.id)).all()
        db.session.execute(insert(Preference), [
            {"participant_id": pid, "theme_id": themes[(pid + rank) % 3].id, "rank": rank + 1}
            for pid in ids for rank in range(2)])
        db.session.commit()
        run = allocation.allocate(event, {"include": ["registered", "checked_in"],
                                          "time_limit_s": 30})
        allocation.publish(event, run.id)
        made = [recommendations.create(event, groups[n * 6].id, {
            "title": f"Recommendation {n + 1}", "text": long_text(rng), "status": "adopted"},
            Principal.system("bench")).id for n in range(6)]
        return {"event": event.id, "ids": ids, "recommendations": made,
                "desk": create_token("desk", f"bench-desk-{uuid.uuid4()}", event.id),
                "organizer": create_token("organizer", f"bench-org-{uuid.uuid4()}")}


def _call(port: int, method: str, path: str, token: str, body: dict | None = None,
          headers: dict | None = None) -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request(method, path, body=json.dumps(body) if body is not None else None,
                     headers={"Authorization": f"Bearer {token}",
                              "Content-Type": "application/json", **(headers or {})})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def desk_process(port: int, setup: dict, seconds: float, out: multiprocessing.Queue) -> None:
    """Two desks for ``seconds``: one searching by name, one checking people in."""
    stop = time.monotonic() + seconds
    latencies: dict[str, list[float]] = {"search": [], "check-in": []}
    errors: list[int] = []
    tag = uuid.uuid4().hex[:6]
    event = setup["event"]

    def search() -> None:
        n = 0
        while time.monotonic() < stop:
            started = time.perf_counter()
            status, _, _ = _call(port, "GET", f"/api/events/{event}/participants?q=person"
                                 f"{(n * 37) % PEOPLE:05d}&per_page=20", setup["desk"])
            latencies["search"].append(time.perf_counter() - started)
            if status != 200:
                errors.append(status)
            n += 1

    def check_in() -> None:
        n = 0
        while time.monotonic() < stop:
            pid = setup["ids"][(n * 7) % len(setup["ids"])]
            started = time.perf_counter()
            status, _, _ = _call(port, "POST", f"/api/events/{event}/participants/{pid}/"
                                 "check-in", setup["desk"],
                                 headers={"Idempotency-Key": f"{tag}-{n}"})
            latencies["check-in"].append(time.perf_counter() - started)
            if status != 200:
                errors.append(status)
            n += 1

    threads = [threading.Thread(target=search), threading.Thread(target=check_in)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    out.put({"latencies": latencies, "errors": errors})


def load_process(port: int, setup: dict, seconds: float, out: multiprocessing.Queue) -> None:
    """Four report readers, an organiser editing a recommendation every 3 s, and
    allocations of everyone one after another, for ``seconds``."""
    stop = time.monotonic() + seconds
    event, token = setup["event"], setup["organizer"]
    answers: list[int] = []
    runs: list[float] = []

    def reader() -> None:
        while time.monotonic() < stop:
            status, headers, _ = _call(port, "GET", f"/api/events/{event}/report.pdf", token)
            answers.append(status)
            if status == 503:
                time.sleep(float(headers.get("Retry-After", "1")))

    def editor() -> None:
        n = 0
        while time.monotonic() < stop:
            rid = setup["recommendations"][n % len(setup["recommendations"])]
            path = f"/api/events/{event}/recommendations/{rid}"
            _, headers, _ = _call(port, "GET", path, token)
            _call(port, "PATCH", path, token, {"title": f"Recommendation (round {n})"},
                  headers={"If-Match": headers.get("ETag", '"0"')})
            n += 1
            time.sleep(3)

    def allocator() -> None:
        while time.monotonic() < stop:
            started = time.perf_counter()
            status, _, _ = _call(port, "POST", f"/api/events/{event}/allocations", token,
                                 {"time_limit_s": 10})
            if status == 201:
                runs.append(time.perf_counter() - started)

    threads = [threading.Thread(target=reader) for _ in range(4)]
    threads += [threading.Thread(target=editor), threading.Thread(target=allocator)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    out.put({"answers": answers, "runs": runs})


def _figures(values: list[float]) -> str:
    if not values:
        return "–"
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return (f"{statistics.median(ordered) * 1000:.0f} / {p95 * 1000:.0f} / "
            f"{ordered[-1] * 1000:.0f} ms (n={len(ordered)})")


def builds(database_url: str, event_id: int, since_id: int) -> tuple[list[float], int]:
    """The report's builds (seconds each) audited after entry ``since_id``, and the last id."""
    engine = sa.create_engine(database_url)
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT id, details FROM audit_log WHERE event_id = :e AND action = "
            "'document.built' AND subject_id = 'report.pdf' AND id > :since ORDER BY id"),
            {"e": event_id, "since": since_id}).all()
        last = conn.scalar(sa.text("SELECT coalesce(max(id), 0) FROM audit_log"))
    engine.dispose()
    seconds = [(json.loads(d) if isinstance(d, str) else d)["seconds"] for _, d in rows]
    return seconds, last


def bench_database(kind: str, seconds: float, workdir: Path) -> None:
    """Both phases on one database; prints the table rows."""
    name = f"allocator_bench_{uuid.uuid4().hex[:8]}"
    admin = None
    if kind == "sqlite":
        url = f"sqlite:///{workdir / 'bench.db'}"
    else:
        admin = sa.create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        url = f"{PG_SERVER}/{name}"
    try:
        setup = multiprocessing.get_context("spawn").Pool(1).apply(prepare, (url,))
        port = 19000 + random.randint(0, 999)
        server = start_gunicorn(url, port, workdir / f"gunicorn-{kind}.log")
        try:
            _, last = builds(url, setup["event"], 0)
            # warm every worker once (imports, the first PDF's fonts) before measuring
            for _ in range(6):
                _call(port, "GET", f"/api/events/{setup['event']}/participants?q=anna",
                      setup["desk"])
            alone = []
            for n in range(3):  # the report built with nothing else running (warm worker)
                rid = setup["recommendations"][0]
                path = f"/api/events/{setup['event']}/recommendations/{rid}"
                _, headers, _ = _call(port, "GET", path, setup["organizer"])
                _call(port, "PATCH", path, setup["organizer"], {"title": f"Alone {n}"},
                      headers={"If-Match": headers.get("ETag", '"0"')})
                started = time.perf_counter()
                _call(port, "GET", f"/api/events/{setup['event']}/report.pdf",
                      setup["organizer"])
                alone.append(time.perf_counter() - started)
            took, last = builds(url, setup["event"], last)
            print(f"| {kind} | the report alone, 3 times after a change | request "
                  f"{', '.join(f'{t:.2f}' for t in alone)} s | build "
                  f"{', '.join(f'{t:.2f}' for t in took)} s | |")
            for phase in ("the desk alone", "with 4 report readers and an allocation"):
                out: multiprocessing.Queue = multiprocessing.Queue()
                desk = multiprocessing.Process(target=desk_process,
                                               args=(port, setup, seconds, out))
                load = None
                if phase != "the desk alone":
                    load = multiprocessing.Process(target=load_process,
                                                   args=(port, setup, seconds + 2, out))
                    load.start()
                    time.sleep(1)  # the load is under way before the desk is measured
                desk.start()
                results = [out.get() for _ in range(2 if load else 1)]
                desk.join()
                if load:
                    load.join()
                measured = next(r for r in results if "latencies" in r)
                loaded = next((r for r in results if "answers" in r), None)
                print(f"| {kind} | {phase} | search {_figures(measured['latencies']['search'])}"
                      f" | check-in {_figures(measured['latencies']['check-in'])} | "
                      f"errors {len(measured['errors'])} |")
                if loaded:
                    took, last = builds(url, setup["event"], last)
                    answers = {code: loaded["answers"].count(code)
                               for code in sorted(set(loaded["answers"]))}
                    print(f"|   | report.pdf answers {answers}; builds {len(took)}, each "
                          f"{min(took, default=0):.2f}–{max(took, default=0):.2f} s "
                          f"(median {statistics.median(took) if took else 0:.2f} s); "
                          f"allocations of {PEOPLE:,} finished: {len(loaded['runs'])}, "
                          f"{_figures(loaded['runs'])} |")
        finally:
            server.terminate()
            server.wait(timeout=30)
    finally:
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            admin.dispose()


def main() -> None:
    """Parse the options and run the phases on each database."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args()
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    print("| database | phase | desk search p50 / p95 / max | check-in p50 / p95 / max | |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        for kind in kinds:
            bench_database(kind, args.seconds, Path(folder))
            sys.stdout.flush()


if __name__ == "__main__":
    main()
