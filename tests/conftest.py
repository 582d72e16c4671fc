"""Fixtures: a fresh app and a clean database schema for every test.

The database comes from ALLOCATOR_TEST_DATABASE_URL: unset means an SQLite file
per test; a PostgreSQL URL means a new schema per test, dropped afterwards. The
schema is always built by the Alembic migrations, as in production: once per session,
then copied into each test's database (tests/unit/test_migrations.py runs them again).
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from allocator import create_app
from allocator.extensions import db
from tests.support.database import PG_URL, Migrated, own_database, pg_schema_url, record
from tests.support.speed import lazy_url_builders, one_api_document

lazy_url_builders()
one_api_document()

DB_FIXTURES = {"app", "client", "runner", "tokens", "event"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark tests that touch the database, so the PostgreSQL pass can pick just those."""
    for item in items:
        if DB_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.db)


# The tests that drive gunicorn (and Chromium), whose timings need a core: with pytest-xdist
# (`-n 2`) one worker runs them, one at a time, while the other runs the rest.
SERVER_TESTS = ("tests/prod/", "tests/e2e/")


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist's own choice
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """pytest-xdist's ``load`` distribution, but the first worker takes the server tests,
    one after the other, and the in-process tests only once those are done; the others
    take the in-process tests, and the server tests left when those run out (so at the
    end two may run at once, never more than one beside an in-process test otherwise).
    Not ``--dist loadgroup``: it keys its work by test id, and Schemathesis gives the 90
    operations of a test one id, so all but one would never run; and pytest-xdist 3.8
    writes its groups where pytest 9 no longer reads a test's id."""
    if config.getvalue("dist") != "load":
        return None
    from xdist.scheduler import LoadScheduling

    class ServerTestsInTurn(LoadScheduling):
        server: list[int] = []  # the server tests not yet sent (indices into the collection)

        @property
        def tests_finished(self) -> bool:
            return not self.server and super().tests_finished

        @property
        def has_pending(self) -> bool:
            return bool(self.server) or super().has_pending

        def schedule(self) -> None:
            if self.collection is not None or not self._check_nodes_have_same_collection():
                return super().schedule()
            self.collection = next(iter(self.node2collection.values()))
            self.server = [i for i, test in enumerate(self.collection)
                           if test.startswith(SERVER_TESTS)]
            self.pending[:] = sorted(set(range(len(self.collection))) - set(self.server))
            if self.maxschedchunk is None:
                self.maxschedchunk = len(self.collection)
            for node in self.nodes:
                self.check_schedule(node)

        def check_schedule(self, node: Any, duration: float = 0) -> None:
            if node.shutting_down:
                return
            if self.server and (node is self.nodes[0] or not self.pending):
                # two queued, as pytest-xdist keeps (a worker runs a test once it knows
                # the next one, for the fixtures they share)
                count = 2 - len(self.node2pending[node])
                if count > 0:
                    sent, self.server = self.server[:count], self.server[count:]
                    self.node2pending[node].extend(sent)
                    node.send_runtest_some(sent)
                if self.server:
                    return
            # in chunks, as pytest-xdist sends them; or, with nothing left, the end
            super().check_schedule(node, duration)

    return ServerTestsInTurn(config, log)


@pytest.fixture(scope="session")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Migrated]:
    """Run the migrations once for the session (see ``Migrated``)."""
    from flask_migrate import upgrade

    folder = tmp_path_factory.mktemp("template")
    if not PG_URL:
        url = f"sqlite:///{folder / 'template.db'}"
    else:
        schema = f"t_template_{uuid.uuid4().hex[:12]}"
        admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        url = pg_schema_url(schema)
    statements: list[tuple[str, Any, bool]] = []
    template = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url})
    template.instance_path = str(folder / "instance")
    try:
        with template.app_context():
            if PG_URL:
                record(db.engine, statements)
            upgrade()
            db.session.remove()
            db.engine.dispose()
        if not PG_URL:
            yield Migrated(sqlite_file=folder / "template.db")
        else:
            migrated = Migrated(statements=statements, template=schema)
            try:
                yield migrated
            finally:
                migrated.close(admin)
    finally:
        if PG_URL:
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


@pytest.fixture
def database_url(tmp_path: Path, migrated: Migrated) -> Iterator[str]:
    """A database URL whose schema is at head and belongs to this test alone."""
    with own_database(tmp_path, migrated) as url:
        yield url


def make_app(database_url: str, tmp_path: Path, **overrides: Any) -> Flask:
    """An app on ``database_url``, whose schema the ``database_url`` fixture put at head."""
    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": database_url,
                      **overrides})
    app.instance_path = str(tmp_path / "instance")
    return app


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """A fresh application on a freshly migrated database; every page and problem it
    answers during the test is read for raw keys and ids (see tests/words.py)."""
    from tests.words import RawWords

    application = make_app(database_url, tmp_path)
    watch = RawWords(application)
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()
    watch.check()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client for ``app``."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    """A CLI runner for ``app``."""
    return app.test_cli_runner()


@pytest.fixture
def tokens(app: Flask) -> dict[str, str]:
    """One token per role."""
    return make_tokens(app)


def make_tokens(app: Flask) -> dict[str, str]:
    """One token per role, stored in ``app``'s database."""
    from allocator.services.tokens import create_token

    with app.app_context():
        return {role: create_token(role, f"test-{role}") for role in
                ("organizer", "desk", "viewer")}


