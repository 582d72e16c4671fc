"""Worlds built through the services (not through HTTP): an event, its people, runs and
tokens in a few service calls, each validated by the same schemas the doors use."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from flask import Flask

from allocator.access import Principal
from allocator.api.schemas import EventIn, GroupIn, ParticipantIn, ThemeIn
from allocator.extensions import db
from allocator.models import Participant, PersonalLink

YEAR = dt.date.today().year + 1
THEMES = [("structured-cooperation", "Structured Cooperation"),
          ("information-sharing", "Information Sharing"),
          ("non-traditional-stakeholders", "Non-Traditional Stakeholders")]
SECTORS = ["government", "civil_society", "private_sector", "academia", "media",
           "parliament", "international_organization"]


def make_event(name: str = "Building the Bridges", themes: int = 3, capacity: int = 10,
               **fields: Any) -> dict[str, Any]:
    """An event with ``themes`` of the aide-memoire's themes and one group per theme:
    {"id", "groups": [ids], "themes": [keys]}. Needs an app context."""
    from allocator.services import events

    event = events.create_event(EventIn().load({
        "name": name, "starts_at": f"{YEAR}-02-15T09:30:00", "ends_at": f"{YEAR}-02-15T12:30:00",
        "timezone": "Europe/Vienna", "venue": "Vienna International Centre", **fields}))
    keys, groups = [], []
    for number, (key, title) in enumerate(THEMES[:themes], start=1):
        events.create_theme(event, ThemeIn().load({"key": key, "title": title}))
        group = events.create_group(event, GroupIn().load({
            "name": f"WG{number}", "theme": key, "room": f"Room {number}",
            "capacity": capacity}))
        keys.append(key)
        groups.append(group.id)
    return {"id": event.id, "groups": groups, "themes": keys}


def register(event_id: int, **fields: Any) -> int:
    """Register one person (a valid registration, ``fields`` overriding); their id."""
    from allocator.services import participants
    from allocator.services.events import get_event
    from allocator.services.taxonomy import for_event, using

    body = {"full_name": "Erika Mustermann", "email": "erika@example.org",
            "organization": "Ministry of the Interior", "sector": "government",
            "country": "AT", "gender": "female", "preferences": [], "consent": True,
            **fields}
    with using(for_event(get_event(event_id))):
        data = ParticipantIn().load(body)
    return participants.register(event_id, data)["id"]


def token(role: str, name: str, event_id: int | None = None,
          group_id: int | None = None) -> str:
    """A new token's full text."""
    from allocator.services.tokens import create_token

    return create_token(role, name, event_id, group_id)


def publish_allocation(event_id: int, time_limit_s: float = 5) -> int:
    """Allocate everyone registered and publish it; the run's id."""
    from allocator.services import allocation
    from allocator.services.events import get_event

    event = get_event(event_id)
    run = allocation.allocate(event, {"include": ["registered", "checked_in"],
                                      "time_limit_s": time_limit_s})
    allocation.publish(event, run.id)
    return run.id


def draft_allocation(event_id: int, time_limit_s: float = 5) -> int:
    """Allocate everyone registered without publishing; the run's id."""
    from allocator.services import allocation
    from allocator.services.events import get_event

    run = allocation.allocate(get_event(event_id), {"include": ["registered", "checked_in"],
                                                    "time_limit_s": time_limit_s})
    return run.id


def placements(run_id: int) -> dict[int, int]:
    """{participant id: group id} of a run."""
    from allocator.models import Assignment

    return dict(db.session.execute(db.select(Assignment.participant_id, Assignment.group_id)
                                   .where(Assignment.run_id == run_id)).all())


def personal_link(participant_id: int) -> str:
    """A fresh personal link's secret for this person (their own page: /i/<secret>)."""
    import secrets

    from allocator.access import hash_secret

    person = db.session.get(Participant, participant_id)
    secret = secrets.token_urlsafe(32)
    db.session.add(PersonalLink(event_id=person.event_id, participant_id=person.id,
                                secret_hash=hash_secret(secret)))
    db.session.commit()
    return secret


@dataclass
class Marked:
    """A person of a world, by the strings that would reveal them."""

    id: int
    event: str  # "A" or "B"
    name: str
    email: str
    organization: str
    shows_organization: bool
    status: str
    group: int | None = None

    @property
    def markers(self) -> dict[str, str]:
        """field -> the string that shows it."""
        return {"full_name": self.name, "email": self.email,
                "organization": self.organization}


@dataclass
class World:
    """Two events with people marked by unique strings, runs, a recommendation, tokens of
    every kind of caller (see :func:`gate_world`)."""

    a: dict[str, Any]
    b: dict[str, Any]
    people: list[Marked] = field(default_factory=list)
    tokens: dict[str, str] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)
    staff: list[tuple[str, str, str]] = field(default_factory=list)  # (event, name, e-mail)


