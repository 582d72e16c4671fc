"""Registration at the desk: register, find, change, withdraw, check in."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import url_for
from sqlalchemy import exists, false, func, insert, select
from sqlalchemy import update as sql_update
from sqlalchemy.exc import IntegrityError

from allocator.extensions import db
from allocator.models import (
    ACTIVE,
    MESSAGE_KINDS,
    AllocationRun,
    Assignment,
    Event,
    Participant,
    Preference,
    Theme,
    WorkingGroup,
    utcnow,
)
from allocator.normalise import Taxonomy
from allocator.services import (
    Page,
    audit,
    conflict,
    event_row,
    invalid,
    not_found,
    outbox,
    taxonomy,
    valid_id,
    waitlist,
)
from allocator.services.events import closed_reason, consent_of, require_open
from allocator.services.taxonomy import for_event
from allocator.validation import fold, search_key

EDITABLE = ("full_name", "email", "organization", "sector", "country", "gender", "role",
            "duties", "badge_shows_organization", "language", "vetoes")


def participant_url(event_id: int, participant_id: int) -> str:
    """The API URL of a participant."""
    return url_for("participants.ParticipantItem", event_id=event_id,
                   participant_id=participant_id)


def get_participant(event: Event, participant_id: int) -> Participant:
    """Return the event's participant or answer 404 (also for another event's person)."""
    return event_row(Participant, participant_id, event.id, "Participant")


def with_groups(event: Event, people: list[Participant]) -> list[Participant]:
    """Attach each person's group in the published allocation (what the desk tells them)."""
    for person in people:
        person.published_group = None
    ids = [p.id for p in people if p.status in ACTIVE]
    if not ids:
        return people
    rows = db.session.execute(
        select(Assignment.participant_id, WorkingGroup)
        .join(AllocationRun, AllocationRun.id == Assignment.run_id)
        .join(WorkingGroup, WorkingGroup.id == Assignment.group_id)
        .where(AllocationRun.event_id == event.id, AllocationRun.published.is_(True),
               Assignment.participant_id.in_(ids))
    ).all()
    found = {pid: group for pid, group in rows}
    for person in people:
        group = found.get(person.id)
        if group is not None and person.status in ACTIVE:
            person.published_group = {"id": group.id, "name": group.name, "room": group.room,
                                      "theme": group.theme.key}
    return people


def changeable(event: Event, participant_id: int) -> Participant:
    """The participant, if their record may still change; 409 saying why it may not.

    Nothing is written to an erased person (erasure is final) or to anyone of an event
    that takes no more personal data (purged, or past its retention period).
    """
    require_open(event)
    person = get_participant(event, participant_id)
    refuse_erased(person)
    return person


def not_taking_part(person: Participant) -> str:
    """Why someone who is not registered or checked in cannot be placed, in words."""
    return {
        "invited": f"{person.full_name} has not accepted the invitation yet.",
        "declined": f"{person.full_name} declined the invitation.",
    }.get(person.status, f"{person.full_name} has withdrawn.")


def refuse_erased(person: Participant) -> None:
    """Answer 409 if this person was erased: erasure is final, nothing is written back."""
    if person.erased_at is not None:
        conflict(f"This person's data was erased on {person.erased_at:%d %B %Y}; nothing "
                 "can be written to the record. If they come back, register them anew.",
                 type_="/problems/erased")


def commit_change(person: Participant) -> None:
    """Commit a change to one person; if an erasure committed first (the database's CHECK
    refuses personal data and a status in an erased row), answer its 409 instead."""
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        fresh = db.session.get(Participant, person.id, populate_existing=True)
        if fresh is not None:
            refuse_erased(fresh)
        raise


def read(event: Event, participant_id: int) -> Participant:
    """One participant with their published group, or their place on its waiting list."""
    person = with_groups(event, [get_participant(event, participant_id)])[0]
    if person.published_group is None and person.status in ACTIVE:
        person.waiting_position = waitlist.position(event, person)
    return person


def active_with_email(
    event_id: int, email: str, exclude_id: int | None = None
) -> Participant | None:
    """The event's active (not withdrawn) registration with this e-mail, if any."""
    query = select(Participant).where(
        Participant.event_id == event_id, Participant.email == email,
        Participant.status != "withdrawn",
    )
    if exclude_id is not None:
        query = query.where(Participant.id != exclude_id)
    return db.session.scalar(query)


def duplicate_email(event_id: int, email: str, existing: Participant | None) -> None:
    """Answer 409 naming the registration that already holds this e-mail."""
    extra: dict[str, Any] = {}
    if existing is not None:
        url = participant_url(event_id, existing.id)
        extra = {"existing": url, "existing_id": existing.id, "location": url}
    conflict(
        "Someone is already registered for this event with this e-mail address.",
        type_="/problems/duplicate-registration",
        **extra,
    )


