"""Heavy documents never hold the desk: built once per content, one build at a time, the
others told when to ask again; kept encrypted; gone with an erasure."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, insert, select, update

from allocator.access import Principal
from allocator.extensions import db
from allocator.models import AuditEntry, Document, utcnow
from tests.support.factories import make_event, publish_allocation, register, token
from tests.support.http import bearer, sign_in


@pytest.fixture
def workshop(app):
    """An event with people in a published allocation and an adopted recommendation."""
    from allocator.services import recommendations
    from allocator.services.events import get_event

    with app.test_request_context():
        event = make_event()
        for n in range(6):
            register(event["id"], full_name=f"Person {n}", email=f"p{n}@example.org",
                     badge_shows_organization=True, organization=f"Organisation {n}")
        publish_allocation(event["id"])
        recommendation = recommendations.create(
            get_event(event["id"]), event["groups"][0],
            {"title": "One contact point", "text": "Set up **one** contact point.",
             "status": "adopted"}, Principal.system())
        organiser = token("organizer", "documents-organiser")
    return {**event, "recommendation": recommendation.id, "token": organiser}


def builds(app, key: str) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "document.built", AuditEntry.subject_id == key))


DOCUMENTS = ["report.pdf", "report.docx", "badges.pdf", "badges.pdf?layout=label",
             "groups/{group}/sign-in-sheet.pdf"]
KEYS = ["report.pdf", "report.docx", "badges-a4-all", "badges-label-all", "sign-in-sheet-{group}"]


@pytest.mark.parametrize(("path", "key"), list(zip(DOCUMENTS, KEYS, strict=True)))
def test_a_document_is_built_once_per_content_and_again_when_it_changes(
        app, client, workshop, path, key):
    group = workshop["groups"][0]
    path, key = path.format(group=group), key.format(group=group)
    org = bearer(workshop["token"])
    url = f"/api/events/{workshop['id']}/{path}"
    first = client.get(url, headers=org)
    assert first.status_code == 200
    again = client.get(url, headers=org)
    assert again.status_code == 200 and again.data == first.data
    assert builds(app, key) == 1
    # what the document shows changes: a new build, with the new content
    client.patch(f"/api/events/{workshop['id']}", headers=org, json={"name": "Renamed Forum"})
    changed = client.get(url, headers=org)
    assert changed.status_code == 200 and changed.data != first.data
    assert builds(app, key) == 2


def test_stored_documents_are_encrypted_and_an_erasure_deletes_them(app, client, workshop):
    org = bearer(workshop["token"])
    base = f"/api/events/{workshop['id']}"
    badge = client.get(f"{base}/badges.pdf", headers=org)
    assert badge.status_code == 200 and badge.data.startswith(b"%PDF")
    with app.app_context():
        stored = db.session.scalars(select(Document.body)).all()
    assert stored and all(b"%PDF" not in body and b"Person" not in body for body in stored)
    people = client.get(f"{base}/participants", headers=org).json["items"]
    assert client.post(f"{base}/participants/{people[0]['id']}/erase",
                       headers=org).status_code == 200
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Document)) == 0
    after = client.get(f"{base}/badges.pdf", headers=org)
    assert after.status_code == 200 and after.data != badge.data


def _claim_elsewhere(app, event_id: int, key: str, seconds: float = 60) -> None:
    """Someone else (another worker) is building ``key`` now."""
    with app.app_context():
        db.session.execute(insert(Document).values(
            event_id=event_id, key=key, digest="0" * 64, state="building",
            lease_until=utcnow() + dt.timedelta(seconds=seconds), built_at=utcnow()))
        db.session.commit()


def test_while_a_document_is_built_elsewhere_the_api_says_when_to_ask_again(
        app, client, workshop):
    org = bearer(workshop["token"])
    _claim_elsewhere(app, workshop["id"], "report.pdf")
    busy = client.get(f"/api/events/{workshop['id']}/report.pdf", headers=org)
    assert busy.status_code == 503 and busy.content_type == "application/problem+json"
    assert 1 <= int(busy.headers["Retry-After"]) <= 10
    assert busy.json["type"] == "/problems/being-prepared"
    assert "being prepared" in busy.json["detail"]
    # another document is not held by it... unless every builder is busy
    app.config["DOCUMENT_BUILDERS"] = 1
    other = client.get(f"/api/events/{workshop['id']}/report.docx", headers=org)
    assert other.status_code == 503
    app.config["DOCUMENT_BUILDERS"] = 2
    assert client.get(f"/api/events/{workshop['id']}/report.docx",
                      headers=org).status_code == 200
    # a build whose worker died holds nothing once its lease has passed
    with app.app_context():
        db.session.execute(update(Document).where(Document.key == "report.pdf").values(
            lease_until=utcnow() - dt.timedelta(seconds=1)))
        db.session.commit()
    assert client.get(f"/api/events/{workshop['id']}/report.pdf",
                      headers=org).status_code == 200


def test_a_page_download_being_prepared_asks_again_by_itself(app, client, workshop):
    sign_in(client, workshop["token"])
    _claim_elsewhere(app, workshop["id"], "report.pdf")
    page = client.get(f"/events/{workshop['id']}/report.pdf")
    assert page.status_code == 503 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="' in html and "asks again by itself" in html
    assert page.headers["Retry-After"]


def test_a_word_longer_than_a_line_is_wrapped_not_cut(app, client, workshop, tmp_path):
    """What a reader sees of the page (poppler's pdftotext keeps only what lies on it)."""
    import subprocess

    org = bearer(workshop["token"])
    base = f"/api/events/{workshop['id']}"
    word = "x" * 3000 + "END"
    current = client.get(f"{base}/recommendations/{workshop['recommendation']}", headers=org)
    changed = client.patch(f"{base}/recommendations/{workshop['recommendation']}",
                           headers={**org, "If-Match": current.headers["ETag"]},
                           json={"text": word})
    assert changed.status_code == 200
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(client.get(f"{base}/report.pdf", headers=org).data)
    seen = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    # wrapped anywhere in the word (across pages too), every character of it is printed
    assert seen.count("x") == 3000 and "END" in "".join(seen.split())


def test_a_long_word_in_a_table_cell_is_wrapped_not_cut(app, client, workshop, tmp_path):
    """The participation table's cells wrap a word wider than the page (a group named
    without spaces) instead of widening the table past the page's edge."""
    import subprocess

    org = bearer(workshop["token"])
    base = f"/api/events/{workshop['id']}"
    name = "y" * 150 + "END"
    renamed = client.patch(f"{base}/groups/{workshop['groups'][0]}", headers=org,
                           json={"name": name})
    assert renamed.status_code == 200, renamed.json
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(client.get(f"{base}/report.pdf", headers=org).data)
    seen = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "".join(seen.split()).count(name) >= 1, seen[-2000:]
