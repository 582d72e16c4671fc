"""Tickets: a QR code per registered participant, scanned at the desk to check them in.

A ticket's code is random: ``HMAC(SECRET_KEY, "ticket:" + salt)`` with a fresh 128-bit
``salt`` per issue, never derived from the person's id or e-mail. The database keeps the
salt and the SHA-256 of the code; the code itself is stored nowhere, so a copy of the
database alone cannot make tickets. Rotating draws a new salt (the old code is dead);
withdrawal, declining and erasure end the ticket. The QR code holds
``ALC1:<event id>:<code>`` (26 base-32 characters, 130 bits): nothing about the person.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import select, update

from allocator.errors import NotFound
from allocator.extensions import db
from allocator.models import ACTIVE, Assignment, Event, Participant, WorkingGroup
from allocator.services import audit, conflict, invalid, participants
from allocator.services.allocation import published_run_id
from allocator.services.codes import (  # noqa: F401  (what tickets are made of, used here too)
    CODE_LENGTH,
    PREFIX,
    code_hash,
    holds_ticket,
    make_code,
    qr_png,
    qr_svg,
    text,
)
from allocator.services.events import require_open
from allocator.services.participants import (
    commit_change,
    get_participant,
    refuse_erased,
    with_groups,
)
from allocator.services.wording import duty_words

MAX_SCANNED = 200  # what a scanner or a hand types; anything longer is not a ticket
_SCANNED = re.compile(r"ALC1[:;] ?(\d{1,9}) ?[:;] ?([A-Za-z2-7][A-Za-z2-7 -]{25,39})",
                      re.IGNORECASE)
_BARE = re.compile(r"[A-Za-z2-7][A-Za-z2-7 -]{25,39}")


def _issue_missing(people: list[Participant]) -> list[Participant]:
    """Give a ticket to those of ``people`` who may hold one and have none, in the
    caller's transaction (the caller commits). Each UPDATE holds only while the row still
    has no ticket and is registered and not erased: two first prints never make two
    tickets, and an erasure committed meanwhile is never written over."""
    missing = [p for p in people if p.ticket_salt is None and holds_ticket(p)]
    for person in missing:
        salt = secrets.token_hex(16)
        db.session.execute(update(Participant).where(
            Participant.id == person.id, Participant.ticket_salt.is_(None),
            Participant.status.in_(ACTIVE), Participant.erased_at.is_(None)).values(
            ticket_salt=salt, ticket_hash=code_hash(make_code(salt)))
            .execution_options(synchronize_session=False))
    return missing


def ensure(person: Participant) -> None:
    """Issue the person's ticket, if they have none, in the caller's transaction: done
    when a message that shows it is queued, so that sending it writes nothing."""
    for fresh in _issue_missing([person]):
        db.session.refresh(fresh)


def payloads(people: list[Participant]) -> dict[int, str]:
    """The QR texts of many people at once ({participant id: text}), issuing the missing
    tickets with one commit (badges for a hundred people: one commit, not a hundred).
    People who may not hold a ticket (not registered, erased) are left out."""
    missing = _issue_missing(people)
    if missing:
        db.session.commit()
        for person in missing:
            db.session.refresh(person)
    found = {p.id: text(p) for p in people}
    return {pid: code for pid, code in found.items() if code is not None}


def payload(person: Participant) -> str:
    """The text in the person's QR code, issuing their ticket on first use; 409 for
    someone not registered (invited, declined, withdrawn) or erased."""
    code = payloads([person]).get(person.id)
    if code is None:
        conflict(f"{person.full_name} is not registered, so has no ticket.",
                 type_="/problems/no-ticket")
    return code


def rotate(event: Event, participant_id: int) -> Participant:
    """A new ticket for someone whose ticket was lost or shared; the old code is dead."""
    require_open(event)
    person = get_participant(event, participant_id)
    refuse_erased(person)
    if person.status not in ACTIVE or person.erased_at is not None:
        conflict(f"{person.full_name} is not registered, so has no ticket.",
                 type_="/problems/no-ticket")
    salt = secrets.token_hex(16)
    person.ticket_salt, person.ticket_hash = salt, code_hash(make_code(salt))
    audit.record("ticket.rotated", event_id=event.id, subject=("participant", person.id))
    commit_change(person)
    return person


@dataclass
class Scan:
    """What the desk says aloud after a scan."""

    person: Participant
    group: WorkingGroup | None
    facilitators: list[str]
    already_checked_in_at: dt.datetime | None
    where: str = ""  # where to send them, in words (see where_to_go)


def parse(scanned: str) -> tuple[int | None, str]:
    """``(event id or None, code)`` from what a scanner typed (the QR text, or the code
    alone typed by hand, in any case, with spaces or hyphens); 422 otherwise."""
    scanned = (scanned or "").strip()
    if len(scanned) > MAX_SCANNED:
        invalid({"code": ["This is not a ticket of this workshop (far too long)."]})
    found = _SCANNED.fullmatch(scanned)
    if found:
        event_id, code = int(found.group(1)), found.group(2)
    elif _BARE.fullmatch(scanned):
        event_id, code = None, scanned
    else:
        invalid({"code": ["This is not a ticket of this workshop: scan the QR code on the "
                          "badge, the e-mail or the person's page."]})
    code = re.sub(r"[\s-]", "", code).upper()
    if len(code) != CODE_LENGTH:
        invalid({"code": ["This ticket code is incomplete: scan it again."]})
    return event_id, code


def check_in(event: Event, scanned: str) -> Scan:
    """Check in the person whose ticket was scanned. A second scan is no error: it says
    since when they are checked in. Unknown and forged tickets (404), another event's and
    ended ones (409) are refused with the reason."""
    require_open(event)
    event_id, code = parse(scanned)
    if event_id is not None and event_id != event.id:
        conflict("This ticket is for another event.", type_="/problems/other-event")
    person = db.session.scalar(select(Participant).where(
        Participant.ticket_hash == code_hash(code)))
    if person is None:
        raise NotFound("This ticket is unknown: mistyped, forged, or replaced by a newer "
                       "one. Find the person by name instead.",
                       type_="/problems/unknown-ticket")
    if person.event_id != event.id:
        conflict("This ticket is for another event.", type_="/problems/other-event")
    if person.ticket_salt is None or person.status not in ACTIVE:
        reason = {"withdrawn": "withdrew", "declined": "declined the invitation"}.get(
            person.status, "no longer holds this ticket")
        conflict(f"{person.full_name} {reason}: this ticket is not valid. Register them "
                 "again at the desk if they are taking part.", type_="/problems/ticket-ended",
                 participant_id=person.id)
    already = None if participants.mark_checked_in(event, person, ticket_hash=code_hash(code)) \
        else person.checked_in_at
    run_id = published_run_id(event)
    group = None if run_id is None else db.session.scalar(
        select(WorkingGroup).join(Assignment, Assignment.group_id == WorkingGroup.id)
        .where(Assignment.run_id == run_id, Assignment.participant_id == person.id))
    return Scan(person, group, facilitators(event, group, run_id), already,
                where_to_go(person, group, run_id is not None))


def where_to_go(person: Participant, group: WorkingGroup | None, published: bool) -> str:
    """What the desk tells someone about their place, in words: their group and room;
    that they lead the programme (in no group); that they are not in the published
    allocation yet (ask the organisers); or that nothing is published yet."""
    if group is not None:
        return group.name + (f", {group.room}" if group.room else "")
    if person.leads_programme:
        return f"{duty_words(person.duties)}: in no working group"
    if published:
        return "Not in the published allocation yet — ask the organisers"
    return "No group published yet"


def facilitators(event: Event, group: WorkingGroup | None, run_id: int | None) -> list[str]:
    """Names of the participants with the role facilitator in ``group`` in the published
    allocation ``run_id``."""
    if group is None or run_id is None:
        return []
    # From the event's few facilitators (a partial index) to their assignments (the
    # primary key), never through the group's thousands of members.
    return list(db.session.scalars(
        select(Participant.full_name)
        .join(Assignment, (Assignment.participant_id == Participant.id)
              & (Assignment.run_id == run_id))
        .where(Participant.event_id == event.id, Participant.role == "facilitator",
               Assignment.group_id == group.id, Participant.status.in_(ACTIVE))
        .order_by(Participant.full_name)))


def roster(event: Event) -> list[dict[str, object]]:
    """What the desk caches to look people up while offline: for everyone registered or
    checked in (not invited, withdrawn or erased) their id, name, status, published group
    and room, and the SHA-256 of their ticket code (a scanned code is
    recognised offline; the code cannot be made from it). No e-mail, nothing else."""
    people = list(db.session.scalars(select(Participant).where(
        Participant.event_id == event.id, Participant.status.in_(ACTIVE),
        Participant.erased_at.is_(None)).order_by(Participant.full_name, Participant.id)))
    with_groups(event, people)
    return [{"id": p.id, "name": p.full_name, "status": p.status,
             "group": p.published_group["name"] if p.published_group else None,
             "room": p.published_group["room"] if p.published_group else None,
             "ticket": p.ticket_hash if p.ticket_salt else None} for p in people]
