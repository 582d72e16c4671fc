"""When the rooms are too small, and when a theme is out of the question (issue 29): "not
this theme" at every door that takes a registration; a shortage refused in words with
the waiting list offered; a waiting list in order, on the run, its report, page and CSV;
late placements that take from it first; a message telling each waiting person their
number."""

from __future__ import annotations

import csv
import io

import pytest

from tests.conftest import bearer, person
from tests.support.http import csrf, personal_link, sign_in
from tests.support.languages import untranslated
from tests.support.mail import send_mail

pytestmark = pytest.mark.db

INFO, COOP, NTS = "information-sharing", "structured-cooperation", "non-traditional-stakeholders"


def _register(client, org, base, name: str, **fields) -> dict:
    r = client.post(f"{base}/participants", headers=org, json=person(
        full_name=name, email=f"{name.lower().replace(' ', '.')}@example.org", **fields))
    assert r.status_code == 201, r.json
    return r.json


# --- "not this theme" -------------------------------------------------------------------

def test_vetoes_are_stored_by_title_or_key_and_refused_where_they_clash(client, tokens, event):
    org = bearer(tokens["organizer"])
    base = f"/api/events/{event['id']}"
    made = _register(client, org, base, "Vera Veto", preferences=[INFO],
                     vetoes=["Non-Traditional Stakeholders"])
    assert made["vetoes"] == [NTS]
    assert client.get(f"{base}/participants/{made['id']}", headers=org).json["vetoes"] == [NTS]

    # a theme both wanted and ruled out, at registration and in a change of either list
    both = client.post(f"{base}/participants", headers=org, json=person(
        email="both@example.org", preferences=[INFO, NTS], vetoes=[NTS]))
    assert both.status_code == 422
    assert both.json["errors"]["vetoes"] == [
        "Non-Traditional Stakeholders cannot be both a preference and a theme they cannot "
        "take part in."]
    for body in ({"preferences": [NTS]}, {"vetoes": [INFO]}):
        r = client.patch(f"{base}/participants/{made['id']}", headers=org, json=body)
        assert r.status_code == 422 and "vetoes" in r.json["errors"], r.json
    unknown = client.patch(f"{base}/participants/{made['id']}", headers=org,
                           json={"vetoes": ["no-such-theme"]})
    assert unknown.status_code == 422 and "vetoes" in unknown.json["errors"]
    twice = client.patch(f"{base}/participants/{made['id']}", headers=org,
                         json={"vetoes": [NTS, NTS]})
    assert twice.status_code == 422
    stored = client.get(f"{base}/participants/{made['id']}", headers=org).json
    assert stored["vetoes"] == [NTS] and stored["preferences"] == [INFO]

    # a theme's new key is followed; a deleted theme leaves the list
    renamed = client.patch(f"{base}/themes/{NTS}", headers=org, json={"key": "others"})
    assert renamed.status_code == 200, renamed.json
    assert client.get(f"{base}/participants/{made['id']}", headers=org).json["vetoes"] \
        == ["others"]


