"""Staff access without a shell: the organisers give the desk, viewers and facilitators
access by a sign-in link; removing someone ends every session of theirs at once."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from allocator.extensions import db
from allocator.models import AuditEntry, Message, TeamMember
from tests.support.factories import make_event, publish_allocation, register, token
from tests.support.http import bearer, csrf, sign_in

LINK = re.compile(r"https?://[^/\s]+/sign-in/([A-Za-z0-9_-]{43})")


@pytest.fixture
def workshop(app):
    with app.test_request_context():
        event = make_event()
        organiser = token("organizer", "team-organiser")
    return {**event, "org": bearer(organiser), "token": organiser}


def _link(app, member_id: int) -> str:
    """The secret of the member's newest sign-in link, as their e-mail carries it."""
    with app.app_context():
        body = db.session.scalars(select(Message.body_text).where(
            Message.member_id == member_id).order_by(Message.id.desc())).first()
    return LINK.search(body).group(1)


def _signed_in_by_link(app, secret: str):
    browser = app.test_client()
    shown = browser.get(f"/sign-in/{secret}")
    assert shown.status_code == 200
    done = browser.post(f"/sign-in/{secret}",
                        data={"csrf_token": csrf(shown.get_data(as_text=True))})
    assert done.status_code == 302
    return browser


def test_a_facilitator_is_given_their_group_by_a_link_and_loses_it_at_once(
        app, client, workshop):
    base = f"/api/events/{workshop['id']}"
    wg2 = workshop["groups"][1]
    added = client.post(f"{base}/team", headers=workshop["org"], json={
        "name": "Betty Facilitator", "email": "Betty@Example.org", "role": "facilitator",
        "group_id": wg2})
    assert added.status_code == 202, added.json
    member = added.json
    assert member["email"] == "betty@example.org" and member["group_id"] == wg2
    listed = client.get(f"{base}/team", headers=workshop["org"])
    assert [m["name"] for m in listed.json["members"]] == ["Betty Facilitator"]
    assert "link" not in listed.get_data(as_text=True).lower().replace("link_", "")
    # the e-mail carries the link; opening it shows whose it is, the button signs in
    secret = _link(app, member["id"])
    browser = _signed_in_by_link(app, secret)
    home = browser.get("/", follow_redirects=True)
    assert home.request.path == f"/events/{workshop['id']}/groups/{wg2}/recommendations"
    assert "Betty Facilitator" in home.get_data(as_text=True)
    assert browser.get(f"/events/{workshop['id']}/groups/{workshop['groups'][0]}"
                       "/recommendations").status_code == 403
    # removed: the open page session ends at once, and the link no longer works
    gone = client.delete(f"{base}/team/{member['id']}", headers=workshop["org"])
    assert gone.status_code == 204
    after = browser.get(f"/events/{workshop['id']}/groups/{wg2}/recommendations")
    assert after.status_code == 302 and "/sign-in" in after.headers["Location"]
    assert app.test_client().get(f"/sign-in/{secret}").status_code == 404
    with app.app_context():
        actions = [a for (a,) in db.session.execute(select(AuditEntry.action)).all()]
        details = " ".join(str(d) for (d,) in db.session.execute(
            select(AuditEntry.details)).all())
    assert {"team.member_added", "team.signed_in", "team.member_removed"} <= set(actions)
    assert "Betty" not in details and "betty@" not in details


def test_a_new_link_replaces_the_old_one(app, client, workshop):
    base = f"/api/events/{workshop['id']}"
    member = client.post(f"{base}/team", headers=workshop["org"], json={
        "name": "Desk Person", "email": "desk@example.org", "role": "desk"}).json
    first = _link(app, member["id"])
    again = client.post(f"{base}/team/{member['id']}/link", headers=workshop["org"])
    assert again.status_code == 202
    second = _link(app, member["id"])
    assert second != first
    assert app.test_client().get(f"/sign-in/{first}").status_code == 404
    browser = _signed_in_by_link(app, second)
    assert browser.get("/", follow_redirects=True).request.path == \
        f"/events/{workshop['id']}/desk"