def gate_world(app: Flask) -> World:
    """Event A (three groups, people who take part, some who show their organisation, one
    withdrawn, one declined, one only invited, one erased; a published and a draft run; a
    recommendation) and event B (its own people and run); a token for every caller kind:
    organiser, organiser of B only, desk, viewer, facilitator of A's first group,
    facilitator of the whole of A."""
    from allocator.services import participants, privacy, recommendations
    from allocator.services.events import get_event

    def marked(event: dict[str, Any], label: str, **fields: Any) -> Marked:
        name, email, org = f"Qzname {label}", f"qzmail.{label.lower()}@example.org", \
            f"Qzorg {label}"
        pid = register(event["id"], full_name=name, email=email, organization=org, **fields)
        return Marked(pid, label[0] if label[0] in "AB" else "A", name, email, org,
                      bool(fields.get("badge_shows_organization")), "registered")

    with app.test_request_context():
        a, b = make_event("Gate A"), make_event("Gate B", themes=1)
        world = World(a=a, b=b)
        for n in range(12):
            world.people.append(marked(
                a, f"A{n:02d}", role="facilitator" if n < 3 else "participant",
                sector=SECTORS[n % len(SECTORS)], badge_shows_organization=n % 2 == 0,
                preferences=[a["themes"][n % 3]]))
        event_a = get_event(a["id"])
        for status in ("withdrawn", "declined", "invited"):
            person = marked(a, status, badge_shows_organization=True,
                            **({"status": "invited"} if status != "withdrawn" else {}))
            if status == "withdrawn":
                participants.withdraw(event_a, person.id)
            if status == "declined":
                db.session.get(Participant, person.id).status = "declined"
                db.session.commit()
            person.status = status
            world.people.append(person)
        erased = register(a["id"], full_name="Qzname erased", email="qzmail.erased@example.org",
                          organization="Qzorg erased")
        world.ids["erased"] = erased
        world.ids["a_run"] = publish_allocation(a["id"])
        world.ids["a_draft"] = draft_allocation(a["id"])
        privacy.erase_participant(event_a, erased)
        for n in range(3):
            world.people.append(marked(
                b, f"B{n:02d}", badge_shows_organization=True, preferences=[b["themes"][0]],
                role="facilitator" if n == 0 else "participant"))
        world.ids["b_run"] = publish_allocation(b["id"])
        placed = {**placements(world.ids["a_run"]), **placements(world.ids["b_run"])}
        for person in world.people:
            person.group = placed.get(person.id)
        from allocator.services import rules

        apart = [p.id for p in world.people if p.event == "A"][3:5]
        world.ids["a_rule"] = rules.create_rule(event_a, {
            "kind": "apart", "participant_id": apart[0], "other_id": apart[1]}).id
        organiser = Principal.system("test")
        world.ids["a_recommendation"] = recommendations.create(
            event_a, a["groups"][1], {"title": "Qzrec of the second group"}, organiser).id
        world.ids["b_recommendation"] = recommendations.create(
            get_event(b["id"]), b["groups"][0], {"title": "Qzrec of B"}, organiser).id
        world.tokens = {
            "organizer": token("organizer", "walk-organizer"),
            "organizer_of_b": token("organizer", "walk-organizer-b", b["id"]),
            "desk": token("desk", "walk-desk", a["id"]),
            "viewer": token("viewer", "walk-viewer", a["id"]),
            "facilitator_of_group": token("facilitator", "walk-fac-g1", a["id"], a["groups"][0]),
            "facilitator_of_event": token("facilitator", "walk-fac-a", a["id"]),
        }
        from allocator.models import ApiToken
        from allocator.services import team

        for key, event in (("a", a), ("b", b)):
            member = team.add_member(get_event(event["id"]), {
                "name": f"Qzmember {key.upper()}", "email": f"qzmember.{key}@example.org",
                "role": "desk"})
            world.ids[f"{key}_member"] = member.id
            world.staff.append((key.upper(), member.name, member.email))
            world.ids[f"{key}_token"] = db.session.scalar(db.select(ApiToken.id).where(
                ApiToken.event_id == event["id"], ApiToken.name.like("walk-%")))
        from allocator.services import programme

        for key, event in (("a", a), ("b", b)):
            found = get_event(event["id"])
            world.ids[f"{key}_item"] = programme.add(found, {
                "starts_at": found.starts_at, "ends_at": found.ends_at,
                "title": f"Qzitem {key.upper()}", "kind": "other"}).id
        someone = next(p for p in world.people if p.event == "A" and p.status == "registered")
        world.secrets["a_person"] = personal_link(someone.id)
        world.ids["a_person_id"] = someone.id
    return world
