"""How long the printed material takes: badges for 100 people (A4 sheets of eight and
one per label) and a working group's sign-in sheet, names in many scripts.

    .venv/bin/python -m benchmarks.badges [--people 100] [--repeat 3]

Prints one Markdown row per document: the best and the median of the repeats, in
seconds, measured in process after one warm-up (WeasyPrint and the fonts loaded).
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time

NAMES = ["Anna Müller", "Мария Петрова", "Γιώργος Παπαδόπουλος", "فاطمة الزهراء", "王秀英",
         "佐藤 花子", "김민준", "Zoë Ørsted-Łukasiewicz", "Nguyễn Văn An", "Seán Ó Briain"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    os.environ["ALLOCATOR_ENV"] = "testing"
    from flask_migrate import upgrade
    from pypdf import PdfReader

    from allocator import create_app
    from allocator.extensions import db
    from allocator.models import WorkingGroup
    from allocator.services import allocation, badges, participants
    from allocator.services.events import create_event, create_group, create_theme

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.db",
                          "ENV_NAME": "testing"})
        with app.app_context(), app.test_request_context():
            upgrade()
            import datetime as dt

            start = dt.datetime(2030, 5, 1, 9, tzinfo=dt.UTC)
            event = create_event({"name": "Badge benchmark", "starts_at": start,
                                  "ends_at": start + dt.timedelta(hours=8),
                                  "timezone": "Europe/Vienna"})
            for n, key in enumerate(["cooperation", "information", "stakeholders"]):
                create_theme(event, {"key": key, "title": key.title()})
                create_group(event, {"name": f"Working group {n + 1}", "theme": key,
                                     "room": f"M{n + 1}", "capacity": args.people})
            for n in range(args.people):
                participants.register(event.id, {
                    "full_name": f"{NAMES[n % len(NAMES)]} {n}", "email": f"p{n}@example.org",
                    "organization": f"Organisation {n % 17}", "sector": event.sectors[n % 7],
                    "preferences": ["cooperation"], "consent": True})
            run = allocation.allocate(event, {"include": ["registered"], "time_limit_s": 30})
            allocation.publish(event, run.id)
            group = db.session.scalar(db.select(WorkingGroup).limit(1))
            jobs = {
                f"badges, A4 sheets of 8, {args.people} people":
                    lambda: badges.badges_pdf(event, "a4"),
                f"badges, one per label, {args.people} people":
                    lambda: badges.badges_pdf(event, "label"),
                "sign-in sheet of one group": lambda: badges.sign_in_sheet_pdf(event, group),
            }
            print(f"Machine: {os.cpu_count()} cores; Python {sys.version.split()[0]}\n")
            print("| document | best s | median s | pages | size KB |")
            print("|---|---|---|---|---|")
            for name, job in jobs.items():
                body = job()  # warm-up: tickets issued, fonts loaded
                times = []
                for _ in range(args.repeat):
                    began = time.perf_counter()
                    body = job()
                    times.append(time.perf_counter() - began)
                pages = len(PdfReader(io.BytesIO(body)).pages)
                print(f"| {name} | {min(times):.2f} | {statistics.median(times):.2f} | "
                      f"{pages} | {len(body) // 1024} |")


if __name__ == "__main__":
    main()
