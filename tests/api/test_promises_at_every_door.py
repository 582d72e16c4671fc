"""The faults that showed one promise kept at one door and forgotten at the next, each
with its siblings: the same promise asked through every other door."""

from __future__ import annotations

import csv
import io

import pytest

from allocator.extensions import db
from allocator.models import Participant
from tests.support.factories import gate_world, make_event, register, token
from tests.support.http import bearer, person, sign_in


def _rows(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))[1:]


@pytest.fixture
def world(app):
    return gate_world(app)


def test_a_facilitator_of_one_group_gets_that_group_s_list_at_every_door(app, client, world):
    """Example 1: the page download gave a group's facilitator every group's list."""
    mine = world.a["groups"][0]
    members = {p.name for p in world.people if p.group == mine and p.status == "registered"}
    others = {p.name for p in world.people if p.event == "A" and p.group not in (None, mine)}
    fac = world.tokens["facilitator_of_group"]
    base = f"/api/events/{world.a['id']}"
    pages = app.test_client()
    sign_in(pages, fac)
    answers = [client.get(f"{base}/groups.csv", headers=bearer(fac)),
               client.get(f"{base}/groups/{mine}.csv", headers=bearer(fac)),
               pages.get(f"/events/{world.a['id']}/runs/{world.ids['a_run']}/groups.csv")]
    for answer in answers:
        assert answer.status_code == 200
        names = {row[4] for row in _rows(answer.data)}
        assert names == members and not names & others
    # the run in the page's address is read, for everyone: no run, no list; a draft is
    # the organisers'
    assert pages.get(f"/events/{world.a['id']}/runs/999/groups.csv").status_code == 404
    assert pages.get(f"/events/{world.a['id']}/runs/{world.ids['a_draft']}/groups.csv"
                     ).status_code == 403
    assert pages.get(f"/events/{world.a['id']}/runs/{world.ids['b_run']}/groups.csv"
                     ).status_code == 404
    other = world.a["groups"][1]
    assert client.get(f"{base}/groups/{other}.csv", headers=bearer(fac)).status_code == 403
    assert pages.get(f"/events/{world.a['id']}/groups/{other}/sign-in-sheet.pdf"
                     ).status_code == 403


def test_a_retried_registration_never_brings_an_erased_person_back(app, client, tokens,
                                                                   event):
    """Example 2: erasure deleted the stored answers, so the replay ran as new."""
    base = f"/api/events/{event['id']}"
    desk = {**bearer(tokens["desk"]), "Idempotency-Key": "desk1-0001"}
    body = person(full_name="Jana Example", email="jana@example.org",
                  organization="Labour Inspectorate")
    first = client.post(f"{base}/participants", json=body, headers=desk)
    assert first.status_code == 201
    erased = client.post(f"{base}/participants/{first.json['id']}/erase",
                         headers=bearer(tokens["organizer"]))
    assert erased.status_code == 200
    again = client.post(f"{base}/participants", json=body, headers=desk)
    assert again.status_code == 410 and again.content_type == "application/problem+json"
    text = again.get_data(as_text=True)
    assert "Jana" not in text and "jana@example.org" not in text and "Labour" not in text
    # and it stays so, however often it is retried; nothing was stored again
    assert client.post(f"{base}/participants", json=body, headers=desk).status_code == 410
    with app.app_context():
        names = db.session.scalars(db.select(Participant.full_name)).all()
    assert "Jana Example" not in names
    # a new request (a new key) is a new registration: the desk meant it
    fresh = client.post(f"{base}/participants", json=body,
                        headers={**desk, "Idempotency-Key": "desk1-0002"})
    assert fresh.status_code == 201 and fresh.json["id"] != first.json["id"]


def test_a_replayed_scan_and_a_replayed_check_in_of_an_erased_person_are_gone(
        app, client, tokens, event):
    """Siblings of example 2: the other replayable writes about a person."""
    base = f"/api/events/{event['id']}"
    desk = bearer(tokens["desk"])
    pid = client.post(f"{base}/participants", json=person(), headers=desk).json["id"]
    check_in = {**desk, "Idempotency-Key": "check-in-1"}
    assert client.post(f"{base}/participants/{pid}/check-in", headers=check_in
                       ).status_code == 200
    client.post(f"{base}/participants/{pid}/erase", headers=bearer(tokens["organizer"]))
    replay = client.post(f"{base}/participants/{pid}/check-in", headers=check_in)
    assert replay.status_code == 410 and "Erika" not in replay.get_data(as_text=True)