def test_vetoes_come_from_the_desk_form_the_personal_page_and_an_import(app, client, tokens,
                                                                        event):
    org = bearer(tokens["organizer"])
    base = f"/api/events/{event['id']}"
    # the desk: "cannot take part" in a theme's rank choice
    sign_in(client, tokens["organizer"])
    page = f"/events/{event['id']}/desk/register"
    form = client.get(page).get_data(as_text=True)
    assert ">cannot take part</option>" in form
    done = client.post(page, data={
        "csrf_token": csrf(form), "full_name": "Desk Veto", "email": "desk.veto@example.org",
        "organization": "Org", "sector": "government", "consent": "yes",
        f"rank-{INFO}": "1", f"rank-{COOP}": "no"})
    assert done.status_code == 302, done.get_data(as_text=True)[:400]
    found = client.get(f"{base}/participants?q=Desk%20Veto", headers=org).json["items"][0]
    assert found["vetoes"] == [COOP] and found["preferences"] == [INFO]
    edit = client.get(f"/events/{event['id']}/people/{found['id']}/edit").get_data(
        as_text=True)
    assert '<option value="no" selected>' in edit.split(f'id="rank-{COOP}"')[1][:2000]

    # the personal page, in the invitee's language: a tick per theme
    invitee = client.post(f"{base}/participants", headers=org, json={
        "full_name": "Élodie Mercier", "email": "elodie@example.org", "status": "invited",
        "language": "fr"}).json
    link = personal_link(app, invitee["id"])
    html = client.get(link).get_data(as_text=True)
    assert "Y a-t-il un thème auquel vous ne pouvez pas participer" in html
    clash = client.post(link, data={
        "csrf_token": csrf(html), "answer": "accept", "full_name": "Élodie Mercier",
        "organization": "Safe Homes",
        "sector": "Civil society", "preference_1": NTS, "vetoes": [NTS], "consent": "yes"})
    assert clash.status_code == 422
    said = clash.get_data(as_text=True)
    assert "ne peut pas être aussi l’un de vos choix" in said
    assert untranslated(said, "fr") == []
    ok = client.post(link, data={
        "csrf_token": csrf(html), "answer": "accept", "full_name": "Élodie Mercier",
        "organization": "Safe Homes",
        "sector": "Civil society", "preference_1": INFO, "vetoes": [NTS], "consent": "yes"})
    assert ok.status_code == 303
    stored = client.get(f"{base}/participants/{invitee['id']}", headers=org).json
    assert stored["vetoes"] == [NTS] and stored["preferences"] == [INFO]
    assert 'value="non-traditional-stakeholders" checked' in client.get(link).get_data(
        as_text=True)

    # an import column, by its English heading, titles or keys separated by ";"
    text = ("Full name,E-mail,Organisation,Sector,Consent,Not these themes\n"
            "Imported Veto,imported@example.org,Org,government,yes,"
            "Information Sharing; structured-cooperation\n")
    r = client.post(f"{base}/participants/import", headers={**org, "Content-Type": "text/csv"},
                    data=text.encode())
    assert r.status_code in (200, 201), r.json
    imported = client.get(f"{base}/participants?q=Imported", headers=org).json["items"][0]
    assert sorted(imported["vetoes"]) == sorted([INFO, COOP])


def test_erasure_forgets_vetoes_and_only_staff_read_them(app, client, tokens, event):
    org = bearer(tokens["organizer"])
    base = f"/api/events/{event['id']}"
    made = _register(client, org, base, "Gone Soon", preferences=[INFO], vetoes=[NTS])
    export = client.get(f"{base}/participants/{made['id']}/export", headers=org)
    assert export.status_code == 200 and export.json["participant"]["vetoes"] == [NTS]
    assert client.post(f"{base}/participants/{made['id']}/erase",
                       headers=org).status_code == 200
    assert client.get(f"{base}/participants/{made['id']}", headers=org).json["vetoes"] == []


# --- a shortage -------------------------------------------------------------------------

def _small_rooms(client, org, event, capacity: int) -> str:
    base = f"/api/events/{event['id']}"
    for group in event["groups"]:
        r = client.patch(f"{base}/groups/{group['id']}", headers=org,
                         json={"capacity": capacity, "min_size": 0})
        assert r.status_code == 200, r.json
    return base


def test_a_shortage_is_refused_in_words_offering_the_waiting_list(client, tokens, event):
    org = bearer(tokens["organizer"])
    base = _small_rooms(client, org, event, 2)
    for n in range(8):
        _register(client, org, base, f"Person {n}")
    r = client.post(f"{base}/allocations", headers=org, json={"time_limit_s": 5})
    assert r.status_code == 422
    assert r.headers["Content-Type"].startswith("application/problem+json")
    assert r.json["type"].endswith("/problems/seats-short")
    assert r.json["seats_missing"] == 2 and r.json["people"] == 8 and r.json["seats"] == 6
    assert r.json["errors"]["overflow"] == [
        "8 people but 6 seats: 2 seats are missing. Add seats to the working groups, or "
        "allocate with a waiting list: 6 people are placed and the other 2 wait, in order."]
    assert client.get(f"{base}/allocations", headers=org).json == []  # nothing recorded
    bad = client.post(f"{base}/allocations", headers=org, json={"overflow": "maybe"})
    assert bad.status_code == 422 and "overflow" in bad.json["errors"]

    # the Allocate page says the same next to its button, with the waiting list offered
    sign_in(client, tokens["organizer"])
    page = f"/events/{event['id']}/allocate"
    html = client.get(page).get_data(as_text=True)
    assert 'name="overflow" value="waitlist"' in html
    refused = client.post(page, data={"csrf_token": csrf(html), "time_limit_s": "5"})
    assert refused.status_code == 422
    said = refused.get_data(as_text=True)
    assert "2 seats are missing" in said and "Allocate with a waiting list" in said


# --- a waiting list ---------------------------------------------------------------------

def _facilitator(app, event, group_id: int | None = None) -> dict[str, str]:
    from allocator.services.tokens import create_token

    with app.app_context():
        return bearer(create_token("facilitator", "WG page", event["id"], group_id))


