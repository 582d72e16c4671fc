"""Outbox benchmark: queue 1,000 invitations, deliver them through a local SMTP server.

    .venv/bin/python -m benchmarks.mail                 # SQLite, 1,000 invitees
    .venv/bin/python -m benchmarks.mail --db postgres   # the local PostgreSQL (database test)
    .venv/bin/python -m benchmarks.mail --people 5000

A fresh database with one event and N invitees; then ``POST …/invitations`` (one message
and one personal link per invitee, rendered from the templates, in one transaction) and
``send-mail``'s loop (claim, send over one SMTP connection to aiosmtpd on loopback, mark
sent, one commit per message). The SMTP server runs in this process's own thread: its
cost is in the figures, as a real relay's network round trip would be.
"""

from __future__ import annotations

import argparse
import os
import socket
import tempfile
import time
import uuid

import sqlalchemy as sa
from aiosmtpd.controller import Controller

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


class Counting:
    """An aiosmtpd handler that only counts what arrives."""

    def __init__(self) -> None:
        self.received = 0

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: ANN001
        self.received += 1
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(db: str, people: int) -> dict:
    """Queue and deliver ``people`` invitations; figures in seconds and messages/s."""
    from flask_migrate import upgrade

    from allocator import create_app
    from allocator.extensions import db as database
    from allocator.mailer import SmtpSettings
    from allocator.models import Participant
    from allocator.services import events, invitations
    from allocator.services.outbox import deliver_due

    schema = None
    if db == "sqlite":
        url = f"sqlite:///{tempfile.mkdtemp()}/mail.db"
    else:
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        admin = sa.create_engine(PG_URL)
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        url = PG_URL + f"?options=-csearch_path%3D{schema}"
    os.environ.setdefault("ALLOCATOR_ENV", "testing")
    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url,
                      "MAIL_FROM": "Workshop <desk@workshop.example>"})
    handler = Counting()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with app.app_context():
            upgrade()
            event = events.create_event({"name": "Benchmark", "starts_at": _future(30),
                                         "ends_at": _future(30.2), "timezone": "UTC"})
            for key in ("a", "b", "c"):
                events.create_theme(event, {"key": key, "title": key.upper(),
                                            "description": "", "position": 0})
            database.session.execute(sa.insert(Participant), [
                {"event_id": event.id, "full_name": f"Invitee {n}",
                 "email": f"invitee{n}@example.org", "organization": "", "status": "invited",
                 "consent": False, "consent_at": None, "consent_version": "", "role":
                 "participant", "search_key": f"invitee {n}"} for n in range(people)])
            database.session.commit()
            start = time.perf_counter()
            queued = invitations.invite(event, {})["queued"]
            queue_s = time.perf_counter() - start
            start = time.perf_counter()
            counts = deliver_due(SmtpSettings.from_url(f"smtp://127.0.0.1:{port}"))
            send_s = time.perf_counter() - start
    finally:
        controller.stop()
        if schema:
            with admin.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    assert queued == people and counts["sent"] == people == handler.received, counts
    return {"db": db, "people": people, "queue_s": queue_s, "send_s": send_s,
            "queued_per_s": people / queue_s, "sent_per_s": people / send_s}


def _future(days: float):
    import datetime as dt

    return (dt.datetime.now(dt.UTC) + dt.timedelta(days=days)).replace(tzinfo=None)


def main() -> None:
    """Print one row per database."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--people", type=int, default=1000)
    args = parser.parse_args()
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    print("| database | invitees | queue s | queued/s | send s | sent/s |")
    print("|---|---|---|---|---|---|")
    for db in dbs:
        r = run(db, args.people)
        print(f"| {r['db']} | {r['people']:,} | {r['queue_s']:.2f} | {r['queued_per_s']:.0f} "
              f"| {r['send_s']:.2f} | {r['sent_per_s']:.0f} |")


if __name__ == "__main__":
    main()
