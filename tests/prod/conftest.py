"""A real gunicorn serving the test's own database, and a real RQ worker."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
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
    """Start gunicorn (4 workers) on the test's migrated database; stopped afterwards."""
    started: list[Server] = []

    def start(**env: str) -> Server:
        port = free_port()
        log = tmp_path / f"gunicorn-{port}.log"
        environment = {**os.environ, "ALLOCATOR_ENV": "testing", "DATABASE_URL": database_url,
                       "PORT": str(port), "WEB_CONCURRENCY": "4",
                       "ALLOCATOR_INSTANCE_PATH": str(tmp_path / "instance"), **env}
        process = subprocess.Popen(
            [str(BIN / "gunicorn"), "--config", "config/gunicorn.conf.py", "wsgi:app"],
            cwd=ROOT, env=environment, stdout=log.open("w"), stderr=subprocess.STDOUT)
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
        server.process.terminate()
        try:
            server.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.process.kill()