def test_a_waiting_list_places_by_priority_and_is_listed_in_order_at_every_door(
        app, client, tokens, event, smtp, runner):
    org = bearer(tokens["organizer"])
    base = _small_rooms(client, org, event, 2)  # 6 seats
    made = [_register(client, org, base, f"Person {n}", preferences=[INFO])
            for n in range(8)]
    ids = [p["id"] for p in made]
    # registered last but checked in: placed before those registered earlier
    assert client.post(f"{base}/participants/{ids[7]}/check-in", headers=org).status_code \
        == 200
    r = client.post(f"{base}/allocations", headers=org,
                    json={"time_limit_s": 5, "overflow": "waitlist"})
    assert r.status_code == 201, r.json
    run = r.json
    assert run["status"] == "succeeded" and run["overflow"] == "waitlist"
    waiting = run["waiting_list"]
    # registration order after check-in: the last two registered who did not check in
    assert [w["participant_id"] for w in waiting] == [ids[5], ids[6]]
    assert [w["position"] for w in waiting] == [1, 2]
    assert waiting[0]["full_name"] == "Person 5"
    assert waiting[0]["reasons"][0]["rule"] == "no_seat"
    assert "No seat was left in any theme they can take" in waiting[0]["reasons"][0]["message"]
    report = client.get(f"{base}/allocations/{run['id']}/report", headers=org).json
    placed = {m["participant_id"] for g in report["groups"] for m in g["members"]}
    assert placed == set(ids) - {ids[5], ids[6]}
    assert [w["participant_id"] for w in report["waiting_list"]] == [ids[5], ids[6]]

    # the organisers' CSV lists it after the groups, in order; a group's facilitator's
    # list is their group alone
    sign_in(client, tokens["organizer"])
    rows = list(csv.reader(io.StringIO(client.get(
        f"/events/{event['id']}/runs/{run['id']}/groups.csv").get_data(as_text=True)
        .lstrip("\ufeff"))))
    assert [(row[0], row[4]) for row in rows if row[0].startswith("Waiting list")] == [
        ("Waiting list 1", "Person 5"), ("Waiting list 2", "Person 6")]
    page = client.get(f"/events/{event['id']}/runs/{run['id']}").get_data(as_text=True)
    assert "Waiting list" in page and page.index("Person 5") < page.index("Person 6")
    assert client.post(f"{base}/allocations/{run['id']}/publish", headers=org).status_code \
        == 200
    wg1 = event["groups"][0]["id"]
    own = client.get(f"{base}/groups/{wg1}.csv", headers=_facilitator(app, event, wg1))
    assert own.status_code == 200 and "Waiting list" not in own.get_data(as_text=True)

    # the waiting people are told their number, in their own language
    client.patch(f"{base}/participants/{ids[6]}", headers=org, json={"language": "es"})
    told = client.post(f"{base}/notifications", headers=org, json={"kind": "groups"})
    assert told.status_code == 202 and set(told.json["participant_ids"]) == set(ids)
    send_mail(runner)
    to = {m.rcpt_tos[0]: m for m in smtp.inbox.received}
    fifth, sixth = to["person.5@example.org"], to["person.6@example.org"]
    assert "You are on the waiting list, number 1." in fifth.text()
    assert "Está en la lista de espera, número 2." in sixth.text()
    assert sixth.message["Content-Language"] == "es"
    assert untranslated(sixth.text(), "es") == []
    again = client.post(f"{base}/notifications", headers=org, json={"kind": "groups"}).json
    assert again["queued"] == 0  # nobody told the same thing twice

    # the desk reads a waiting person's number, by the API and on their page
    desk = bearer(tokens["desk"])
    assert client.get(f"{base}/participants/{ids[6]}", headers=desk).json[
        "waiting_position"] == 2
    assert client.get(f"{base}/participants/{ids[1]}", headers=desk).json[
        "waiting_position"] is None
    sign_in(client, tokens["desk"])
    assert "On the waiting list, number 2." in client.get(
        f"/events/{event['id']}/desk/{ids[6]}").get_data(as_text=True)

    # late arrivals: the waiting list first, in order; a freed seat goes to number 1
    late = client.get(f"{base}/late-arrivals", headers=org).json
    assert [(p["id"], p["waiting_position"]) for p in late] == [(ids[5], 1), (ids[6], 2)]
    walk_in = _register(client, org, base, "Walk In", preferences=[INFO])["id"]
    full = client.post(f"{base}/late-arrivals/{ids[5]}/place", headers=org)
    assert full.status_code == 409 and full.json["type"].endswith("/problems/no-room")
    assert client.delete(f"{base}/participants/{ids[0]}", headers=org).status_code == 200
    jumped = client.post(f"{base}/late-arrivals/{walk_in}/place", headers=org)
    assert jumped.status_code == 409, jumped.json
    assert jumped.json["type"].endswith("/problems/waiting-list-first")
    assert jumped.json["detail"].startswith("Person 5 waits for a seat (waiting list, number 1)")
    second = client.post(f"{base}/late-arrivals/{ids[6]}/place", headers=org)
    assert second.status_code == 409 and "Person 5" in second.json["detail"]
    first = client.post(f"{base}/late-arrivals/{ids[5]}/place", headers=org)
    assert first.status_code == 200, first.json
    # Person 6 is number 1 now, ahead of the walk-in
    late = client.get(f"{base}/late-arrivals", headers=org).json
    assert [(p["id"], p["waiting_position"]) for p in late] == [(ids[6], 1), (walk_in, None)]
    run_now = client.get(f"{base}/allocations/{run['id']}", headers=org).json
    assert [w["participant_id"] for w in run_now["waiting_list"]] == [ids[6]]


