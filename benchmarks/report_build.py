"""How long the report PDF takes to build, and where the time goes.

    .venv/bin/python -m benchmarks.report_build              # 5 builds, SQLite
    .venv/bin/python -m benchmarks.report_build --builds 10

The report of issue 23: six adopted recommendations of about 20,000 characters each
(Markdown with lists, the text ``benchmarks.desk_under_load`` makes), three themes, 36
working groups and 1,200 people placed (the tables and the chart), on an SQLite file.
Each build is what a warm gunicorn worker does for ``report.pdf`` when the content changed:
gather the report (``services.report.build``), render the HTML template with the chart,
lay it out with WeasyPrint and write the PDF. Printed: each build's seconds in those
stages, the CPU time of the whole build (what the wall clock shows when nothing else
runs), the pages, and the fastest and median totals. One process, one core; the first
build (fonts and stylesheets loaded) is shown and left out of the summary.
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.desk_under_load import PEOPLE, _ts, long_text


def prepare():  # noqa: ANN201
    """The event: 36 groups, 1,200 people placed by a published allocation, six long
    adopted recommendations."""
    from flask_migrate import upgrade
    from sqlalchemy import insert

    from allocator.access import Principal
    from allocator.extensions import db
    from allocator.models import Participant
    from allocator.services import allocation, recommendations
    from allocator.services.events import create_event, create_group, create_theme

    upgrade()
    rng = random.Random(2008)
    event = create_event({"name": "Desk under load", "starts_at": _ts("2030-05-01T09:00"),
                          "ends_at": _ts("2030-05-01T17:00"), "timezone": "Europe/Vienna"})
    keys = ["structured-cooperation", "information-sharing", "non-traditional"]
    for key in keys:
        create_theme(event, {"key": key, "title": key.title()})
    groups = [create_group(event, {"name": f"WG{n + 1}.{g + 1}", "theme": key, "capacity": 40})
              for n, key in enumerate(keys) for g in range(12)]
    db.session.execute(insert(Participant), [
        {"event_id": event.id, "full_name": f"Person{i:05d}", "email": f"p{i}@example.org",
         "organization": f"Org {i % 300}", "sector": rng.choice(event.sectors),
         "role": "participant", "status": "registered", "consent": True,
         "consent_version": "bench", "search_key": f"person{i:05d}",
         "consent_at": _ts("2030-04-01T00:00"), "created_at": _ts("2030-04-01T00:00"),
         "updated_at": _ts("2030-04-01T00:00")} for i in range(PEOPLE)])
    db.session.commit()
    run = allocation.allocate(event, {"include": ["registered"], "time_limit_s": 30})
    allocation.publish(event, run.id)
    for n in range(6):
        recommendations.create(event, groups[n * 6].id, {
            "title": f"Recommendation {n + 1}", "text": long_text(rng), "status": "adopted"},
            Principal.system("bench"))
    db.session.commit()
    return event


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--builds", type=int, default=5)
    args = parser.parse_args()
    os.environ["ALLOCATOR_ENV"] = "testing"
    # the chart's SVG style attributes WeasyPrint reads as CSS and ignores, a line each
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    folder = Path(tempfile.mkdtemp(prefix="report-build-"))
    url = f"sqlite:///{folder / 'bench.db'}"
    os.environ["DATABASE_URL"] = url

    from flask import render_template
    from weasyprint import HTML

    from allocator import create_app
    from allocator.app import settle
    from allocator.services import report as reports

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    app.instance_path = str(folder / "instance")
    with app.test_request_context():
        event = prepare()
        totals, cpus = [], []
        print("| build | gather | template | layout | PDF | total | CPU | pages |")
        print("|---|---|---|---|---|---|---|---|")
        settle()  # what each gunicorn worker does once the app is loaded
        for n in range(args.builds + 1):
            cpu = time.process_time()
            started = time.perf_counter()
            built = reports.build(event)
            gathered = time.perf_counter()
            html = render_template(
                "report/report.html", report=built,
                chart=reports.chart_svg(built) if built.participants else None,
                caption=reports.CHART_CAPTION)
            templated = time.perf_counter()
            document = HTML(string=html).render()
            laid_out = time.perf_counter()
            document.write_pdf()
            done = time.perf_counter()
            cpu = time.process_time() - cpu
            label = "first" if n == 0 else str(n)
            print(f"| {label} | {gathered - started:.2f} | {templated - gathered:.2f} | "
                  f"{laid_out - templated:.2f} | {done - laid_out:.2f} | "
                  f"{done - started:.2f} | {cpu:.2f} | {len(document.pages)} |")
            if n:
                totals.append(done - started)
                cpus.append(cpu)
        print(f"\n{args.builds} builds after the first: fastest {min(totals):.2f} s, "
              f"median {statistics.median(totals):.2f} s (CPU: fastest {min(cpus):.2f} s, "
              f"median {statistics.median(cpus):.2f} s)")


if __name__ == "__main__":
    main()
