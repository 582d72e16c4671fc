"""One gate for every door: a walk over every route of the app's ``url_map`` — API, pages,
downloads — with every kind of caller and other events', groups', runs' and people's ids.

A world of two events whose people carry unique marks (their names, e-mails and
organisations) is built once. For each route, method and caller, each address the walk
can make is asked, and the answer's text (HTML, JSON, CSV, XLSX, DOCX, PDF) is searched
for every mark the caller may not see: another event's people, another working group's,
an e-mail address outside the staff, an organisation the person did not agree to show,
anything of someone who withdrew, declined, was only invited or was erased. A write the
caller may not make must be refused. A route the walk cannot fill in, or that names no
permission and is not known to be public, fails the walk until it is taught.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask

from allocator.access import ROLE_PERMISSIONS
from allocator.extensions import db
from tests.support.database import own_database
from tests.support.documents import text_of
from tests.support.factories import World, gate_world
from tests.support.http import bearer, sign_in

CALLERS = ["organizer", "organizer_of_b", "desk", "viewer", "facilitator_of_group",
           "facilitator_of_event", None]
# Routes anyone may open, and why.
PUBLIC = {
    "web.index": "sends people to sign in, or to their event",
    "web.sign_in": "the sign-in form", "web.sign_out": "ends the caller's own session",
    "web.staff_language": "the language of the caller's own session's pages",
    "web.personal_language": "personal link",
    "web.personal_page": "the link's secret is the key (a wrong one is a 404)",
    "web.sign_in_by_link": "a staff member's sign-in link: the secret is the key",
    # networking: the personal link's secret is the key (tests/api/test_networking.py)
    "web.directory_choice": "personal link", "web.send_contact_request": "personal link",
    "web.answer_contact_request": "personal link", "web.directory_page": "personal link",
    "web.contacts_vcf": "personal link", "web.meet_png": "personal link",
    "me.Me": "personal link", "me.Directory": "personal link", "me.MeetCode": "personal link",
    "me.Contacts": "personal link", "me.Accept": "personal link",
    "me.Decline": "personal link",
    "me.ContactsCard": "personal link",
    "health.Health": "no data", "health.Live": "no data",
    "api-docs.openapi_json": "the API's description", "apidocs.page": "the API's description",
    "apidocs.init": "the API's description", "apidocs.asset": "static files",
    "static": "static files", "web.static": "static files",
}
WRITES = {"POST", "PATCH", "PUT", "DELETE"}
SCOPES = {  # what each caller's token is limited to: (event, group)
    "organizer": (None, None), "organizer_of_b": ("B", None), "desk": ("A", None),
    "viewer": ("A", None), "facilitator_of_group": ("A", "A1"),
    "facilitator_of_event": ("A", None),
}
ROLES = {"organizer": "organizer", "organizer_of_b": "organizer", "desk": "desk",
         "viewer": "viewer", "facilitator_of_group": "facilitator",
         "facilitator_of_event": "facilitator"}


@dataclass
class Value:
    """One way to fill a part of an address: its value and whose it is."""

    value: Any
    event: str | None  # "A", "B" or None (exists nowhere)
    group: str | None = None  # "A1", "A2", "B1" where it belongs to a group
    reveals: frozenset[str] = frozenset()  # marks anyone holding it may see (a link's own)


def fillings(world: World) -> dict[str, list[Value]]:
    """Every part of an address the walk can fill, the caller's own first."""
    a, b = world.a, world.b
    person = {p.name: p for p in world.people}
    group_names = {a["groups"][0]: "A1", a["groups"][1]: "A2", a["groups"][2]: "A3",
                   b["groups"][0]: "B1"}
    holder = next(p for p in world.people if p.id == world.ids["a_person_id"])
    in_group = [next(p for p in world.people if p.event == "A" and p.group == gid
                     and p.status == "registered") for gid in a["groups"][:2]]
    return {
        "event_id": [Value(a["id"], "A"), Value(b["id"], "B"), Value(999_999, None)],
        "group_id": [Value(a["groups"][0], "A", "A1"), Value(a["groups"][1], "A", "A2"),
                     Value(b["groups"][0], "B", "B1")],
        "participant_id": [
            *[Value(p.id, "A", group_names[p.group]) for p in in_group],
            Value(person["Qzname withdrawn"].id, "A"),
            Value(world.ids["erased"], "A"),
            Value(next(p.id for p in world.people if p.event == "B"), "B", "B1")],
        "run_id": [Value(world.ids["a_run"], "A"), Value(world.ids["a_draft"], "A"),
                   Value(world.ids["b_run"], "B"), Value(999_999, None)],
        "recommendation_id": [Value(world.ids["a_recommendation"], "A", "A2"),
                              Value(world.ids["b_recommendation"], "B", "B1")],
        "rule_id": [Value(world.ids["a_rule"], "A")],
        "item_id": [Value(world.ids["a_item"], "A"), Value(world.ids["b_item"], "B")],
        "member_id": [Value(world.ids["a_member"], "A"), Value(world.ids["b_member"], "B")],
        "token_id": [Value(world.ids["a_token"], "A"), Value(world.ids["b_token"], "B")],
        "key": [Value(a["themes"][0], "A"), Value("no-such-theme", None)],
        "secret": [Value(world.secrets["a_person"], "A",
                         reveals=frozenset(holder.markers.values())),
                   Value("x" * 43, None)],
        "request_id": [Value(999_999, None)],
        "answer": [Value("accept", None), Value("decline", None)],
        "fmt": [Value("csv", None), Value("xlsx", None), Value("pdf", None),
                Value("docx", None), Value("txt", None)],
    }