def test_facilitators_and_programme_duties_are_placed_first(client, tokens, event):
    org = bearer(tokens["organizer"])
    base = _small_rooms(client, org, event, 3)  # 9 seats
    people = [_register(client, org, base, f"Early {n}", preferences=[INFO])["id"]
              for n in range(7)]
    experts = [_register(client, org, base, f"Expert {n}", role="facilitator")["id"]
               for n in range(3)]
    r = client.post(f"{base}/allocations", headers=org,
                    json={"time_limit_s": 5, "overflow": "waitlist"})
    assert r.status_code == 201, r.json
    assert [w["participant_id"] for w in r.json["waiting_list"]] == [people[6]]
    report = client.get(f"{base}/allocations/{r.json['id']}/report", headers=org).json
    assert sorted(len(g["facilitators"]) for g in report["groups"]) == [1, 1, 1]
    assert {f["participant_id"] for g in report["groups"] for f in g["facilitators"]} \
        == set(experts)


def test_an_allocation_never_places_anyone_in_a_theme_they_ruled_out(client, tokens, event):
    org = bearer(tokens["organizer"])
    base = f"/api/events/{event['id']}"
    vetoed = [_register(client, org, base, f"Veto {n}", preferences=[INFO],
                        vetoes=[NTS, COOP])["id"] for n in range(4)]
    for n in range(8):
        _register(client, org, base, f"Other {n}", preferences=[INFO])
    info = next(g["id"] for g in event["groups"] if g["theme"] == INFO)
    r = client.post(f"{base}/allocations", headers=org, json={"time_limit_s": 5})
    assert r.status_code == 201, r.json
    report = client.get(f"{base}/allocations/{r.json['id']}/report", headers=org).json
    where = {m["participant_id"]: g["id"] for g in report["groups"] for m in g["members"]}
    assert {where[p] for p in vetoed} == {info}
    # a hand move into a ruled-out theme is refused in words
    other = next(g["id"] for g in event["groups"] if g["theme"] == NTS)
    moved = client.patch(f"{base}/allocations/{r.json['id']}/assignments/{vetoed[0]}",
                         headers=org, json={"group_id": other})
    assert moved.status_code == 409
    assert "cannot take part in Non-Traditional Stakeholders" in moved.json["detail"]
    # a pin into a ruled-out theme is refused at once, naming the veto
    pin = client.post(f"{base}/rules", headers=org, json={
        "kind": "pin", "participant_id": vetoed[1], "group_id": other})
    assert pin.status_code == 422, pin.json
    assert "Veto 1 cannot take part in themes Non-Traditional Stakeholders and Structured " \
        "Cooperation" in pin.json["detail"]
    # a veto given after the pin makes the allocation impossible, and says why
    later = _register(client, org, base, "Pinned First", preferences=[INFO])["id"]
    assert client.post(f"{base}/rules", headers=org, json={
        "kind": "pin", "participant_id": later, "group_id": other}).status_code == 201
    client.patch(f"{base}/participants/{later}", headers=org, json={"vetoes": [NTS]})
    impossible = client.post(f"{base}/allocations", headers=org, json={"time_limit_s": 5})
    assert impossible.status_code == 422, impossible.json
    assert impossible.json["type"].endswith("/problems/infeasible")
    assert "Pinned First is pinned to WG3; Pinned First cannot take part in theme " \
        "Non-Traditional Stakeholders." in impossible.json["detail"]


