"""Privacy promises that hold through every write path, API and pages alike.

An erasure is final: nothing is written to an erased person again. A purged event (or one
whose retention period has passed) takes no more personal data, and a purge run catches
anything that got in regardless. Each test walks *every* route that changes data, so a
route added later without the guard fails here.
"""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from allocator.extensions import db
from allocator.models import Event, Participant
from allocator.services.privacy import purge_expired
from tests.conftest import bearer, person
from tests.support.http import csrf, sign_in
from tests.support.writes import CSV_ROW, api_writes

# Allowed on a closed event: they take data away, never add any.
REMOVALS = {("POST", "participants.Erase"), ("DELETE", "rules.RuleItem"),
            ("DELETE", "allocations.RunItem"), ("DELETE", "team.Member"),
            ("DELETE", "team.Token")}
# The writes that name one person (the erased one, in the erasure test).
ABOUT_THE_PERSON = {("PATCH", "participants.ParticipantItem"),
                    ("DELETE", "participants.ParticipantItem"),
                    ("POST", "participants.CheckIn"), ("DELETE", "participants.CheckIn"),
                    ("POST", "rules.RuleList"), ("PATCH", "allocations.Move"),
                    ("POST", "late.Place"), ("POST", "invitations.Invitations"),
                    ("POST", "tickets.Ticket")}


def event_writes(app) -> set[tuple[str, str]]:
    """(method, endpoint) of every API route under one event that changes something."""
    found = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/events/<int:event_id>"):
            for method in rule.methods - {"GET", "HEAD", "OPTIONS"}:
                found.add((method, rule.endpoint))
    return found


def _names_in_database(app) -> set[str]:
    with app.app_context():
        return set(db.session.scalars(select(Participant.full_name)))


def test_every_write_route_is_walked(app, world):
    assert event_writes(app) == set(api_writes(world))


def _purge_now(app, event_id: int) -> None:
    """Time-travel past the event's retention and run the daily purge."""
    with app.app_context():
        event = db.session.get(Event, event_id)
        later = event.ends_at + dt.timedelta(days=event.retention_days + 1)
        assert purge_expired(later)["events"] == 1


def test_a_purged_event_refuses_every_write_of_personal_data(app, client, tokens, world):
    org = bearer(tokens["organizer"])
    _purge_now(app, world["event_id"])
    # removals last: they must not take away what the other requests aim at
    for (method, endpoint), (url, kwargs) in sorted(
            api_writes(world).items(), key=lambda item: (item[0] in REMOVALS, item[0])):
        r = client.open(url, method=method, headers=org, **kwargs)
        if (method, endpoint) in REMOVALS:
            assert r.status_code in (200, 204, 404), (endpoint, r.status_code, r.data)
            continue
        assert r.status_code == 409, (method, endpoint, r.status_code, r.data)
        assert r.content_type == "application/problem+json"
        assert r.json["type"] == "/problems/event-purged", endpoint
        assert "erased on" in r.json["detail"] and "no more registrations" in r.json["detail"]
    assert "Written Back" not in _names_in_database(app)
    assert "Late Import" not in _names_in_database(app)
    assert _names_in_database(app) == {"Erased participant"}


def test_an_expired_event_refuses_writes_before_the_purge_runs(app, client, tokens, world):
    org = bearer(tokens["organizer"])
    with app.app_context():  # the event ended long ago; its 90 days are over
        db.session.execute(update(Event).where(Event.id == world["event_id"]).values(
            starts_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=100, hours=3),
            ends_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=100), retention_days=90))
        db.session.commit()
    for (method, endpoint), (url, kwargs) in sorted(api_writes(world).items()):
        if (method, endpoint) in REMOVALS:
            continue
        r = client.open(url, method=method, headers=org, **kwargs)
        assert r.status_code == 409 and r.json["type"] == "/problems/event-expired", endpoint
        assert "retention period ended" in r.json["detail"]
    # reading stays possible until the purge (people's right of access)
    base = f"/api/events/{world['event_id']}"
    assert client.get(f"{base}/participants/{world['participant_id']}/export",
                      headers=org).status_code == 200
    assert "Written Back" not in _names_in_database(app)