def event_themes(event: Event) -> dict[str, Theme]:
    """The event's themes by key (loaded once, so preferences need no further queries)."""
    return {t.key: t for t in db.session.scalars(select(Theme).where(Theme.event_id == event.id))}


def check_fields(taxonomy: Taxonomy, data: dict[str, Any]) -> dict[str, list[str]]:
    """Field errors that depend on the event (its sectors, its themes), in words naming
    what is allowed. The schemas read these already when they know the event; this is the
    check when input came without one (the CLI, the demo)."""
    errors: dict[str, list[str]] = {}
    if "sector" in data:
        try:
            data["sector"] = taxonomy.sector(data["sector"])
        except ValueError as exc:
            errors["sector"] = [str(exc)]
    if data.get("preferences"):
        try:
            data["preferences"] = taxonomy.themes_of(data["preferences"])
        except ValueError as exc:
            errors["preferences"] = [str(exc)]
    if data.get("vetoes"):
        try:
            data["vetoes"] = taxonomy.themes_of(data["vetoes"])
        except ValueError as exc:
            errors["vetoes"] = [str(exc)]
    if "vetoes" not in errors and "preferences" not in errors:
        errors.update(veto_errors(data.get("preferences") or [], data.get("vetoes") or [],
                                  taxonomy.themes))
    return errors


def veto_errors(preferences: list[str], vetoes: list[str], titles: dict[str, str]
                ) -> dict[str, list[str]]:
    """A theme cannot be both wanted and ruled out ("not this theme"): the field error, in
    words naming the themes by title, or nothing (keys in, ``{"vetoes": [sentence]}``
    out; ``titles`` maps theme keys to titles)."""
    both = [titles.get(key, key) for key in vetoes if key in preferences]
    if not both:
        return {}
    return {"vetoes": [f"{', '.join(both)} cannot be both a preference and a theme they "
                       "cannot take part in."]}


def set_preferences(person: Participant, keys: list[str], themes: dict[str, Theme]) -> None:
    """Replace a person's ranked theme preferences (keys, first choice first)."""
    if person.preferences:
        # Delete first: new rows reuse the same (participant, rank) slots.
        person.preferences.clear()
        db.session.flush()
    person.preferences.extend(
        Preference(theme=themes[key], rank=rank) for rank, key in enumerate(keys, start=1)
    )


def refresh_search_key(person: Participant) -> None:
    """Recompute the folded text a person is found by, after their name or e-mail changed."""
    person.search_key = search_key(person.full_name, person.organization, person.email)


def new_registration(event_id: int, data: dict[str, Any], now: dt.datetime,
                     consent_version: str) -> dict[str, Any]:
    """The columns of a new registration (or, with status ``invited``, of an invitee who
    has given nothing but a name and an e-mail yet) made from validated input at ``now``,
    who agreed to the consent text of ``consent_version``."""
    invited = data.get("status") == "invited"
    organization = data.get("organization") or ""
    return {
        "event_id": event_id,
        "full_name": data["full_name"],
        "email": data["email"],
        "organization": organization,
        "sector": data.get("sector"),
        "country": data.get("country"),
        "gender": data.get("gender"),
        "role": data.get("role", "participant"),
        "duties": list(data.get("duties") or []),
        "vetoes": list(data.get("vetoes") or []),
        "badge_shows_organization": bool(data.get("badge_shows_organization", False)),
        "language": data.get("language"),
        "status": "invited" if invited else "registered",
        "consent": not invited,
        "consent_at": None if invited else now,
        "consent_version": "" if invited else consent_version,
        "search_key": search_key(data["full_name"], organization, data["email"]),
        "created_at": now,
        "updated_at": now,
    }


def build_participant(event: Event, data: dict[str, Any],
                      themes: dict[str, Theme]) -> Participant:
    """A new, unsaved participant from validated input (imports and the demo)."""
    person = Participant(**new_registration(event.id, data, utcnow(),
                                            consent_of(event.consent_text)[1]))
    person.preferences = [
        Preference(theme=themes[key], rank=rank)
        for rank, key in enumerate(data.get("preferences") or [], start=1)
    ]
    return person


# The desk's busiest call runs on Core statements built once: one read (the event's
# sectors and themes together, shared with the schema that read the input), then the
# inserts, then the commit.
_INSERT_PARTICIPANT = insert(Participant.__table__)
_INSERT_PREFERENCES = insert(Preference.__table__)