def bearer(token: str) -> dict[str, str]:
    """Authorization header for ``token``."""
    return {"Authorization": f"Bearer {token}"}


# Next February: an event that has not happened yet, so well inside its retention period.
YEAR = dt.date.today().year + 1
EVENT = {
    "name": "Building the Bridges",
    "starts_at": f"{YEAR}-02-15T09:30:00",
    "ends_at": f"{YEAR}-02-15T12:30:00",
    "timezone": "Europe/Vienna",
    "venue": "Vienna International Centre",
}
THEMES = [
    {"key": "structured-cooperation", "title": "Structured Cooperation"},
    {"key": "information-sharing", "title": "Information Sharing"},
    {"key": "non-traditional-stakeholders", "title": "Non-Traditional Stakeholders"},
]


@pytest.fixture
def event(client: FlaskClient, tokens: dict[str, str]) -> dict[str, Any]:
    """An event with the aide-memoire's three themes and one group per theme."""
    org = bearer(tokens["organizer"])
    created = client.post("/api/events", json=EVENT, headers=org)
    assert created.status_code == 201, created.json
    event_id = created.json["id"]
    for theme in THEMES:
        r = client.post(f"/api/events/{event_id}/themes", json=theme, headers=org)
        assert r.status_code == 201, r.json
    groups = []
    for number, theme in enumerate(THEMES, start=1):
        r = client.post(f"/api/events/{event_id}/groups", headers=org, json={
            "name": f"WG{number}", "theme": theme["key"], "room": f"Room {number}",
            "capacity": 35})
        assert r.status_code == 201, r.json
        groups.append(r.json)
    return {**created.json, "groups": groups}


def person(**fields: Any) -> dict[str, Any]:
    """A valid registration body, with ``fields`` overriding the defaults."""
    body = {
        "full_name": "Erika Mustermann",
        "email": "erika@example.org",
        "organization": "Ministry of the Interior",
        "sector": "government",
        "country": "AT",
        "gender": "female",
        "preferences": ["information-sharing", "structured-cooperation"],
        "consent": True,
    }
    body.update(fields)
    return body


# --- a real gunicorn on the test's own database ---------------------------------------

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    """A running gunicorn: its base URL, process and log file."""

    url: str
    process: subprocess.Popen
    log: Path

    def logged(self) -> str:
        """Everything gunicorn and the app wrote so far."""
        return self.log.read_text(errors="replace")


@pytest.fixture
def start_server(app, database_url, tmp_path) -> Iterator[Callable[..., Server]]:
    """Start gunicorn (4 workers) on the test's migrated database; stopped afterwards.

    With ``--preload`` (config/gunicorn.conf.py is read as in production): the app is
    imported once and the workers forked from it, ready in about a second; four workers
    each importing it on two cores took 3-6 s before every test could start. The app
    opens no database connection while it is made, so the workers share none."""
    started: list[Server] = []

    def start(**env: str) -> Server:
        port = free_port()
        log = tmp_path / f"gunicorn-{port}.log"
        environment = {**os.environ, "ALLOCATOR_ENV": "testing", "DATABASE_URL": database_url,
                       "PORT": str(port), "PUBLIC_URL": f"http://127.0.0.1:{port}",
                       "WEB_CONCURRENCY": "4", "GUNICORN_CMD_ARGS": "--preload",
                       "ALLOCATOR_INSTANCE_PATH": str(tmp_path / "instance"), **env}
        process = subprocess.Popen(
            [str(BIN / "gunicorn"), "--config", "config/gunicorn.conf.py", "wsgi:app"],
            cwd=ROOT, env=environment, stdout=log.open("w"), stderr=subprocess.STDOUT,
            start_new_session=True)  # a process group of its own, ended as one (below)
        server = Server(f"http://127.0.0.1:{port}", process, log)
        started.append(server)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{server.url}/livez", timeout=1).status_code == 200:
                    return server
            except requests.RequestException:
                time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not start:\n{server.logged()}")

    yield start
    for server in started:
        # The test is over: gunicorn, its workers and what they started end at once (a
        # graceful or quick shutdown waits 1.5 s for the master's loop, in every test)
        try:
            os.killpg(server.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        server.process.wait(timeout=20)


@pytest.fixture
def smtp(app: Flask) -> Iterator[Any]:
    """A real SMTP server on loopback, set as the app's SMTP_URL (see tests/mail/smtp.py)."""
    from tests.mail.smtp import SmtpServer

    server = SmtpServer()
    server.start()
    app.config["SMTP_URL"] = server.url
    app.config["MAIL_FROM"] = "Workshop desk <desk@workshop.example>"
    yield server
    server.stop()