def test_a_purge_run_catches_anything_that_got_in(app, client, tokens, world, runner):
    _purge_now(app, world["event_id"])
    with app.app_context():  # as an earlier version let happen: a row slips in
        db.session.execute(insert(Participant).values(
            event_id=world["event_id"], full_name="Slipped In", email="slipped@example.org",
            organization="Somewhere", sector="government", role="participant",
            status="registered", consent=True, consent_at=dt.datetime.now(dt.UTC),
            consent_version="x", search_key="slipped in", created_at=dt.datetime.now(dt.UTC),
            updated_at=dt.datetime.now(dt.UTC)))
        db.session.commit()
        first_purge = db.session.get(Event, world["event_id"]).purged_at
    dry = runner.invoke(args=["purge-expired", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "1 participant(s) would be erased (again" in dry.output
    assert "Slipped In" in _names_in_database(app)  # a dry run changes nothing
    result = runner.invoke(args=["purge-expired"])
    assert "purged 1 event(s), 1 participant(s)" in result.output
    assert _names_in_database(app) == {"Erased participant"}
    with app.app_context():
        assert db.session.get(Event, world["event_id"]).purged_at == first_purge
    assert "purged 0 event(s)" in runner.invoke(args=["purge-expired"]).output


def test_an_erasure_is_final_on_every_path(app, client, tokens, world):
    org = bearer(tokens["organizer"])
    base = f"/api/events/{world['event_id']}"
    pid = world["participant_id"]
    erased = client.post(f"{base}/participants/{pid}/erase", headers=org)
    assert erased.status_code == 200
    writes = api_writes(world)
    for key in sorted(ABOUT_THE_PERSON):
        url, kwargs = writes[key]
        for token in ("organizer", "desk"):
            r = client.open(url, method=key[0], headers=bearer(tokens[token]), **kwargs)
            if r.status_code == 403:
                continue  # the desk may not write rules or moves at all
            assert r.status_code == 409, (key, token, r.status_code, r.data)
            assert r.json["type"] == "/problems/erased", key
            assert "erased on" in r.json["detail"]
    # a second erasure is harmless and leaves the record anonymous
    again = client.post(f"{base}/participants/{pid}/erase", headers=org)
    assert again.status_code == 200 and again.json["full_name"] == "Erased participant"
    after = client.get(f"{base}/participants/{pid}", headers=org).json
    assert after["full_name"] == "Erased participant" and after["status"] == "withdrawn"
    assert "Written Back" not in _names_in_database(app)
    # registering the person anew is a new record with fresh consent, not the old one
    anew = client.post(f"{base}/participants", headers=org, json=person(
        email=after["email"].replace("erased", "back"), full_name="Came Back"))
    assert anew.status_code in (201, 422) and anew.json.get("id") != pid


def test_the_database_itself_keeps_an_erased_row_anonymous(app, client, tokens, world):
    base = f"/api/events/{world['event_id']}"
    pid = world["participant_id"]
    client.post(f"{base}/participants/{pid}/erase", headers=bearer(tokens["organizer"]))
    with app.app_context():
        for values in ({"full_name": "Written Back"}, {"country": "AT"},
                       {"email": "written.back@example.org"}, {"search_key": "written"}):
            with pytest.raises(IntegrityError):
                db.session.execute(update(Participant).where(Participant.id == pid)
                                   .values(**values))
                db.session.flush()
            db.session.rollback()


def web_posts(world: dict) -> list[tuple[str, dict]]:
    """Every page form that changes data under one event, with plausible fields."""
    e, pid, gid = world["event_id"], world["participant_id"], world["group_id"]
    return [
        (f"/events/{e}/desk/{pid}/check-in", {}),
        (f"/events/{e}/desk/register", {
            "full_name": "Written Back", "email": "written.back@example.org",
            "organization": "X", "sector": "government", "consent": "yes"}),
        (f"/events/{e}/setup/event", {"name": "Renamed", "venue": "Elsewhere"}),
        (f"/events/{e}/setup/themes", {"key": "n", "title": "N"}),
        (f"/events/{e}/setup/themes/t", {"title": "Renamed"}),
        (f"/events/{e}/setup/groups", {"name": "G2", "theme": "t", "capacity": "5",
                                       "min_size": "0"}),
        (f"/events/{e}/setup/groups/{gid}", {"name": "G", "theme": "t", "capacity": "6",
                                              "min_size": "0"}),
        (f"/events/{e}/rules", {"kind": "pin", "participant_id": f"Someone — X · #{pid}",
                                "group_id": str(gid), "note": "Written Back"}),
        (f"/events/{e}/allocate", {"time_limit_s": "5"}),
        (f"/events/{e}/runs/{world['draft_run_id']}/move", {
            "participant_id": f"Someone — X · #{pid}", "group_id": str(gid)}),
        (f"/events/{e}/runs/{world['draft_run_id']}/publish", {}),
        (f"/events/{e}/people/{pid}/edit", {
            "full_name": "Written Back", "email": "written.back@example.org",
            "organization": "X", "sector": "government"}),
        (f"/events/{e}/people/{pid}/withdraw", {}),
        (f"/events/{e}/setup/sectors", {"label-government": "Public authorities",
                                        "new_label": "Trade unions"}),
        (f"/events/{e}/late-arrivals/{pid}/place", {"back": "person"}),
        (f"/events/{e}/import", {"action": "import", "on_existing": "update",
                                 "file": (io.BytesIO(CSV_ROW), "people.csv")}),
        (f"/events/{e}/invitations/invitees", {"full_name": "Written Back",
                                               "email": "written.back@example.org"}),
        (f"/events/{e}/invitations/send", {"participant_id": str(pid)}),
        (f"/events/{e}/invitations/{pid}/revoke", {}),
        (f"/events/{e}/notifications", {"kind": "groups"}),
        (f"/events/{e}/groups/{gid}/recommendations", {"title": "Written Back"}),
        (f"/events/{e}/recommendations/{world['recommendation_id']}", {
            "title": "Written Back", "version": "1"}),
        (f"/events/{e}/recommendations/{world['recommendation_id']}/move", {
            "direction": "up"}),
        (f"/events/{e}/groups/{gid}/recommendations/lock", {"locked": "1"}),
        (f"/events/{e}/report/summary", {"report_summary": "Written Back"}),
        (f"/events/{e}/report/release", {"released": "1"}),
        (f"/events/{e}/desk/scan", {"code": world["ticket"]}),
        (f"/events/{e}/desk/{pid}/ticket", {}),
        (f"/events/{e}/team", {"name": "Written Back", "email": "written.back@example.org",
                               "role": "desk"}),
        (f"/events/{e}/team/1/link", {}),
        (f"/events/{e}/tokens", {"name": "written-back", "role": "desk"}),
        (f"/events/{e}/programme", {"starts_at": "09:30", "ends_at": "09:40",
                                    "title": "Written Back", "kind": "talk"}),
        (f"/events/{e}/programme/1", {"starts_at": "09:30", "ends_at": "09:40",
                                      "title": "Written Back", "kind": "talk"}),
        (f"/events/{e}/groups/{gid}/summary", {"text": "Written Back", "version": "0"}),
    ]


# Forms that POST only to keep a search out of the address bar: they write no data.
SEARCHES = {"/events/N/desk", "/events/N/desk/results"}


def test_every_page_form_is_walked(app, world):
    walked = {re.sub(r"\d+", "N", url) for url, _ in web_posts(world)} | SEARCHES
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("web.") and "POST" in rule.methods \
                and "<int:event_id>" in rule.rule and not rule.rule.endswith("/delete"):
            routes.add(re.sub(r"<[^>]+>", "N", rule.rule).replace("/themes/N", "/themes/t"))
    assert walked == routes


def test_page_forms_on_a_purged_event_say_why_and_store_nothing(app, client, tokens, world):
    _purge_now(app, world["event_id"])
    sign_in(client, tokens["organizer"])
    e = world["event_id"]
    for url, form in web_posts(world):
        page = client.get(f"/events/{e}/desk" if "/desk" in url else f"/events/{e}/setup")
        token = csrf(page.get_data(as_text=True))
        r = client.post(url, data={**form, "csrf_token": token}, follow_redirects=True)
        assert r.status_code in (200, 409, 422), (url, r.status_code)
        assert "no more registrations or changes" in r.get_data(as_text=True), url
    assert _names_in_database(app) == {"Erased participant"}
    with app.app_context():
        assert db.session.get(Event, e).name != "Renamed"


def test_an_erasure_clears_when_the_person_arrived(app, client, tokens, world):
    org = bearer(tokens["organizer"])
    base = f"/api/events/{world['event_id']}"
    pid = world["participant_id"]
    assert client.post(f"{base}/participants/{pid}/check-in", headers=org).json[
        "checked_in_at"]
    erased = client.post(f"{base}/participants/{pid}/erase", headers=org).json
    assert erased["checked_in_at"] is None and erased["status"] == "withdrawn"
    with app.app_context():  # nor may a late check-in write it back
        with pytest.raises(IntegrityError):
            db.session.execute(update(Participant).where(Participant.id == pid).values(
                status="checked_in", checked_in_at=dt.datetime.now(dt.UTC)))
            db.session.flush()
        db.session.rollback()


def test_failed_sign_ins_past_the_audit_ceiling_are_counted_not_written(app, client, world):
    from allocator.models import AuditEntry, AuthThrottle

    app.config["AUTH_AUDIT_MAX"] = 3
    for n in range(6):
        client.get("/api/events", headers=bearer(f"alc_{n:012x}_" + "q" * 30))
    with app.app_context():
        assert db.session.scalar(select(AuthThrottle.failures)) == 6
        rows = db.session.scalars(select(AuditEntry).where(
            AuditEntry.action == "auth.failed")).all()
        assert len(rows) == 3 and rows[-1].details["audit_ceiling_reached"] is True