def test_an_expired_or_forged_link_opens_nothing_and_says_nothing_more(app, client,
                                                                       workshop):
    import datetime as dt

    base = f"/api/events/{workshop['id']}"
    member = client.post(f"{base}/team", headers=workshop["org"], json={
        "name": "Late Viewer", "email": "viewer@example.org", "role": "viewer"}).json
    secret = _link(app, member["id"])
    with app.app_context():
        row = db.session.get(TeamMember, member["id"])
        row.link_expires_at = row.link_expires_at - dt.timedelta(days=15)
        db.session.commit()
    expired = app.test_client().get(f"/sign-in/{secret}")
    forged = app.test_client().get(f"/sign-in/{'x' * 43}")
    assert expired.status_code == forged.status_code == 404
    assert expired.get_data(as_text=True) == forged.get_data(as_text=True)
    # and a POST without the page's form is refused too
    assert app.test_client().post(f"/sign-in/{secret}").status_code == 404


def test_the_team_is_refused_in_words_and_only_organisers_keep_it(app, client, workshop):
    base = f"/api/events/{workshop['id']}"
    wrong = client.post(f"{base}/team", headers=workshop["org"], json={
        "name": "", "email": "not an address", "role": "boss"})
    assert wrong.status_code == 422
    assert set(wrong.json["errors"]) == {"name", "email", "role"}
    desk_group = client.post(f"{base}/team", headers=workshop["org"], json={
        "name": "D", "email": "d@example.org", "role": "desk",
        "group_id": workshop["groups"][0]})
    assert desk_group.status_code == 422 and "Only a facilitator" in desk_group.json[
        "errors"]["group_id"][0]
    client.post(f"{base}/team", headers=workshop["org"], json={
        "name": "Twice", "email": "twice@example.org", "role": "viewer"})
    twice = client.post(f"{base}/team", headers=workshop["org"], json={
        "name": "Twice Again", "email": "TWICE@example.org", "role": "desk"})
    assert twice.status_code == 409
    with app.test_request_context():
        desk = token("desk", "a-desk", workshop["id"])
    assert client.get(f"{base}/team", headers=bearer(desk)).status_code == 403
    assert client.post(f"{base}/team", headers=bearer(desk), json={
        "name": "X", "email": "x@example.org", "role": "organizer"}).status_code == 403


def test_api_tokens_are_made_on_the_team_page_shown_once_and_revoked(app, workshop):
    pages = app.test_client()
    sign_in(pages, workshop["token"])
    page = pages.get(f"/events/{workshop['id']}/team").get_data(as_text=True)
    made = pages.post(f"/events/{workshop['id']}/tokens", data={
        "csrf_token": csrf(page), "name": "desk laptop 2", "role": "desk"})
    assert made.status_code == 200
    text = made.get_data(as_text=True)
    shown = re.search(r'id="made-token" class="link-copy" readonly value="(alc_[^"]+)"', text)
    assert shown, "the new token is shown once"
    api = app.test_client()
    assert api.get(f"/api/events/{workshop['id']}/participants",
                   headers=bearer(shown.group(1))).status_code == 200
    listed = api.get(f"/api/events/{workshop['id']}/team", headers=workshop["org"]).json
    made_token = next(t for t in listed["tokens"] if t["name"] == "desk laptop 2")
    again = pages.get(f"/events/{workshop['id']}/team").get_data(as_text=True)
    assert shown.group(1) not in again  # never again
    pages.post(f"/events/{workshop['id']}/tokens/{made_token['id']}/delete",
               data={"csrf_token": csrf(again)})
    assert api.get(f"/api/events/{workshop['id']}/participants",
                   headers=bearer(shown.group(1))).status_code == 401