def register(event_id: int, data: dict[str, Any]) -> dict[str, Any]:
    """Register one person; a second active registration with the same e-mail is a 409.

    Answers the stored registration as a mapping of ``ParticipantOut``'s attributes.
    """
    if not valid_id(event_id):
        not_found(f"Event {event_id}")
    conn = db.session.connection()
    known = taxonomy.facts(event_id)
    if known is None:
        not_found(f"Event {event_id}")
    closed = closed_reason(known.ends_at, known.retention_days, known.purged_at)
    if closed is not None:
        conflict(closed[1], type_=closed[0])
    themes = known.theme_ids
    errors = check_fields(known.taxonomy, data)
    if errors:
        invalid(errors)
    person = new_registration(event_id, data, utcnow(), consent_of(known.consent_text)[1])
    keys = data.get("preferences") or []
    # No look-up first: the unique index refuses a second active registration, and
    # the rare duplicate pays for the query that names the existing person.
    try:
        person["id"] = conn.execute(_INSERT_PARTICIPANT, person).inserted_primary_key[0]
        if keys:
            conn.execute(_INSERT_PREFERENCES, [
                {"participant_id": person["id"], "theme_id": themes[key], "rank": rank}
                for rank, key in enumerate(keys, start=1)])
        audit.record("participant.registered", event_id=event_id,
                     subject=("participant", person["id"]))
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        existing = active_with_email(event_id, data["email"])
        if (existing is not None and existing.status in ("invited", "declined")
                and person["status"] == "registered"):
            return registered_from_invitation(existing, data, themes,
                                              consent_of(known.consent_text)[1])
        duplicate_email(event_id, data["email"], existing)
    # New: no check-in yet, in no published allocation yet.
    return {**person, "preference_keys": keys, "checked_in_at": None, "withdrawn_at": None,
            "published_group": None, "waiting_position": None}


def registered_from_invitation(person: Participant, data: dict[str, Any],
                               themes: dict[str, int], consent_version: str) -> dict[str, Any]:
    """An invitee (who has not answered, or declined) registered at the desk: their record
    becomes the registration, with what the desk entered and their consent."""
    refuse_erased(person)
    for name in EDITABLE:
        if name in data:
            setattr(person, name, data[name])
    person.status, person.consent, person.consent_at = "registered", True, utcnow()
    person.consent_version = consent_version
    keys = data.get("preferences") or []
    if person.preferences:
        person.preferences.clear()
        db.session.flush()
    if keys:
        db.session.execute(_INSERT_PREFERENCES, [
            {"participant_id": person.id, "theme_id": themes[key], "rank": rank}
            for rank, key in enumerate(keys, start=1)])
    refresh_search_key(person)
    audit.record("participant.registered", event_id=person.event_id,
                 subject=("participant", person.id), details={"from": "invitation"})
    commit_change(person)
    db.session.refresh(person)
    return {**{c.key: getattr(person, c.key) for c in Participant.__table__.columns},
            "preference_keys": person.preference_keys, "published_group": None,
            "waiting_position": None}


def update(event: Event, participant_id: int, data: dict[str, Any]) -> Participant:
    """Change a registration; the same rules as registering apply."""
    person = changeable(event, participant_id)
    themes = event_themes(event)
    errors = check_fields(for_event(event), data)
    if not errors and ("vetoes" in data or "preferences" in data):
        errors = veto_errors(data.get("preferences", person.preference_keys),
                             data.get("vetoes", person.vetoes),
                             {key: theme.title for key, theme in themes.items()})
    if errors:
        invalid(errors)
    if "email" in data and data["email"] != person.email and person.status != "withdrawn":
        existing = active_with_email(event.id, data["email"], exclude_id=person.id)
        if existing is not None:
            duplicate_email(event.id, data["email"], existing)
    if "email" in data and data["email"] != person.email:
        # Links and unsent mail went to the old address: they end with it.
        outbox.end_links(person, "links.ended_on_new_address")
        outbox.drop_queued(person.id, MESSAGE_KINDS)
    for name in EDITABLE:
        if name in data:
            setattr(person, name, data[name])
    if "preferences" in data:
        set_preferences(person, data["preferences"], themes)
    refresh_search_key(person)
    audit.record("participant.updated", event_id=event.id, subject=("participant", person.id),
                 details={"fields": sorted(data)})
    try:
        commit_change(person)
    except IntegrityError:
        email = data.get("email", person.email)
        duplicate_email(event.id, email,
                        active_with_email(event.id, email, exclude_id=participant_id))
    return with_groups(event, [person])[0]


def withdraw(event: Event, participant_id: int) -> Participant:
    """Mark a registration withdrawn; the record stays. Withdrawing twice changes nothing."""
    person = changeable(event, participant_id)
    if person.status != "withdrawn":
        person.status = "withdrawn"
        person.withdrawn_at = utcnow()
        person.ticket_salt = None  # the ticket ends; a scan of it says they withdrew
        audit.record("participant.withdrawn", event_id=event.id,
                     subject=("participant", person.id))
        commit_change(person)
    return with_groups(event, [person])[0]