def addresses(rule_args: set[str], fill: dict[str, list[Value]]
              ) -> Iterator[dict[str, Value]]:
    """The caller's own address (each part's first value), then each part swapped for
    each other value in turn."""
    base = {name: fill[name][0] for name in rule_args}
    yield base
    for name in sorted(rule_args):
        for other in fill[name][1:]:
            yield {**base, name: other}


def visible_marks(world: World, caller: str | None) -> set[str]:
    """Every mark ``caller`` may see somewhere (the walk's own oracle, written from the
    promise in docs/security.md, not from the code)."""
    if caller is None:
        return set()
    event, group = SCOPES[caller]
    role = ROLES[caller]
    group_id = {"A1": world.a["groups"][0]}.get(group)
    marks: set[str] = set()
    if role == "organizer":  # the team of their events: only organisers see it
        marks |= {m for staff_event, *named in world.staff for m in named
                  if event in (None, staff_event)}
    for person in world.people:
        if event is not None and person.event != event:
            continue
        if role in ("organizer", "desk"):
            marks |= set(person.markers.values())
            continue
        if person.status != "registered":
            continue  # nothing of anyone who does not take part
        if group_id is not None and person.group != group_id:
            continue
        marks.add(person.name)
        if person.shows_organization:
            marks.add(person.organization)
    return marks


def every_mark(world: World) -> set[str]:
    """Every mark of the world, those of the erased person included."""
    marks = {m for p in world.people for m in p.markers.values()}
    marks |= {m for _, *named in world.staff for m in named}
    return marks | {"Qzname erased", "qzmail.erased@example.org", "Qzorg erased"}


def squeeze(text: str) -> str:
    """Text without white space (PDF and DOCX text breaks lines and runs anywhere)."""
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def walk(migrated, tmp_path_factory) -> Iterator[tuple[Flask, World]]:
    """The world, built once for the walk, on its own database."""
    from tests.conftest import make_app

    folder = tmp_path_factory.mktemp("walk")
    with own_database(folder, migrated) as url:
        app = make_app(url, folder)
        world = gate_world(app)
        yield app, world
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def permission_of(app: Flask, endpoint: str, method: str) -> str | None:
    """The permission a route's view names for ``method`` (None: none named)."""
    view = app.view_functions[endpoint]
    handler = getattr(getattr(view, "view_class", None), method.lower(), None) or view
    return getattr(handler, "permission", None)


def in_scope(caller: str, address: dict[str, Value]) -> bool:
    """Whether every part of the address lies inside the caller's event and group."""
    event, group = SCOPES[caller]
    for value in address.values():
        if event is not None and value.event not in (None, event):
            return False
        if group is not None and value.group is not None and value.group != group:
            return False
    return True


def crosses_events(address: dict[str, Value]) -> bool:
    """Whether the address mixes one event's id with another event's thing."""
    return len({v.event for v in address.values() if v.event is not None}) > 1


def test_every_route_is_known_to_the_walk(walk):
    app, world = walk
    fill = fillings(world)
    unknown = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC:
            continue
        missing = set(rule.arguments) - set(fill)
        if missing:
            unknown.append(f"{rule.rule}: cannot fill {sorted(missing)}")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            permission = permission_of(app, rule.endpoint, method)
            if permission is None:
                unknown.append(f"{method} {rule.rule}: names no permission")
    assert unknown == [], "teach the walk these routes:\n" + "\n".join(unknown)


@pytest.mark.parametrize("caller", CALLERS, ids=[c or "nobody" for c in CALLERS])
def test_no_door_shows_a_caller_more_than_their_scope(walk, caller):
    app, world = walk
    fill = fillings(world)
    hidden = {squeeze(m) for m in every_mark(world) - visible_marks(world, caller)}
    client = app.test_client()
    headers = bearer(world.tokens[caller]) if caller else {}
    if caller:
        assert sign_in(client, world.tokens[caller]).status_code == 302
    adapter = app.url_map.bind("localhost")
    leaks, wrongly_allowed, asked = [], [], 0
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint in ("static", "web.static", "apidocs.asset"):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            permission = permission_of(app, rule.endpoint, method)
            for address in addresses(set(rule.arguments), fill):
                path = adapter.build(rule.endpoint, {k: v.value for k, v in address.items()},
                                     method=method)
                allowed = permission is not None and caller is not None and \
                    permission in ROLE_PERMISSIONS[ROLES[caller]] and in_scope(caller, address)
                if method in WRITES and (permission is None or allowed) and not (
                        allowed and crosses_events(address)):
                    continue  # a write the caller may make changes the world: not here
                answer = getattr(client, method.lower())(
                    path, headers=headers if rule.rule.startswith("/api/") else {})
                asked += 1
                where = f"{method} {path} as {caller or 'nobody'} -> {answer.status_code}"
                assert answer.status_code < 500, where
                if method in WRITES and permission is not None and \
                        200 <= answer.status_code < 300:
                    wrongly_allowed.append(where)
                text = squeeze(text_of(answer.content_type, answer.get_data()))
                mine = {squeeze(m) for v in address.values() for m in v.reveals}
                seen = sorted(m for m in hidden - mine if m in text)
                if seen:
                    leaks.append(f"{where}: {', '.join(seen[:4])}")
    assert asked > 200
    assert wrongly_allowed == [], "\n".join(wrongly_allowed[:40])
    assert leaks == [], "\n".join(leaks[:40])
