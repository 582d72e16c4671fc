"""The programme as the aide-memoire runs it: talks with questions per theme, the working
groups, the plenary; in the event's time, never two items at once in one room."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.support.factories import YEAR, make_event, register, token
from tests.support.http import bearer, csrf, sign_in


@pytest.fixture
def workshop(app):
    with app.test_request_context():
        event = make_event()
        organiser = token("organizer", "programme-organiser")
        desk = token("desk", "programme-desk", event["id"])
        expert = register(event["id"], full_name="Paul Expert", email="paul@example.org",
                          organization="Independent expert", duties=["speaker"])
        plain = register(event["id"], full_name="Plain Person", email="plain@example.org")
    return {**event, "org": bearer(organiser), "desk": bearer(desk), "token": organiser,
            "expert": expert, "plain": plain}


def _item(**fields):
    day = f"{YEAR}-02-15"
    return {"starts_at": f"{day}T09:30", "ends_at": f"{day}T09:40", "title": "Opening",
            "kind": "talk", **fields}


def test_items_are_kept_in_the_event_s_time_and_listed_in_time_order(client, workshop):
    base = f"/api/events/{workshop['id']}/programme"
    day = f"{YEAR}-02-15"
    for fields in (_item(starts_at=f"{day}T10:45", ends_at=f"{day}T11:45",
                         title="Working groups", kind="working_groups"),
                   _item(),
                   _item(starts_at=f"{day}T09:40", ends_at=f"{day}T09:50",
                         title="Structured cooperation", theme="structured-cooperation",
                         speaker_ids=[workshop["expert"]])):
        r = client.post(base, headers=workshop["org"], json=fields)
        assert r.status_code == 201, r.json
    listed = client.get(base, headers=workshop["desk"]).json
    assert [i["title"] for i in listed] == ["Opening", "Structured cooperation",
                                            "Working groups"]
    assert listed[0]["starts_at"] == f"{day}T09:30:00+01:00"  # Vienna, winter time
    assert listed[1]["theme_title"] == "Structured Cooperation"
    assert listed[1]["speakers"] == [{"id": workshop["expert"], "full_name": "Paul Expert",
                                      "organization": "Independent expert"}]
    changed = client.patch(f"{base}/{listed[0]['id']}", headers=workshop["org"],
                           json={"title": "Welcome"})
    assert changed.status_code == 200 and changed.json["title"] == "Welcome"
    assert client.delete(f"{base}/{listed[0]['id']}", headers=workshop["org"]
                         ).status_code == 204
    assert len(client.get(base, headers=workshop["desk"]).json) == 2
    assert client.post(base, headers=workshop["desk"], json=_item()).status_code == 403


def test_an_item_outside_the_event_or_over_another_in_its_room_is_refused_naming_both(
        client, workshop):
    base = f"/api/events/{workshop['id']}/programme"
    day = f"{YEAR}-02-15"
    client.post(base, headers=workshop["org"], json=_item(
        starts_at=f"{day}T10:45", ends_at=f"{day}T11:45", title="Working groups",
        kind="working_groups", room="M1"))
    clash = client.post(base, headers=workshop["org"], json=_item(
        starts_at=f"{day}T11:30", ends_at=f"{day}T12:00", title="Plenary", kind="plenary",
        room="m1"))
    assert clash.status_code == 422
    message = clash.json["errors"]["room"][0]
    assert "“Plenary” (11:30–12:00)" in message and "“Working groups” (10:45–11:45)" in message
    elsewhere = client.post(base, headers=workshop["org"], json=_item(
        starts_at=f"{day}T11:30", ends_at=f"{day}T12:00", title="Press", room="M2"))
    assert elsewhere.status_code == 201
    outside = client.post(base, headers=workshop["org"], json=_item(
        starts_at=f"{day}T12:00", ends_at=f"{day}T13:00"))
    assert outside.status_code == 422 and "within the event" in outside.json["errors"][
        "starts_at"][0]
    backwards = client.post(base, headers=workshop["org"], json=_item(
        starts_at=f"{day}T10:00", ends_at=f"{day}T09:45"))
    assert backwards.status_code == 422 and "ends_at" in backwards.json["errors"]
    nobody = client.post(base, headers=workshop["org"], json=_item(
        speaker_ids=[workshop["plain"]]))
    assert nobody.status_code == 422 and "programme duty" in nobody.json["errors"][
        "speaker_ids"][0]
    # a change that would overlap is refused the same way
    press = elsewhere.json["id"]
    moved = client.patch(f"{base}/{press}", headers=workshop["org"], json={"room": "M1"})
    assert moved.status_code == 422 and "“Working groups”" in moved.json["errors"]["room"][0]


def test_times_across_a_change_to_summer_time_are_exact(client, workshop):
    """Vienna moves its clocks from 02:00 to 03:00 on the last Sunday of March."""
    sunday = max(dt.date(YEAR, 3, d) for d in range(25, 32)
                 if dt.date(YEAR, 3, d).weekday() == 6)
    event = client.post("/api/events", headers=workshop["org"], json={
        "name": "Night shift", "starts_at": f"{sunday}T00:00", "ends_at": f"{sunday}T06:00",
        "timezone": "Europe/Vienna"}).json
    base = f"/api/events/{event['id']}/programme"
    item = client.post(base, headers=workshop["org"], json={
        "starts_at": f"{sunday}T01:30", "ends_at": f"{sunday}T03:30", "title": "Across",
        "kind": "other"})
    assert item.status_code == 201, item.json
    starts = dt.datetime.fromisoformat(item.json["starts_at"])
    ends = dt.datetime.fromisoformat(item.json["ends_at"])
    assert item.json["starts_at"].endswith("+01:00") and item.json["ends_at"].endswith("+02:00")
    assert ends - starts == dt.timedelta(hours=1)  # 01:30 CET to 03:30 CEST: one hour


def test_the_group_announcement_gives_the_working_groups_own_slot(app, client, workshop):
    from icalendar import Calendar
    from sqlalchemy import select

    from allocator.extensions import db
    from allocator.models import Message
    from tests.support.factories import publish_allocation

    day = f"{YEAR}-02-15"
    client.post(f"/api/events/{workshop['id']}/programme", headers=workshop["org"],
                json=_item(starts_at=f"{day}T10:45", ends_at=f"{day}T11:45",
                           title="Working groups", kind="working_groups"))
    with app.test_request_context():
        for n in range(3):
            register(workshop["id"], full_name=f"P {n}", email=f"p{n}@example.org")
        publish_allocation(workshop["id"])
    client.post(f"/api/events/{workshop['id']}/notifications", headers=workshop["org"],
                json={"kind": "groups"})
    with app.app_context():
        message = db.session.scalars(select(Message).where(Message.kind == "groups")).first()
    entry = next(c for c in Calendar.from_ical(message.calendar).walk("VEVENT"))
    assert entry.decoded("dtstart").astimezone(dt.UTC).hour == 9  # 10:45 in Vienna
    assert entry.decoded("dtend") - entry.decoded("dtstart") == dt.timedelta(hours=1)
    assert "The working groups meet: 10:45–11:45, Central European Standard Time" in \
        message.body_text


def test_the_programme_page_adds_items_and_says_what_is_wrong_beside_the_field(app,
                                                                              workshop):
    pages = app.test_client()
    sign_in(pages, workshop["token"])
    page = pages.get(f"/events/{workshop['id']}/programme").get_data(as_text=True)
    added = pages.post(f"/events/{workshop['id']}/programme", data={
        "csrf_token": csrf(page), "starts_at": "09:30", "ends_at": "09:40",
        "title": "Opening by the moderator", "kind": "talk", "room": "Board room",
        "speaker_ids": str(workshop["expert"])}, follow_redirects=True)
    text = added.get_data(as_text=True)
    assert "is on the programme" in text and "09:30–09:40" in text and "Paul Expert" in text
    wrong = pages.post(f"/events/{workshop['id']}/programme", data={
        "csrf_token": csrf(page), "starts_at": "09:35", "ends_at": "09:45",
        "title": "Clash", "kind": "talk", "room": "board room"})
    assert wrong.status_code == 422
    html = wrong.get_data(as_text=True)
    assert 'id="room-error"' in html and "would overlap" in html
    now = pages.get(f"/events/{workshop['id']}/programme/now")
    assert now.status_code == 200 and "Opening by the moderator" in now.get_data(as_text=True)


def test_each_person_s_own_page_shows_the_programme(app, client, workshop):
    from tests.support.factories import personal_link

    client.post(f"/api/events/{workshop['id']}/programme", headers=workshop["org"],
                json=_item(title="Opening by the moderator"))
    with app.app_context():
        secret = personal_link(workshop["plain"])
    page = app.test_client().get(f"/i/{secret}").get_data(as_text=True)
    assert "The programme" in page and "Opening by the moderator" in page