def test_the_team_page_adds_someone_and_says_what_is_wrong_beside_the_field(app, workshop):
    pages = app.test_client()
    sign_in(pages, workshop["token"])
    page = pages.get(f"/events/{workshop['id']}/team").get_data(as_text=True)
    wrong = pages.post(f"/events/{workshop['id']}/team", data={
        "csrf_token": csrf(page), "name": "Anna", "email": "nope", "role": "desk"})
    assert wrong.status_code == 422 and 'id="email-error"' in wrong.get_data(as_text=True)
    right = pages.post(f"/events/{workshop['id']}/team", data={
        "csrf_token": csrf(page), "name": "Anna Desk", "email": "anna@example.org",
        "role": "facilitator", "group_id": str(workshop["groups"][2])},
        follow_redirects=True)
    text = right.get_data(as_text=True)
    assert "Anna Desk is in the team" in text and "Facilitator, WG3" in text
    # no mail server here: the link to hand over is on the page
    assert LINK.search(text)


def test_a_registered_facilitator_gets_their_group_s_link_with_the_announcement(
        app, client, workshop):
    base = f"/api/events/{workshop['id']}"
    with app.test_request_context():
        for n in range(6):
            register(workshop["id"], full_name=f"P {n}", email=f"p{n}@example.org")
        for n in range(3):
            register(workshop["id"], full_name=f"Expert {n}", email=f"e{n}@example.org",
                     role="facilitator")
        publish_allocation(workshop["id"])
    sent = client.post(f"{base}/notifications", headers=workshop["org"],
                       json={"kind": "groups"})
    assert sent.status_code == 202
    with app.app_context():
        messages = db.session.scalars(select(Message).where(Message.kind == "groups")).all()
        members = {m.participant_id: m for m in db.session.scalars(select(TeamMember))}
    facilitators = [m for m in messages if LINK.search(m.body_text)]
    assert len(facilitators) == 3 and len(messages) == 9
    for message in facilitators:
        member = members[message.participant_id]
        browser = _signed_in_by_link(app, LINK.search(message.body_text).group(1))
        home = browser.get("/", follow_redirects=True)
        assert home.request.path == (f"/events/{workshop['id']}/groups/{member.group_id}"
                                     "/recommendations")


def test_the_cli_adds_lists_and_removes_members(app, runner, workshop):
    added = runner.invoke(args=["team", "add", str(workshop["id"]), "--name", "Cli Person",
                                "--email", "cli@example.org", "--role", "facilitator",
                                "--group", "wg2"])
    assert added.exit_code == 0, added.output
    listed = runner.invoke(args=["team", "list", str(workshop["id"])])
    assert "Cli Person" in listed.output and "facilitator" in listed.output
    member_id = listed.output.split("\t")[0]
    wrong = runner.invoke(args=["team", "add", str(workshop["id"]), "--name", "X",
                                "--email", "x@example.org", "--role", "facilitator",
                                "--group", "Nowhere"])
    assert wrong.exit_code == 1 and "the event's groups: WG1, WG2, WG3" in wrong.output
    removed = runner.invoke(args=["team", "remove", str(workshop["id"]), member_id])
    assert removed.exit_code == 0 and "no longer has access" in removed.output


def test_an_erased_facilitator_leaves_the_team_too(app, client, workshop):
    base = f"/api/events/{workshop['id']}"
    with app.test_request_context():
        for n in range(3):
            register(workshop["id"], full_name=f"Expert {n}", email=f"e{n}@example.org",
                     role="facilitator")
        register(workshop["id"], full_name="P", email="p@example.org")
        publish_allocation(workshop["id"])
    client.post(f"{base}/notifications", headers=workshop["org"], json={"kind": "groups"})
    people = client.get(f"{base}/participants?role=facilitator",
                        headers=workshop["org"]).json["items"]
    client.post(f"{base}/participants/{people[0]['id']}/erase", headers=workshop["org"])
    names = [m["name"] for m in client.get(f"{base}/team", headers=workshop["org"]).json[
        "members"]]
    assert people[0]["full_name"] not in names and len(names) == 2
