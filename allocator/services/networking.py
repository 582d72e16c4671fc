"""Networking by consent: the opt-in directory, contact exchange by meet code, and each
person's contacts after the workshop.

The rule everything here keeps: **nobody is visible to anyone unless they chose it, and
nothing about a person is revealed to someone they did not accept.**

- Only people taking part (registered or checked in, not erased, of an event that still
  holds personal data) use any of it, each through their own personal link.
- The directory lists only people who ticked "list me" (off by default), with their name
  and only the fields they ticked; it is searched by name and by the fields they share,
  never by what they hid.
- A meet code (``MEET:`` and 16 base-32 characters, 80 bits, made from a salt with the
  server's key; only its hash is stored) is a different secret from the check-in ticket:
  neither works as the other. Sending a code always answers the same, whoever or nobody it
  belongs to; the addressee alone sees the request, and only acceptance shows each what
  the other chose to share.
- Organisers see numbers (:func:`figures`), never who met whom; the audit log records
  that someone sent or answered a request, never with whom.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, case, delete, func, or_, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from allocator.errors import Forbidden, Invalid, NotFound, TooMany
from allocator.extensions import db
from allocator.i18n import country_name, person_language, speaking
from allocator.models import (
    ACTIVE,
    SHARED_FIELDS,
    AuthThrottle,
    ContactRequest,
    Event,
    Message,
    NetworkingProfile,
    Participant,
    UTCDateTime,
    utcnow,
)
from allocator.services import audit, outbox
from allocator.services.events import closed_reason
from allocator.services.invitations import message_context, new_link
from allocator.services.taxonomy import for_event
from allocator.validation import fold

MEET_PREFIX = "MEET"
MEET_LENGTH = 16  # base-32 characters: 80 bits
PER_PAGE = 20  # the directory's page; there is no bulk export
# What people agree to when they list themselves (kept with its version on their profile)
CONSENT_TEXT = _l("I agree that the people taking part in this workshop may find me in its "
                  "directory, with my name and the details I ticked, until the event's "
                  "personal data is deleted. I can switch this off at any time.")
CONSENT_VERSION = "n1"
FIELD_WORDS = {"organization": _l("Organisation"), "sector": _l("Sector"),
               "country": _l("Country"), "email": _l("E-mail"), "themes": _l("Themes I chose")}
SHAREABLE = (*SHARED_FIELDS, "themes")


def taking_part(person: Participant, event: Event) -> None:
    """Forbidden unless ``person`` takes part in ``event`` (registered or checked in, not
    erased) and the event still holds personal data."""
    if (person.status not in ACTIVE or person.erased_at is not None
            or closed_reason(event.ends_at, event.retention_days, event.purged_at)):
        raise Forbidden("Networking is open to the people taking part in the workshop, "
                        "once they have registered.")


def profile(person: Participant) -> NetworkingProfile:
    """The person's networking profile (created, unlisted and sharing nothing, on first
    use; the caller commits)."""
    found = db.session.get(NetworkingProfile, person.id)
    if found is None:
        found = NetworkingProfile(participant_id=person.id, event_id=person.event_id,
                                  listed=False, fields=[], about="")
        db.session.add(found)
        db.session.flush()
    return found


def set_directory(person: Participant, event: Event, data: dict[str, Any]) -> dict[str, Any]:
    """Store the person's choice: ``listed`` (bool), ``fields`` (a subset of
    organization, sector, country, email, themes), ``about`` (up to 200 characters).
    Listing needs the consent, stored with its version; unlisting takes effect at once."""
    taking_part(person, event)
    mine = profile(person)
    if "fields" in data:
        unknown = sorted(set(data["fields"]) - set(SHAREABLE))
        if unknown:
            raise Invalid({"fields": [f"Not a field one can share: {', '.join(unknown)}."]})
        mine.fields = [f for f in SHAREABLE if f in data["fields"]]
    if "about" in data:
        mine.about = " ".join(str(data["about"]).split())[:200]
    if "listed" in data:
        mine.listed = bool(data["listed"])
        if mine.listed:
            mine.consent_version, mine.consented_at = CONSENT_VERSION, utcnow()
    mine.updated_at = utcnow()
    audit.record("networking.directory", event_id=event.id,
                 subject=("participant", person.id), actor="invitee",
                 details={"listed": mine.listed, "fields": mine.fields})
    db.session.commit()
    return me(person, event)


# --- the meet code ----------------------------------------------------------------------

def _make_code(salt: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"meet:{salt}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode()[:MEET_LENGTH]


def normalise_code(text: str) -> str:
    """What a typed or scanned code is compared as: upper case, only base-32 characters,
    without the ``MEET:`` prefix and the spaces or dashes people type ("meet:abcd-efgh …"
    and "ABCDEFGH…" are the same code)."""
    text = (text or "").upper().strip()
    if text.startswith(MEET_PREFIX + ":"):
        text = text[len(MEET_PREFIX) + 1:]
    return re.sub(r"[^A-Z2-7]", "", text)


def _hash(code: str) -> str:
    return hashlib.sha256(f"meet:{code}".encode()).hexdigest()


def meet_code(person: Participant, event: Event) -> str:
    """The person's meet code as it is shown and scanned: ``MEET:XXXX-XXXX-XXXX-XXXX``
    (made on first use; only its hash is stored)."""
    taking_part(person, event)
    mine = profile(person)
    if mine.meet_salt is None:
        mine.meet_salt = secrets.token_urlsafe(24)
        mine.meet_hash = _hash(_make_code(mine.meet_salt))
        db.session.commit()
    code = _make_code(mine.meet_salt)
    return f"{MEET_PREFIX}:" + "-".join(code[i:i + 4] for i in range(0, MEET_LENGTH, 4))


# --- contact requests -------------------------------------------------------------------

SENT = {"sent": True, "detail": "Sent. If the code is theirs and they accept, you will see "
                                "each other's contact details here."}


def request_contact(person: Participant, event: Event, code: str) -> dict[str, Any]:
    """Ask the owner of ``code`` to exchange contacts. The answer is the same whoever or
    nobody the code belongs to (a ticket, an erased person's, one's own, a typo); two
    people who asked each other are contacts at once. 422 only for an empty code."""
    taking_part(person, event)
    typed = normalise_code(code)
    if len(typed) < 4:
        raise Invalid({"code": ["Type the code shown on the other person's page."]})
    digest = _hash(typed[:64])
    owner = db.session.scalar(
        select(Participant).join(NetworkingProfile,
                                 NetworkingProfile.participant_id == Participant.id)
        .where(NetworkingProfile.meet_hash == digest, Participant.event_id == event.id,
               Participant.status.in_(ACTIVE), Participant.erased_at.is_(None)))
    to_id = owner.id if owner is not None and owner.id != person.id else None
    exists = db.session.scalar(select(ContactRequest).where(
        ContactRequest.from_id == person.id, ContactRequest.code_hash == digest))
    if exists is None:
        request = ContactRequest(event_id=event.id, from_id=person.id, to_id=to_id,
                                 code_hash=digest, status="pending")
        db.session.add(request)
        if to_id is not None:
            theirs = db.session.scalar(select(ContactRequest).where(
                ContactRequest.from_id == to_id, ContactRequest.to_id == person.id,
                ContactRequest.status == "pending"))
            if theirs is not None:  # both asked: both agreed
                now = utcnow()
                theirs.status = request.status = "accepted"
                theirs.answered_at = request.answered_at = now
        audit.record("networking.requested", event_id=event.id,
                     subject=("participant", person.id), actor="invitee")
    db.session.commit()
    return dict(SENT)


def _theirs(event: Event, request_id: int, person: Participant) -> ContactRequest:
    """A pending request to ``person`` (404 for any other id: another's, answered, gone)."""
    found = db.session.scalar(select(ContactRequest).where(
        ContactRequest.id == request_id, ContactRequest.event_id == event.id,
        ContactRequest.to_id == person.id, ContactRequest.status == "pending"))
    if found is None:
        raise NotFound("No such request waits for your answer.")
    return found


def answer_request(person: Participant, event: Event, request_id: int,
                   accept: bool) -> dict[str, Any]:
    """Accept or decline a request made to ``person``; a decline tells the requester
    nothing. Returns what the page shows."""
    taking_part(person, event)
    request = _theirs(event, request_id, person)
    request.status, request.answered_at = ("accepted" if accept else "declined"), utcnow()
    audit.record("networking.accepted" if accept else "networking.declined",
                 event_id=event.id, subject=("participant", person.id), actor="invitee")
    db.session.commit()
    return contacts(person, event)


def _live(event: Event) -> Any:
    """People of the event who take part and are not erased (a subquery of ids)."""
    return select(Participant.id).where(Participant.event_id == event.id,
                                        Participant.status.in_(ACTIVE),
                                        Participant.erased_at.is_(None))


@dataclass
class Shown:
    """What one person shows another: a name and only the fields they chose to share."""

    participant_id: int
    full_name: str
    details: dict[str, str]
    about: str

    def as_dict(self) -> dict[str, Any]:
        """The JSON form (no id: the other person is not addressable by it)."""
        return {"full_name": self.full_name, **self.details, "about": self.about}


def _shown(event: Event, person: Participant, mine: NetworkingProfile | None) -> Shown:
    """``person`` as they chose to be seen (their profile's fields and line)."""
    words = for_event(event)
    fields = list(mine.fields) if mine is not None else []
    details: dict[str, str] = {}
    if "organization" in fields and person.organization:
        details["organization"] = person.organization
    if "sector" in fields and person.sector:
        details["sector"] = words.label(person.sector)
    if "country" in fields and person.country:
        details["country"] = country_name(person.country)
    if "email" in fields:
        details["email"] = person.email
    if "themes" in fields and person.preference_keys:
        titles = {t.key: t.title for t in event.themes}
        details["themes"] = ", ".join(titles.get(k, k) for k in person.preference_keys)
    return Shown(person.id, person.full_name, details, mine.about if mine else "")


def contacts(person: Participant, event: Event) -> dict[str, Any]:
    """What the person's page shows of exchanges: requests waiting for their answer (the
    requester's name only), the requests they sent (when, never to whom or how they
    ended unless accepted), and accepted contacts with what each chose to share."""
    taking_part(person, event)
    live = _live(event)
    incoming = db.session.execute(
        select(ContactRequest.id, Participant.full_name)
        .join(Participant, Participant.id == ContactRequest.from_id)
        .where(ContactRequest.to_id == person.id, ContactRequest.status == "pending",
               ContactRequest.from_id.in_(live))
        .order_by(ContactRequest.id)).all()
    sent = db.session.scalars(select(ContactRequest.created_at).where(
        ContactRequest.from_id == person.id, ContactRequest.status != "accepted")
        .order_by(ContactRequest.id)).all()
    return {"incoming": [{"id": rid, "full_name": name} for rid, name in incoming],
            "sent": [{"sent_at": at.isoformat()} for at in sent],
            "accepted": [c.as_dict() for c in accepted(person, event)]}


def accepted(person: Participant, event: Event) -> list[Shown]:
    """The person's accepted contacts, by name, each as they chose to be seen."""
    rows = db.session.scalars(select(ContactRequest).where(
        ContactRequest.event_id == event.id, ContactRequest.status == "accepted",
        or_(ContactRequest.from_id == person.id, ContactRequest.to_id == person.id)))
    other_ids = {r.to_id if r.from_id == person.id else r.from_id for r in rows}
    if not other_ids:
        return []
    people = db.session.scalars(select(Participant).where(
        Participant.id.in_(other_ids), Participant.id.in_(_live(event))))
    profiles = {p.participant_id: p for p in db.session.scalars(
        select(NetworkingProfile).where(NetworkingProfile.participant_id.in_(other_ids)))}
    shown = [_shown(event, p, profiles.get(p.id)) for p in people]
    return sorted(shown, key=lambda s: (fold(s.full_name), s.participant_id))


def vcards(people: list[Shown]) -> str:
    """The contacts as one vCard 3.0 file (vobject writes it): name, organisation, e-mail
    and a note with what else they chose to share."""
    import vobject

    out = []
    for shown in people:
        card = vobject.vCard()
        card.add("fn").value = shown.full_name
        parts = shown.full_name.rsplit(" ", 1)
        card.add("n").value = vobject.vcard.Name(
            family=parts[-1], given=parts[0] if len(parts) > 1 else "")
        if shown.details.get("organization"):
            card.add("org").value = [shown.details["organization"]]
        if shown.details.get("email"):
            mail = card.add("email")
            mail.value, mail.type_param = shown.details["email"], "INTERNET"
        note = "; ".join(f"{FIELD_WORDS[k]}: {v}" for k, v in shown.details.items()
                         if k in ("sector", "country", "themes"))
        if shown.about:
            note = (note + "; " if note else "") + shown.about
        if note:
            card.add("note").value = note
        out.append(card.serialize())
    return "".join(out)


# --- the directory ----------------------------------------------------------------------

def _count_hit(key: str, window_s: int) -> int:
    """Count one request under ``key`` in a fixed window (one atomic statement, on every
    worker and host); how many were counted in this window so far."""
    now = utcnow()
    dialect = db.session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    column = AuthThrottle.__table__.c
    stale = column.window_start < bindparam("cutoff", now - dt.timedelta(seconds=window_s),
                                            type_=UTCDateTime)
    started = bindparam("now", now, type_=UTCDateTime)
    statement = insert(AuthThrottle.__table__).values(
        client=key[:64], window_start=now, failures=1).on_conflict_do_update(
        index_elements=[column.client],
        set_={"failures": case((stale, 1), else_=column.failures + 1),
              "window_start": case((stale, started), else_=column.window_start)},
    ).returning(column.failures)
    count = db.session.execute(statement).scalar_one()
    db.session.commit()
    return int(count)


def directory(person: Participant, event: Event, link_hash: str,
              args: dict[str, Any]) -> dict[str, Any]:
    """One page of the event's directory for ``person``: the people who chose to be listed
    (never the unlisted, the withdrawn, declined or erased), each as they chose to be seen;
    searched by name (``q``) and by ``sector``, ``country`` and ``theme`` among those who
    share them. At most DIRECTORY_PER_MINUTE pages a minute per link (429 beyond)."""
    taking_part(person, event)
    limit = current_app.config.get("DIRECTORY_PER_MINUTE", 60)
    if _count_hit(f"dir:{link_hash[:40]}", 60) > limit:
        raise TooMany("Too many directory searches from this page; wait a minute.",
                      retry_after=60)
    rows = db.session.execute(
        select(Participant, NetworkingProfile)
        .join(NetworkingProfile, NetworkingProfile.participant_id == Participant.id)
        .where(NetworkingProfile.listed.is_(True), Participant.event_id == event.id,
               Participant.id.in_(_live(event)), Participant.id != person.id)).all()
    # what one can filter by: only values people chose to share
    facets: dict[str, set[str]] = {"sector": set(), "country": set(), "theme": set()}
    for other, mine in rows:
        if "sector" in mine.fields and other.sector:
            facets["sector"].add(other.sector)
        if "country" in mine.fields and other.country:
            facets["country"].add(other.country)
        if "themes" in mine.fields:
            facets["theme"].update(other.preference_keys)
    wanted = fold(args.get("q") or "").split()
    sector, country, theme = args.get("sector"), args.get("country"), args.get("theme")
    found = []
    for other, mine in rows:
        shared = set(mine.fields)
        if wanted and not all(w in fold(other.full_name) for w in wanted):
            continue
        if sector and not ("sector" in shared and other.sector == sector):
            continue
        if country and not ("country" in shared and other.country == country):
            continue
        if theme and not ("themes" in shared and theme in other.preference_keys):
            continue
        found.append(_shown(event, other, mine))
    found.sort(key=lambda s: (fold(s.full_name), s.participant_id))
    page = max(1, int(args.get("page") or 1))
    start = (page - 1) * PER_PAGE
    return {"items": [s.as_dict() for s in found[start:start + PER_PAGE]],
            "total": len(found), "page": page, "per_page": PER_PAGE,
            "facets": {name: sorted(values) for name, values in facets.items()}}


def me(person: Participant, event: Event) -> dict[str, Any]:
    """What the person's own networking section shows: their choice and their contacts."""
    taking_part(person, event)
    mine = db.session.get(NetworkingProfile, person.id)
    return {"listed": bool(mine and mine.listed),
            "fields": list(mine.fields) if mine else [],
            "about": mine.about if mine else "",
            "consent_text": CONSENT_TEXT, "consent_version": CONSENT_VERSION,
            "shown_as": _shown(event, person, mine).as_dict(),
            **contacts(person, event)}


# --- organisers' numbers, after the workshop, erasure -----------------------------------

def figures(event: Event) -> dict[str, int]:
    """How many people are listed, requests sent, exchanges accepted: numbers only."""
    live = _live(event)
    listed = db.session.scalar(select(func.count()).select_from(NetworkingProfile).where(
        NetworkingProfile.event_id == event.id, NetworkingProfile.listed.is_(True),
        NetworkingProfile.participant_id.in_(live))) or 0
    requests = db.session.scalar(select(func.count()).select_from(ContactRequest).where(
        ContactRequest.event_id == event.id, ContactRequest.from_id.in_(live))) or 0
    accepted_count = db.session.scalar(select(func.count()).select_from(ContactRequest).where(
        ContactRequest.event_id == event.id, ContactRequest.status == "accepted",
        ContactRequest.from_id.in_(live), ContactRequest.to_id.in_(live))) or 0
    return {"listed": int(listed), "requests": int(requests), "accepted": int(accepted_count)}


def queue_contact_lists(now: dt.datetime | None = None) -> int:
    """Once an event has ended, queue one e-mail per person with accepted contacts, listing
    them with a vCard file (once per person); how many were queued."""
    now = now or utcnow()
    queued = 0
    for event in db.session.scalars(select(Event).where(
            Event.purged_at.is_(None), Event.ends_at < now)):
        if closed_reason(event.ends_at, event.retention_days, event.purged_at):
            continue
        told = select(Message.participant_id).where(Message.event_id == event.id,
                                                    Message.kind == "contacts")
        people = db.session.scalars(select(Participant).where(
            Participant.id.in_(_live(event)), Participant.id.not_in(told),
            Participant.id.in_(select(ContactRequest.from_id).where(
                ContactRequest.event_id == event.id, ContactRequest.status == "accepted")
                .union(select(ContactRequest.to_id).where(
                    ContactRequest.event_id == event.id,
                    ContactRequest.status == "accepted")))))
        for person in people:
            with speaking(person_language(person, event)):  # sector and country words
                found = accepted(person, event)
                card = vcards(found)
            if not found:
                continue
            outbox.queue(person, "contacts",
                         {**message_context(event), "contacts": found,
                          "field_words": FIELD_WORDS}, link=new_link(person),
                         vcard=card)
            queued += 1
        db.session.commit()
    if queued:
        outbox.kick()
    return queued


def forget_person(participant_id: int) -> None:
    """Erasure: the person's profile and every exchange they are on either side of go, and
    unsent contact lists of their event (rebuilt without them on the next round)."""
    event_id = db.session.scalar(select(Participant.event_id).where(
        Participant.id == participant_id))
    db.session.execute(delete(NetworkingProfile).where(
        NetworkingProfile.participant_id == participant_id))
    db.session.execute(delete(ContactRequest).where(or_(
        ContactRequest.from_id == participant_id, ContactRequest.to_id == participant_id)))
    if event_id is not None:
        db.session.execute(delete(Message).where(
            Message.event_id == event_id, Message.kind == "contacts",
            Message.status != "sent"))


def forget_event(event_id: int) -> None:
    """Purge: every profile and exchange of the event goes."""
    db.session.execute(delete(NetworkingProfile).where(
        NetworkingProfile.event_id == event_id))
    db.session.execute(delete(ContactRequest).where(ContactRequest.event_id == event_id))