def check_in(event: Event, participant_id: int) -> Participant:
    """Check a person in at the desk (again is fine: nothing changes)."""
    person = changeable(event, participant_id)
    if person.status == "withdrawn":
        conflict(
            "This registration was withdrawn; register the person again to check them in.",
            type_="/problems/withdrawn",
        )
    if person.status in ("invited", "declined"):
        conflict(f"{not_taking_part(person)} Register them at the desk (with their sector "
                 "and consent) to check them in.", type_="/problems/not-registered")
    if person.status != "checked_in":
        mark_checked_in(event, person)
    return with_groups(event, [person])[0]


def mark_checked_in(event: Event, person: Participant, *, ticket_hash: str | None = None) -> bool:
    """Check ``person`` in unless someone did first; True when this call did, False when
    they were in already. One conditional UPDATE, so sixteen desks scanning one ticket at
    once check them in once (and the audit says so once). With ``ticket_hash`` it holds
    only while that ticket is theirs. 409 when a withdrawal, an erasure or a new ticket
    committed in between."""
    now = utcnow()
    where = [Participant.id == person.id, Participant.status == "registered",
             Participant.erased_at.is_(None)]
    if ticket_hash is not None:
        where += [Participant.ticket_hash == ticket_hash, Participant.ticket_salt.isnot(None)]
    changed = db.session.execute(
        sql_update(Participant).where(*where)
        .values(status="checked_in", checked_in_at=now, updated_at=now)
        .execution_options(synchronize_session=False)).rowcount
    if changed:
        audit.record("participant.checked_in", event_id=event.id,
                     subject=("participant", person.id))
    commit_change(person)
    db.session.refresh(person)
    if changed:
        return True
    refuse_erased(person)
    if person.status != "checked_in":
        conflict(f"{not_taking_part(person)} Nobody was checked in." if person.status
                 not in ACTIVE else "This ticket was replaced a moment ago; scan the new "
                 "one or find the person by name.", type_="/problems/check-in-refused")
    return False


def undo_check_in(event: Event, participant_id: int) -> Participant:
    """Undo a check-in made by mistake."""
    person = changeable(event, participant_id)
    if person.status == "withdrawn":
        conflict("This registration was withdrawn.", type_="/problems/withdrawn")
    if person.status == "checked_in":
        person.status = "registered"
        person.checked_in_at = None
        audit.record("participant.check_in_undone", event_id=event.id,
                     subject=("participant", person.id))
        commit_change(person)
    return with_groups(event, [person])[0]


def possible_duplicates(event: Event, data: dict[str, Any],
                        exclude_id: int | None = None) -> list[Participant]:
    """People already registered who may be this person under another e-mail address: the
    same name, spelt however (case, accents, script: the search key's folding)."""
    name = fold(data.get("full_name") or "")
    if not name:
        return []
    query = select(Participant).where(
        Participant.event_id == event.id, Participant.status != "withdrawn",
        Participant.email != data.get("email", ""),
        (Participant.search_key == name)
        | Participant.search_key.like(f"{_like_escape(name)} |%", escape="\\"))
    if exclude_id is not None:
        query = query.where(Participant.id != exclude_id)
    return list(db.session.scalars(query.order_by(Participant.id).limit(5)))


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search(event: Event, args: dict[str, Any]) -> Page:
    """Filter, sort and page the event's participants."""
    query = select(Participant).where(Participant.event_id == event.id)
    for name in ("sector", "status", "role"):
        if args.get(name):
            query = query.where(getattr(Participant, name) == args[name])
    if args.get("theme"):
        query = query.where(exists().where(
            Preference.participant_id == Participant.id,
            Preference.theme_id == Theme.id,
            Theme.key == args["theme"], Theme.event_id == event.id,
        ))
    if args.get("q"):
        terms = fold(args["q"]).split()
        if not terms:  # only punctuation: nothing to look for, so nobody matches
            query = query.where(false())
        for term in terms:
            query = query.where(
                Participant.search_key.like(f"%{_like_escape(term)}%", escape="\\")
            )
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    order = {
        "name": (Participant.search_key, Participant.id),
        "-name": (Participant.search_key.desc(), Participant.id.desc()),
        "created": (Participant.created_at, Participant.id),
        "-created": (Participant.created_at.desc(), Participant.id.desc()),
    }[args.get("sort", "name")]
    page, per_page = args.get("page", 1), args.get("per_page", 50)
    items = list(db.session.scalars(
        query.order_by(*order).offset((page - 1) * per_page).limit(per_page)
    ))
    return Page(items=with_groups(event, items), total=total or 0, page=page,
                per_page=per_page)
