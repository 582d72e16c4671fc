"""A Python client generated from /api/openapi.json (openapi-python-client, pinned in
requirements-dev.txt, with docs/openapi-python-client.yaml) does the desk's job alone,
against gunicorn: set up an event, register someone with an Idempotency-Key (the retry
gets the same answer, nobody is registered twice), search, check in, allocate, publish
and download the group list."""

from __future__ import annotations

import csv
import importlib
import io
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
import requests

from allocator.services.exports import DEFAULT_COLUMNS, HEADERS
from tests.conftest import BIN, EVENT, ROOT, THEMES, person

pytestmark = pytest.mark.slow

PACKAGE = "allocator_client"
CONFIG = ROOT / "docs" / "openapi-python-client.yaml"


def generate(url: str, folder: Path) -> None:
    """Fetch the document from ``url`` and generate the client package into ``folder``."""
    answer = requests.get(f"{url}/api/openapi.json", timeout=30)
    assert answer.status_code == 200, answer.text
    spec = folder / "spec.json"
    spec.write_bytes(answer.content)
    result = subprocess.run(
        [str(BIN / "openapi-python-client"), "generate", "--path", str(spec),
         "--output-path", str(folder / PACKAGE), "--meta", "none", "--config", str(CONFIG)],
        capture_output=True, text=True, timeout=600, cwd=folder,
        env={**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"})
    said = result.stdout + result.stderr
    assert result.returncode == 0, said
    # Every operation made it into the client whole: nothing skipped, nothing left out.
    assert "WARNING" not in said and "Unsupported" not in said, said


@pytest.fixture
def generated(start_server, tmp_path, monkeypatch) -> Iterator[tuple[str, ModuleType]]:
    """The server's URL and the client package generated from its document."""
    server = start_server()
    generate(server.url, tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield server.url, importlib.import_module(PACKAGE)
    for name in [n for n in sys.modules if n == PACKAGE or n.startswith(f"{PACKAGE}.")]:
        del sys.modules[name]


def call(name: str) -> ModuleType:
    """The generated module of one operation, e.g. ``participants.register_participant``."""
    return importlib.import_module(f"{PACKAGE}.api.{name}")


def test_a_generated_client_does_the_desks_job(generated, tokens):
    url, package = generated
    models = importlib.import_module(f"{PACKAGE}.models")
    org = package.AuthenticatedClient(base_url=url, token=tokens["organizer"],
                                      raise_on_unexpected_status=True)
    desk = package.AuthenticatedClient(base_url=url, token=tokens["desk"],
                                       raise_on_unexpected_status=True)

    # The organisers set the event up.
    event = call("events.create_event").sync(client=org, body=models.EventIn.from_dict(EVENT))
    assert isinstance(event, models.EventOut), event
    for number, theme in enumerate(THEMES, start=1):
        made = call("themes.create_theme").sync(client=org, event_id=event.id,
                                                body=models.ThemeIn.from_dict(theme))
        assert isinstance(made, models.ThemeOut), made
        group = call("groups.create_group").sync(
            client=org, event_id=event.id, body=models.GroupIn(
                name=f"WG{number}", theme=theme["key"], room=f"Room {number}", capacity=35))
        assert isinstance(group, models.GroupOut), group

    # The desk registers a walk-up; the Wi-Fi drops and the same request is sent again.
    register = call("participants.register_participant")
    walk_up = models.ParticipantIn.from_dict(person())
    key = f"desk1-{uuid.uuid4()}"
    first = register.sync_detailed(client=desk, event_id=event.id, body=walk_up,
                                   idempotency_key=key)
    again = register.sync_detailed(client=desk, event_id=event.id, body=walk_up,
                                   idempotency_key=key)
    assert first.status_code == again.status_code == 201
    assert isinstance(first.parsed, models.ParticipantOut), first.parsed
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.parsed == first.parsed
    # The same key for another request is refused with a problem document.
    other = register.sync(client=desk, event_id=event.id, idempotency_key=key,
                          body=models.ParticipantIn.from_dict(person(email="x@example.org")))
    assert isinstance(other, models.Problem) and other.status == 422, other
    second = register.sync(client=desk, event_id=event.id, body=models.ParticipantIn.from_dict(
        person(full_name="Max Muster", email="max@example.org")))
    assert isinstance(second, models.ParticipantOut), second

    # Search: the walk-up is there once.
    search = call("participants.list_participants")
    found = search.sync(client=desk, event_id=event.id, q="Mustermann")
    assert isinstance(found, models.ParticipantPage), found
    assert found.total == 1 and [p.id for p in found.items] == [first.parsed.id]
    assert search.sync(client=desk, event_id=event.id).total == 2

    # Check-in: every field of the answer is there (required), checked_in_at set.
    checked = call("participants.check_in_participant").sync(
        client=desk, event_id=event.id, participant_id=first.parsed.id,
        idempotency_key=f"desk1-{uuid.uuid4()}")
    assert isinstance(checked, models.ParticipantOut), checked
    assert checked.checked_in_at is not None and checked.status == "checked_in"

    # The organisers allocate and publish.
    run = call("allocations.run_allocation").sync(client=org, event_id=event.id,
                                                  body=models.AllocationIn())
    assert isinstance(run, models.RunOut), run
    published = call("allocations.publish_allocation_run").sync(
        client=org, event_id=event.id, run_id=run.id)
    assert isinstance(published, models.RunOut) and published.published, published

    # The desk downloads the group list: a CSV with its header row and both people.
    download = call("exports.download_groups_csv").sync(client=desk, event_id=event.id)
    body = download.payload.read()
    assert body
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == [HEADERS[column] for column in DEFAULT_COLUMNS]
    assert sorted(row[DEFAULT_COLUMNS.index("full_name")] for row in rows[1:]) == [
        "Erika Mustermann", "Max Muster"]
