"""Telling people their working group: the announcement after publishing, and change
notices to those a later published allocation moved. Each message carries a calendar entry
(RFC 5545, through ``icalendar``) whose UID is fixed per person and event, so a change
updates the entry people already have instead of adding a second one."""

from __future__ import annotations

import functools
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from icalendar import Calendar
from icalendar import Event as CalendarEvent
from sqlalchemy import func, select

from allocator import i18n, mailer
from allocator.access import PUBLIC, person_view
from allocator.extensions import db
from allocator.models import ACTIVE, Assignment, Event, Message, Participant, WorkingGroup, utcnow
from allocator.services import audit, conflict, outbox, programme, team, tickets, waitlist
from allocator.services.allocation import published_run, published_run_id
from allocator.services.events import require_open
from allocator.services.invitations import message_context


def calendar_entry(event: Event, person: Participant, group: WorkingGroup,
                   facilitators: list[str], sequence: int) -> str:
    """One VEVENT as iCalendar text in the reader's language: the working groups' slot of
    the programme if there is one, else the event's times; the group's room at the venue."""
    slot = programme.working_groups_slot(event)
    domain = mailer.sender_address(current_app.config["MAIL_FROM"]).domain
    cal = Calendar()
    cal.add("prodid", "-//allocator//working groups//EN")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    entry = CalendarEvent()
    entry.add("uid", f"event-{event.id}-participant-{person.id}@{domain}")
    entry.add("sequence", sequence)
    entry.add("dtstamp", utcnow())
    entry.add("dtstart", slot.starts_at if slot else event.starts_at)
    entry.add("dtend", slot.ends_at if slot else event.ends_at)
    entry.add("summary", f"{event.name}: {group.name}")
    entry.add("location", ", ".join(part for part in (group.room, event.venue) if part))
    lines = [_("Working group: %(name)s", name=group.name),
             _("Theme: %(title)s", title=group.theme.title)]
    if facilitators:
        lines.append(ngettext("Facilitator: %(names)s", "Facilitators: %(names)s",
                              len(facilitators), names=", ".join(facilitators)))
    entry.add("description", "\n".join(lines))
    cal.add_component(entry)
    return cal.to_ical().decode()


def _placements(event: Event) -> list[tuple[Participant, WorkingGroup]]:
    run_id = published_run_id(event)
    if run_id is None:
        conflict("Nothing is published yet: publish an allocation before telling people "
                 "their groups.", type_="/problems/nothing-published")
    return list(db.session.execute(
        select(Participant, WorkingGroup)
        .join(Assignment, Assignment.participant_id == Participant.id)
        .join(WorkingGroup, WorkingGroup.id == Assignment.group_id)
        .where(Assignment.run_id == run_id, Participant.erased_at.is_(None),
               Participant.status.in_(ACTIVE))
        .order_by(Participant.id)).all())


def notify(event: Event, kind: str, *, again: bool = False) -> dict[str, Any]:
    """Tell everyone in the published allocation who has not yet been told their current
    group: newcomers get the announcement, people whose group changed a change notice;
    nobody is told the same group twice unless ``again`` (then everyone, once more).
    ``kind`` ("groups" or "changes") is what the organiser pressed; both reach the same
    people. Returns how many were queued, to whom (ids)."""
    require_open(event)
    placements = _placements(event)
    facilitators: dict[int, list[str]] = {}
    for person, group in placements:
        # named to their group's members: what anyone may see of them (person_view)
        shown = person_view(PUBLIC, {"full_name": person.full_name, "status": person.status,
                                     "erased_at": person.erased_at})
        if person.role == "facilitator" and shown:
            facilitators.setdefault(group.id, []).append(shown["full_name"])
    # the group each person was last told (a message that failed for good told nobody)
    announced = (Message.event_id == event.id, Message.kind.in_(("groups", "change")),
                 Message.status != "failed")
    told = dict(db.session.execute(
        select(Message.participant_id, Message.group_id)
        .where(*announced, Message.id.in_(select(func.max(Message.id)).where(*announced)
                                          .group_by(Message.participant_id)))).all())
    sent_before = dict(db.session.execute(
        select(Message.participant_id, func.count()).where(
            Message.event_id == event.id, Message.kind.in_(("groups", "change")))
        .group_by(Message.participant_id)).all())
    context = message_context(event)
    slot = programme.working_groups_slot(event)
    if slot is not None:  # "When" in the message: the groups' own slot of the morning
        context["slot"] = i18n.lazy(
            lambda: i18n.in_zone(event, programme.span(event, slot), slot.starts_at))
    queued: list[int] = []
    for person, group in placements:
        if told.get(person.id) == group.id and not again:
            continue  # told this very group already
        moved = person.id in told and told[person.id] != group.id
        others = [name for name in facilitators.get(group.id, []) if name != person.full_name]
        ics = functools.partial(calendar_entry, event, person, group,
                                facilitators.get(group.id, []), sent_before.get(person.id, 0))
        tickets.ensure(person)  # the message shows it; sending writes nothing
        # a facilitator's announcement carries their group's sign-in link (the team)
        link = team.for_facilitator(event, person, group) \
            if person.role == "facilitator" else None
        outbox.queue(person, "change" if moved else "groups",
                     {**context, "group": group, "facilitators": others,
                      "is_facilitator": person.role == "facilitator"},
                     calendar=ics, group_id=group.id, link=link)
        queued.append(person.id)
    waiting = _tell_waiting(event, context, again)
    audit.record(f"notifications.{kind}", event_id=event.id, subject=("event", event.id),
                 details={"participants": queued, "again": again, "waiting": waiting})
    db.session.commit()
    outbox.kick()
    return {"queued": len(queued) + len(waiting), "participant_ids": queued + waiting}


def _tell_waiting(event: Event, context: dict[str, Any], again: bool) -> list[int]:
    """Queue a "waiting" message to each person on the published allocation's waiting list
    not told yet (all of them ``again``): their number on the list and whom to ask."""
    run = published_run(event)
    told = set(db.session.scalars(select(Message.participant_id).where(
        Message.event_id == event.id, Message.kind == "waiting",
        Message.status != "failed")))
    queued = []
    for entry in waitlist.waiting(event, run, worded=False):
        person = entry["person"]
        if person.id in told and not again:
            continue
        outbox.queue(person, "waiting", {**context, "position": entry["position"]})
        queued.append(person.id)
    return queued
