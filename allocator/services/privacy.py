"""People's rights and retention: export everything held on someone, erase them, and
erase whole events once their retention period has passed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import String, cast, delete, exists, func, literal, select, update

from allocator.extensions import db
from allocator.models import (
    AllocationRun,
    Assignment,
    AuditEntry,
    Event,
    Message,
    Participant,
    PersonalLink,
    Rule,
    utcnow,
)
from allocator.models.workshop import ERASED_EMAIL_DOMAIN, ERASED_NAME, ERASED_ORGANISATION
from allocator.services import audit, documents, lock_event, networking, replays, team
from allocator.services.allocation import scrub_run
from allocator.services.events import retention_ends
from allocator.services.participants import get_participant
from allocator.services.sessions import purge_expired_sessions


def export_participant(event: Event, participant_id: int) -> dict[str, Any]:
    """Everything held on one person, as JSON (their right of access)."""
    person = get_participant(event, participant_id)
    groups = {g.id: g for g in event.groups}
    rules = db.session.scalars(select(Rule).where(
        (Rule.participant_id == person.id) | (Rule.other_id == person.id))).all()
    placements = db.session.execute(
        select(Assignment, AllocationRun).join(AllocationRun,
                                               AllocationRun.id == Assignment.run_id)
        .where(Assignment.participant_id == person.id).order_by(AllocationRun.id)).all()
    trail = db.session.scalars(select(AuditEntry).where(
        AuditEntry.subject_type == "participant",
        AuditEntry.subject_id == str(person.id)).order_by(AuditEntry.id)).all()
    messages = db.session.scalars(select(Message).where(
        Message.participant_id == person.id).order_by(Message.id)).all()
    audit.record("participant.exported", event_id=event.id, subject=("participant", person.id))
    db.session.commit()
    return {
        "generated_at": utcnow().isoformat(),
        "event": {"id": event.id, "name": event.name,
                  "retention_days": event.retention_days},
        "participant": {
            "id": person.id, "full_name": person.full_name, "email": person.email,
            "organization": person.organization, "sector": person.sector,
            "country": person.country, "gender": person.gender, "role": person.role,
            "status": person.status, "preferences": person.preference_keys,
            "vetoes": list(person.vetoes or []),
            "consent": person.consent, "consent_at": _iso(person.consent_at),
            "consent_version": person.consent_version,
            "checked_in_at": _iso(person.checked_in_at),
            "withdrawn_at": _iso(person.withdrawn_at), "erased_at": _iso(person.erased_at),
            "created_at": _iso(person.created_at), "updated_at": _iso(person.updated_at),
        },
        "rules": [{"id": r.id, "kind": r.kind, "participant_id": r.participant_id,
                   "other_id": r.other_id, "group_id": r.group_id, "note": r.note,
                   "created_at": _iso(r.created_at)} for r in rules],
        "allocations": [{"run_id": run.id, "published": run.published,
                         "group_id": a.group_id,
                         "group": groups[a.group_id].name if a.group_id in groups else None,
                         "moved_by_organiser": a.moved_at is not None}
                        for a, run in placements],
        "messages": [{"id": m.id, "kind": m.kind, "subject": m.subject, "status": m.status,
                      "created_at": _iso(m.created_at), "sent_at": _iso(m.sent_at)}
                     for m in messages],
        "audit": [{"at": e.at.isoformat(), "action": e.action, "actor": e.actor}
                  for e in trail],
    }


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def _anonymise(now: dt.datetime, *where: Any) -> int:
    """Erase the people ``where`` selects (not erased yet) in one statement; how many.

    Every erased column is written whatever the row holds now: a check-in that committed
    a moment ago is overwritten, never left behind (the ORM would only write what it saw
    change since it read the row).
    """
    table = Participant.__table__
    c = table.c
    return db.session.execute(update(table).where(c.erased_at.is_(None), *where).values(
        full_name=ERASED_NAME, organization=ERASED_ORGANISATION,
        email=literal("erased-") + cast(c.id, String) + literal(f"@{ERASED_EMAIL_DOMAIN}"),
        country=None, gender=None, language=None, search_key="", checked_in_at=None,
        status="withdrawn",
        ticket_salt=None, ticket_hash=None, badge_shows_organization=False, duties=[],
        vetoes=[],
        withdrawn_at=func.coalesce(c.withdrawn_at, now), erased_at=now, updated_at=now,
    )).rowcount or 0


def _scrub_runs(event_id: int, people: set[str] | None) -> None:
    """Remove organisation, gender and country from the runs' stored inputs and figures.

    ``people`` limits it to some participant ids (None: everyone). Sector, theme and
    group figures stay, so statistics stay true.
    """
    for run in db.session.scalars(select(AllocationRun).where(
            AllocationRun.event_id == event_id).execution_options(populate_existing=True)):
        scrub_run(run, people)


def erase_participant(event: Event, participant_id: int) -> Participant:
    """Anonymise one person now; their allocations stay, as anonymous rows."""
    get_participant(event, participant_id)  # 404 before any lock
    lock_event(event.id)  # a run storing its figures, or a rule naming them, waits
    person = db.session.get(Participant, participant_id, populate_existing=True)
    if person.erased_at is None:
        now = utcnow()
        _anonymise(now, Participant.__table__.c.id == person.id)
        db.session.execute(delete(Rule).where(
            (Rule.participant_id == person.id) | (Rule.other_id == person.id)))
        # Queued e-mail is never sent, links end, the outbox forgets the address.
        db.session.execute(delete(Message).where(Message.participant_id == person.id))
        db.session.execute(delete(PersonalLink).where(
            PersonalLink.participant_id == person.id))
        _scrub_runs(event.id, {str(person.id)})
        # Stored POST answers may quote them: emptied, their keys kept as tombstones, so a
        # retried request never writes them back.
        replays.tombstone_event(event.id)
        documents.forget_event(event.id)  # badges and sheets that may show them
        team.forget_person(person.id)  # a facilitator's team record: name, e-mail, access
        networking.forget_person(person.id)  # directory entry, exchanges on both sides
        audit.record("participant.erased", event_id=event.id,
                     subject=("participant", person.id))
        db.session.commit()
        person = db.session.get(Participant, participant_id, populate_existing=True)
    return person


def expired_events(now: dt.datetime) -> list[Event]:
    """Events past their retention period that still hold personal data.

    That is every such event not purged yet, and a purged one that anyone not erased got
    into since (a purge is a promise: a later run catches what slipped in).
    """
    not_erased = exists().where(Participant.event_id == Event.id,
                                Participant.erased_at.is_(None))
    candidates = db.session.scalars(select(Event).where(
        Event.purged_at.is_(None) | not_erased).order_by(Event.id))
    return [e for e in candidates if e.purged_at is not None
            or retention_ends(e.ends_at, e.retention_days) <= now]


def purge_expired(now: dt.datetime | None = None, *, dry_run: bool = False) -> dict[str, Any]:
    """Erase the personal data of every expired event; safe to run again and again.

    With ``dry_run`` nothing changes: the answer lists the events that would be purged
    (id, name, when retention ended) and how many people each holds.
    """
    now = now or utcnow()
    purged_events = purged_people = 0
    listed: list[dict[str, Any]] = []
    for event in expired_events(now):
        people = db.session.scalar(select(func.count()).select_from(Participant).where(
            Participant.event_id == event.id, Participant.erased_at.is_(None))) or 0
        listed.append({"id": event.id, "name": event.name, "people": people,
                       "retention_ended": retention_ends(event.ends_at, event.retention_days),
                       "purged_before": event.purged_at is not None})
        if dry_run:
            continue
        lock_event(event.id)
        people = _anonymise(now, Participant.__table__.c.event_id == event.id)
        db.session.execute(delete(Rule).where(Rule.event_id == event.id))
        db.session.execute(delete(Message).where(Message.event_id == event.id))
        db.session.execute(delete(PersonalLink).where(PersonalLink.event_id == event.id))
        _scrub_runs(event.id, None)
        replays.tombstone_event(event.id)
        documents.forget_event(event.id)
        team.forget_event(event.id)
        networking.forget_event(event.id)
        again = event.purged_at is not None
        event.purged_at = event.purged_at or now
        audit.record("event.purged", event_id=event.id, subject=("event", event.id),
                     details={"participants": people, "again": again},
                     actor="purge-expired")
        db.session.commit()
        purged_events += 1
        purged_people += people
    if dry_run:
        return {"events": len(listed), "participants": sum(e["people"] for e in listed),
                "idempotency_records": 0, "sessions": 0, "would_purge": listed}
    cached = replays.purge_expired(now)
    sessions = purge_expired_sessions(now)
    return {"events": purged_events, "participants": purged_people,
            "idempotency_records": cached, "sessions": sessions, "would_purge": []}
