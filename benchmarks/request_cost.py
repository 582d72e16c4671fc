"""What one desk registration costs in-process: milliseconds and SQL statements.

    .venv/bin/python -m benchmarks.request_cost
    .venv/bin/python -m benchmarks.request_cost --database-url postgresql+psycopg://...

Registers people through the Flask test client (no HTTP server) on a fresh SQLite file,
or on the PostgreSQL database given (its tables are created; use an empty database), so
the figures are the application's own work per request.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from sqlalchemy import event as sa_event

REQUESTS = 300


def main() -> None:
    """Print the mean time and statement count of a registration and of GET /livez."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="an empty database (default: a SQLite file)")
    args = parser.parse_args()
    from flask_migrate import upgrade

    from allocator import create_app
    from allocator.extensions import db
    from allocator.services.tokens import create_token

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"ENV_NAME": "testing",
                          "SQLALCHEMY_DATABASE_URI": args.database_url
                          or f"sqlite:///{Path(tmp) / 'cost.db'}"})
        with app.app_context():
            upgrade()
            organizer, desk = create_token("organizer", "o"), create_token("desk", "d")
            statements = [0]
            sa_event.listen(db.engine, "before_cursor_execute",
                            lambda *args: statements.__setitem__(0, statements[0] + 1))
        client = app.test_client()
        org = {"Authorization": f"Bearer {organizer}"}
        event = client.post("/api/events", headers=org, json={
            "name": "Cost", "starts_at": "2030-01-01T09:00:00Z",
            "ends_at": "2030-01-01T17:00:00Z"}).json
        client.post(f"/api/events/{event['id']}/themes", headers=org,
                    json={"key": "information-sharing", "title": "Information Sharing"})
        path = f"/api/events/{event['id']}/participants"
        headers = {"Authorization": f"Bearer {desk}"}

        def body(n: int) -> dict:
            return {"full_name": f"Person {n}", "email": f"p{n}@example.org",
                    "organization": "Org", "sector": "government",
                    "preferences": ["information-sharing"], "consent": True}

        client.post(path, headers=headers, json=body(0))  # warm up (token last-used, caches)
        statements[0] = 0
        start = time.perf_counter()
        for n in range(1, REQUESTS + 1):
            assert client.post(path, headers=headers, json=body(n)).status_code == 201
        register_ms = (time.perf_counter() - start) / REQUESTS * 1000
        register_sql = statements[0] / REQUESTS
        start = time.perf_counter()
        for _ in range(REQUESTS):
            client.get("/livez")
        livez_ms = (time.perf_counter() - start) / REQUESTS * 1000
    print(f"registration: {register_ms:.2f} ms, {register_sql:.1f} SQL statements per request")
    print(f"GET /livez:   {livez_ms:.2f} ms per request")
    print(f"ratio: a registration costs {register_ms / livez_ms:.1f} bare requests")


if __name__ == "__main__":
    main()