def test_a_purged_event_s_replays_are_gone_too(app, client, tokens, event, runner):
    base = f"/api/events/{event['id']}"
    desk = {**bearer(tokens["desk"]), "Idempotency-Key": "before-purge"}
    body = person(full_name="Purged Person", email="purged@example.org")
    assert client.post(f"{base}/participants", json=body, headers=desk).status_code == 201
    with app.app_context():
        from allocator.models import Event
        from allocator.services.privacy import purge_expired

        found = db.session.get(Event, event["id"])
        found.retention_days = 0
        found.starts_at = found.starts_at.replace(year=2000)
        found.ends_at = found.ends_at.replace(year=2000)
        db.session.commit()
        assert purge_expired()["events"] == 1
    again = client.post(f"{base}/participants", json=body, headers=desk)
    assert again.status_code == 410 and "Purged" not in again.get_data(as_text=True)


def test_an_organisation_shows_only_with_consent_on_every_document(app, client, world):
    """Example 3: hidden on badges and sign-in sheets, shown on the facilitator's list."""
    from tests.support.documents import text_of

    mine = world.a["groups"][0]
    in_group = [p for p in world.people if p.group == mine and p.status == "registered"]
    shown = {p.organization for p in in_group if p.shows_organization}
    hidden = {p.organization for p in in_group if not p.shows_organization}
    assert shown and hidden
    fac = bearer(world.tokens["facilitator_of_group"])
    base = f"/api/events/{world.a['id']}"
    answers = [client.get(f"{base}/groups/{mine}.csv", headers=fac),
               client.get(f"{base}/groups.xlsx", headers=fac),
               client.get(f"{base}/groups/{mine}/sign-in-sheet.pdf", headers=fac),
               client.get(f"{base}/groups/{mine}/sign-in-sheet.pdf",
                          headers=bearer(world.tokens["organizer"])),
               client.get(f"{base}/badges.pdf?group={mine}",
                          headers=bearer(world.tokens["organizer"]))]
    for answer in answers:
        assert answer.status_code == 200
        text = "".join(text_of(answer.content_type, answer.data).split())
        for organisation in shown:
            assert "".join(organisation.split()) in text, answer.content_type
        for organisation in hidden:
            assert "".join(organisation.split()) not in text, answer.content_type
    # the staff's own lists show every organisation: they run the registration
    staff = client.get(f"{base}/groups/{mine}.csv", headers=bearer(world.tokens["desk"]))
    assert {row[5] for row in _rows(staff.data)} >= shown | hidden


def test_columns_only_staff_see_are_refused_to_anyone_else_in_words(app, client, world):
    base = f"/api/events/{world.a['id']}"
    for caller in ("viewer", "facilitator_of_event", "facilitator_of_group"):
        for column in ("email", "gender"):
            answer = client.get(f"{base}/groups.csv?columns=full_name,{column}",
                                headers=bearer(world.tokens[caller]))
            assert answer.status_code == 403, (caller, column)
            assert "only organisers and the desk" in answer.json["detail"]
    desk = client.get(f"{base}/groups.csv?columns=full_name,email",
                      headers=bearer(world.tokens["desk"]))
    assert desk.status_code == 200 and "qzmail.a00@example.org" in desk.get_data(as_text=True)


def test_the_cli_exports_as_the_operator_and_says_why_not_in_a_line(app, runner, tmp_path):
    with app.test_request_context():
        event = make_event()
        register(event["id"])
        token("viewer", "someone")
    refused = runner.invoke(args=["export-groups", str(event["id"]), "-o", str(tmp_path)])
    assert refused.exit_code == 1
    assert "Error: No allocation has been published for this event yet." in refused.output
    missing = runner.invoke(args=["export-groups", "999", "-o", str(tmp_path)])
    assert missing.exit_code == 1 and "Event 999 was not found." in missing.output


def test_a_facilitator_s_first_page_is_their_own_group(app, world):
    pages = app.test_client()
    sign_in(pages, world.tokens["facilitator_of_group"])
    start = pages.get("/")
    assert start.status_code == 302
    landed = pages.get(start.headers["Location"], follow_redirects=True)
    assert landed.status_code == 200
    assert landed.request.path == (f"/events/{world.a['id']}/groups/{world.a['groups'][0]}"
                                   "/recommendations")