def test_someone_whose_open_themes_are_full_waits_while_others_are_placed(client, tokens,
                                                                          event):
    org = bearer(tokens["organizer"])
    base = _small_rooms(client, org, event, 2)  # 6 seats, 2 per theme
    only_info = [_register(client, org, base, f"Only Info {n}", preferences=[INFO],
                           vetoes=[NTS, COOP])["id"] for n in range(3)]
    others = [_register(client, org, base, f"Open {n}", preferences=[COOP])["id"]
              for n in range(4)]
    r = client.post(f"{base}/allocations", headers=org,
                    json={"time_limit_s": 5, "overflow": "waitlist"})
    assert r.status_code == 201, r.json
    waiting = r.json["waiting_list"]
    # registered before the four others, but the one theme open to them is full
    assert [w["participant_id"] for w in waiting] == [only_info[2]]
    assert waiting[0]["reasons"][0]["message"] == (
        "No seat was left in any theme they can take (Information Sharing). They cannot "
        "take part in Non-Traditional Stakeholders, Structured Cooperation.")
    report = client.get(f"{base}/allocations/{r.json['id']}/report", headers=org).json
    placed = {m["participant_id"] for g in report["groups"] for m in g["members"]}
    assert placed == set(only_info[:2]) | set(others)


def test_the_command_line_refuses_a_shortage_and_allocates_with_a_waiting_list(
        client, tokens, event, runner):
    org = bearer(tokens["organizer"])
    base = _small_rooms(client, org, event, 1)  # 3 seats
    for n in range(5):
        _register(client, org, base, f"Person {n}")
    refused = runner.invoke(args=["allocate", str(event["id"]), "--time-limit", "5"])
    assert refused.exit_code == 1
    assert "5 people but 3 seats: 2 seats are missing." in refused.output
    done = runner.invoke(args=["allocate", str(event["id"]), "--time-limit", "5",
                               "--waitlist"])
    assert done.exit_code == 0, done.output
    assert "3 people" not in done.output and "2 on the waiting list" in done.output


def test_a_pinned_pair_waits_together_when_their_room_is_full(client, tokens, event):
    org = bearer(tokens["organizer"])
    base = f"/api/events/{event['id']}"
    wg1 = event["groups"][0]["id"]
    first = [_register(client, org, base, f"First {n}")["id"] for n in range(2)]
    pinned = _register(client, org, base, "Pinned Late")["id"]
    partner = _register(client, org, base, "Partner Late")["id"]
    for n in range(3):
        _register(client, org, base, f"Later {n}")
    for pid in first:
        assert client.post(f"{base}/rules", headers=org, json={
            "kind": "pin", "participant_id": pid, "group_id": wg1}).status_code == 201
    assert client.post(f"{base}/rules", headers=org, json={
        "kind": "pin", "participant_id": pinned, "group_id": wg1}).status_code == 201
    assert client.post(f"{base}/rules", headers=org, json={
        "kind": "together", "participant_id": pinned, "other_id": partner}).status_code == 201
    _small_rooms(client, org, event, 2)  # the rooms shrink after the rules were made
    r = client.post(f"{base}/allocations", headers=org,
                    json={"time_limit_s": 5, "overflow": "waitlist"})
    assert r.status_code == 201, r.json
    waiting = {w["participant_id"]: w["reasons"][0] for w in r.json["waiting_list"]}
    assert set(waiting) == {pinned, partner}
    assert waiting[pinned]["message"] == \
        "They are pinned to WG1, which had no seat left for them."
    assert "Pinned Late" in waiting[partner]["message"]


def test_someone_who_rules_out_every_theme_is_named_or_waits(client, tokens, event):
    org = bearer(tokens["organizer"])
    base = f"/api/events/{event['id']}"
    nowhere = _register(client, org, base, "Nowhere Person", preferences=[],
                        vetoes=[INFO, COOP, NTS])["id"]
    for n in range(3):
        _register(client, org, base, f"Someone {n}")
    refused = client.post(f"{base}/allocations", headers=org, json={"time_limit_s": 5})
    assert refused.status_code == 422, refused.json
    assert refused.json["detail"] == (
        "No allocation keeps every rule. These rules cannot all hold together: Nowhere "
        "Person cannot take part in themes Information Sharing, Structured Cooperation and "
        "Non-Traditional Stakeholders.")
    waited = client.post(f"{base}/allocations", headers=org,
                         json={"time_limit_s": 5, "overflow": "waitlist"})
    assert waited.status_code == 201, waited.json
    assert [(w["participant_id"], w["reasons"][0]["message"])
            for w in waited.json["waiting_list"]] == [
        (nowhere, "They ruled out every theme.")]
