"""People's rights and retention: export everything held on someone, erase them, and
erase whole events once their retention period has passed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete, select

from allocator.extensions import db
from allocator.idempotency import purge_expired as purge_idempotency
from allocator.models import (
    AllocationRun,
    Assignment,
    AuditEntry,
    Event,
    IdempotencyRecord,
    Participant,
    Rule,
    utcnow,
)
from allocator.services import audit
from allocator.services.participants import get_participant

ERASED_NAME = "Erased participant"
ERASED_ORGANISATION = "erased"


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
            "consent": person.consent, "consent_at": person.consent_at.isoformat(),
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
        "audit": [{"at": e.at.isoformat(), "action": e.action, "actor": e.actor}
                  for e in trail],
    }


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def _anonymise(person: Participant, now: dt.datetime) -> None:
    person.full_name = ERASED_NAME
    person.email = f"erased-{person.id}@erased.invalid"
    person.organization = ERASED_ORGANISATION
    person.country = None
    person.gender = None
    person.search_key = ""
    if person.status != "withdrawn":
        person.status, person.withdrawn_at = "withdrawn", now
    person.erased_at = now


def _scrub_runs(event_id: int, people: set[str] | None) -> None:
    """Remove organisation, gender and country from the runs' stored inputs and figures.

    ``people`` limits it to some participant ids (None: everyone). Sector, theme and
    group figures stay, so statistics stay true.
    """
    for run in db.session.scalars(select(AllocationRun).where(
            AllocationRun.event_id == event_id)):
        if run.problem:
            problem = dict(run.problem)
            problem["participants"] = [
                dict(p, organization=None, country=None, gender=None)
                if people is None or p["id"] in people else p
                for p in problem["participants"]]
            run.problem = problem
        if run.metrics and run.metrics.get("groups"):
            metrics = dict(run.metrics)
            metrics["groups"] = {
                gid: dict(figures, organizations={"distinct": None, "above_fair_share": {}},
                          genders={}, countries={})
                for gid, figures in metrics["groups"].items()}
            run.metrics = metrics


def erase_participant(event: Event, participant_id: int) -> Participant:
    """Anonymise one person now; their allocations stay, as anonymous rows."""
    person = get_participant(event, participant_id)
    if person.erased_at is None:
        now = utcnow()
        _anonymise(person, now)
        db.session.execute(delete(Rule).where(
            (Rule.participant_id == person.id) | (Rule.other_id == person.id)))
        _scrub_runs(event.id, {str(person.id)})
        # Stored POST responses may quote them: retries of this event start afresh.
        db.session.execute(delete(IdempotencyRecord).where(
            IdempotencyRecord.event_id == event.id))
        audit.record("participant.erased", event_id=event.id,
                     subject=("participant", person.id))
        db.session.commit()
    return person


def expired_events(now: dt.datetime) -> list[Event]:
    """Events whose retention period after their end has passed and which hold data."""
    candidates = db.session.scalars(select(Event).where(Event.purged_at.is_(None)))
    return [e for e in candidates
            if e.ends_at + dt.timedelta(days=e.retention_days) <= now]


def purge_expired(now: dt.datetime | None = None) -> dict[str, int]:
    """Erase the personal data of every expired event; safe to run again and again."""
    now = now or utcnow()
    purged_events = purged_people = 0
    for event in expired_events(now):
        people = db.session.scalars(select(Participant).where(
            Participant.event_id == event.id, Participant.erased_at.is_(None))).all()
        for person in people:
            _anonymise(person, now)
        db.session.execute(delete(Rule).where(Rule.event_id == event.id))
        _scrub_runs(event.id, None)
        db.session.execute(delete(IdempotencyRecord).where(
            IdempotencyRecord.event_id == event.id))
        event.purged_at = now
        audit.record("event.purged", event_id=event.id, subject=("event", event.id),
                     details={"participants": len(people)}, actor="purge-expired")
        db.session.commit()
        purged_events += 1
        purged_people += len(people)
    cached = purge_idempotency(now)
    return {"events": purged_events, "participants": purged_people,
            "idempotency_records": cached}
