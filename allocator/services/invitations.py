"""Invitations: personal links to invitees' own pages, and where each invitation stands.

A link's secret is 256 random bits, shown once (in the message that carries it) and stored
only as its SHA-256. Every message with a link gets a fresh one; all of a person's live
links open the same page, which answers until the event's registration deadline.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from allocator import i18n
from allocator.access import hash_secret
from allocator.extensions import db
from allocator.models import ACTIVE, Event, Message, Participant, PersonalLink, utcnow
from allocator.services import audit, conflict, invalid, outbox
from allocator.services.events import closed_reason, require_open
from allocator.services.outbox import end_links
from allocator.services.participants import get_participant, refuse_erased
from allocator.services.taxonomy import for_event

# Who can be sent a link: anyone not withdrawn (registered people can change answers too).
REACHABLE = ("invited", "registered", "checked_in", "declined")


def closes_at(event: Event) -> dt.datetime:
    """When invitees' pages stop taking answers: the deadline, or else the event's start."""
    return event.registration_closes_at or event.starts_at


def answers_open(event: Event, now: dt.datetime | None = None) -> bool:
    """Whether invitees can still answer or change their answer."""
    return (now or utcnow()) < closes_at(event)


def personal_url(secret: str) -> str:
    """The page a link opens, on the configured PUBLIC_URL (never the request's Host)."""
    return f"{current_app.config['PUBLIC_URL'].rstrip('/')}/i/{secret}"


def new_link(person: Participant) -> str:
    """A fresh link to ``person``'s page in the caller's transaction; its URL."""
    secret = secrets.token_urlsafe(32)
    db.session.add(PersonalLink(event_id=person.event_id, participant_id=person.id,
                                secret_hash=hash_secret(secret)))
    return personal_url(secret)


def local_time(event: Event, at: dt.datetime) -> str:
    """An instant as people at the event read it, in the event's time zone and the
    reader's language: "Friday, 15 February 2008, 09:00"."""
    return i18n.date_time(event, at)


def when(event: Event) -> str:
    """The event's day and hours in the reader's words: "Friday, 15 February 2008,
    09:00–17:00, Central European Standard Time"."""
    return i18n.day_and_hours(event, event.starts_at, event.ends_at)


def closes_words(event: Event) -> str:
    """The answers' deadline with its time zone, in the reader's words."""
    closes = closes_at(event)
    return i18n.in_zone(event, local_time(event, closes), closes)


def message_context(event: Event) -> dict[str, Any]:
    """What every message about ``event`` may show: the event, its themes, when it is,
    the deadline for answers, whom to contact (dates are worded when each message is
    written, in its reader's language)."""
    return {"event": event, "themes": list(event.themes), "when": i18n.lazy(when, event),
            "closes": i18n.lazy(closes_words, event),
            "taxonomy": for_event(event), "contact": event.contact_email}


def queue_with_links(event: Event, people: list[Participant], kind: str) -> None:
    """In the caller's transaction: one ``kind`` message per person, each with a new link."""
    context = message_context(event)
    for person in people:
        outbox.queue(person, kind, context, link=new_link(person))


def invite(event: Event, data: dict[str, Any]) -> dict[str, Any]:
    """Queue an invitation (with a new personal link) per invitee not invited yet, or per
    given ``participant_ids`` (``resend`` to send again). 422 naming who cannot be sent one.
    """
    require_open(event)
    if not answers_open(event):
        conflict(f"Answers closed on {closes_at(event):%d %B %Y, %H:%M} UTC; move the "
                 "registration deadline first.", type_="/problems/answers-closed")
    ids = data.get("participant_ids")
    invited_before = select(Message.participant_id).where(
        Message.event_id == event.id, Message.kind == "invitation")
    if ids:
        people = list(db.session.scalars(select(Participant).where(
            Participant.event_id == event.id, Participant.id.in_(ids))))
        found = {p.id: p for p in people}
        for person in people:
            refuse_erased(person)  # erasure is final: 409 before anything else
        errors = [f"Participant {pid} was not found." for pid in ids if pid not in found]
        errors += [f"{p.full_name} is {p.status.replace('_', ' ')}; nobody can be invited "
                   "after withdrawing." for p in people
                   if p.status not in REACHABLE or p.erased_at is not None]
        if errors:
            invalid({"participant_ids": errors})
        if not data.get("resend"):
            already = set(db.session.scalars(invited_before.where(
                Message.participant_id.in_(ids))))
            people = [p for p in people if p.id not in already]
    else:
        # Someone whose links the organiser revoked is invited again only by name.
        revoked = select(PersonalLink.participant_id).where(
            PersonalLink.event_id == event.id, PersonalLink.revoked_at.is_not(None))
        people = list(db.session.scalars(select(Participant).where(
            Participant.event_id == event.id, Participant.status == "invited",
            Participant.erased_at.is_(None), Participant.id.not_in(invited_before),
            Participant.id.not_in(revoked)).order_by(Participant.id)))
    queue_with_links(event, people, "invitation")
    audit.record("invitations.queued", event_id=event.id, subject=("event", event.id),
                 details={"participants": [p.id for p in people]})
    db.session.commit()
    outbox.kick()
    return {"queued": len(people), "participant_ids": [p.id for p in people]}


def revoke(event: Event, participant_id: int) -> Participant:
    """End every link of one person and drop their unsent messages that carry one."""
    require_open(event)
    person = get_participant(event, participant_id)
    end_links(person, "links.revoked")
    db.session.commit()
    return person


def remind(within: dt.timedelta, now: dt.datetime | None = None) -> int:
    """Queue one reminder (with a new link) per invitee who was sent an invitation, has
    not answered, and was not reminded yet, in every event whose answers close within
    ``within``; how many were queued."""
    now = now or utcnow()
    queued = 0
    for event in db.session.scalars(select(Event).where(Event.purged_at.is_(None))):
        if not (now < closes_at(event) <= now + within) or closed_reason(
                event.ends_at, event.retention_days, event.purged_at):
            continue
        invited = select(Message.participant_id).where(
            Message.event_id == event.id, Message.kind == "invitation")
        reminded = select(Message.participant_id).where(
            Message.event_id == event.id, Message.kind == "reminder")
        live = select(PersonalLink.participant_id).where(
            PersonalLink.event_id == event.id, PersonalLink.revoked_at.is_(None))
        people = list(db.session.scalars(select(Participant).where(
            Participant.event_id == event.id, Participant.status == "invited",
            Participant.id.in_(invited), Participant.id.not_in(reminded),
            Participant.id.in_(live)).order_by(Participant.id)))
        queue_with_links(event, people, "reminder")
        if people:
            audit.record("reminders.queued", event_id=event.id, subject=("event", event.id),
                         details={"participants": [p.id for p in people]}, actor="cli")
        db.session.commit()
        queued += len(people)
    if queued:
        outbox.kick()
    return queued


@dataclass
class Standing:
    """Where one person's invitation stands."""

    participant_id: int
    full_name: str
    status: str
    invited_at: dt.datetime | None
    sent_at: dt.datetime | None
    opened_at: dt.datetime | None
    answered_at: dt.datetime | None
    revoked: bool
    messages: list[Message]


def standings(event: Event) -> dict[str, Any]:
    """Per person: invitation queued / sent / opened / answered, their messages (no
    bodies), and the counters invited, accepted, declined, no answer."""
    people = list(db.session.scalars(select(Participant).where(
        Participant.event_id == event.id, Participant.erased_at.is_(None))
        .order_by(Participant.search_key, Participant.id)))
    links = db.session.execute(
        select(PersonalLink.participant_id, func.min(PersonalLink.created_at),
               func.min(PersonalLink.opened_at), func.max(PersonalLink.answered_at),
               func.count(PersonalLink.revoked_at), func.count())
        .where(PersonalLink.event_id == event.id).group_by(PersonalLink.participant_id)).all()
    by_person: dict[int, list[Message]] = {}
    for message in db.session.scalars(select(Message).where(Message.event_id == event.id)
                                      .order_by(Message.id)):
        by_person.setdefault(message.participant_id, []).append(message)
    link_facts = {row[0]: row[1:] for row in links}
    rows = []
    for person in people:
        messages = by_person.get(person.id, [])
        facts = link_facts.get(person.id)
        if facts is None and person.status != "invited":
            continue  # registered at the desk or imported: never invited
        sent = [m.sent_at for m in messages if m.kind == "invitation" and m.sent_at]
        rows.append(Standing(
            participant_id=person.id, full_name=person.full_name, status=person.status,
            invited_at=facts[0] if facts else None, sent_at=min(sent) if sent else None,
            opened_at=facts[1] if facts else None, answered_at=facts[2] if facts else None,
            revoked=bool(facts) and facts[3] == facts[4], messages=messages))
    counts = {"invited": len(rows),
              "accepted": sum(r.status in ACTIVE for r in rows),
              "declined": sum(r.status == "declined" for r in rows),
              "no_answer": sum(r.status == "invited" for r in rows)}
    return {"counts": counts, "people": rows}
