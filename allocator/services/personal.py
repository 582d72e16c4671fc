"""An invitee's own page: who the link opens for, and their answer."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import select

from allocator.access import hash_secret
from allocator.extensions import db
from allocator.models import ACTIVE, Event, Participant, PersonalLink, utcnow
from allocator.services import audit, conflict, invalid, outbox, tickets
from allocator.services.events import closed_reason, consent_of
from allocator.services.invitations import answers_open, message_context, new_link
from allocator.services.participants import (
    commit_change,
    event_themes,
    refresh_search_key,
    set_preferences,
    veto_errors,
)


@dataclass
class Visit:
    """A live link and whom it opens for."""

    link: PersonalLink
    person: Participant
    event: Event

    @property
    def open_for_answers(self) -> bool:
        """Whether the page still takes answers: before the registration deadline, and
        not once the person is checked in (they are here; the desk changes the rest)."""
        return answers_open(self.event) and self.person.status != "checked_in"


def find(secret: str) -> Visit | None:
    """The visit a link's secret opens, or None: unknown, revoked, erased, withdrawn, or the
    event no longer holds personal data. No difference is told apart to the visitor."""
    if not secret or len(secret) > 100:
        return None
    link = db.session.scalar(select(PersonalLink).where(
        PersonalLink.secret_hash == hash_secret(secret), PersonalLink.revoked_at.is_(None)))
    if link is None:
        return None
    person = db.session.get(Participant, link.participant_id)
    event = db.session.get(Event, link.event_id)
    if (person is None or event is None or person.erased_at is not None
            or person.status == "withdrawn"
            or closed_reason(event.ends_at, event.retention_days, event.purged_at)):
        return None
    return Visit(link=link, person=person, event=event)


def form_token(visit: Visit) -> str:
    """The page's CSRF token: bound to this link and the app's secret (no session needed)."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"personal-page:{visit.link.secret_hash}".encode(),
                    "sha256").hexdigest()


def opened(visit: Visit) -> None:
    """Record that the page was opened (the first time on the link; every time audited)."""
    if visit.link.opened_at is None:
        visit.link.opened_at = utcnow()
    audit.record("personal_page.opened", event_id=visit.event.id,
                 subject=("participant", visit.person.id), actor="invitee")
    db.session.commit()


def _answer_of(person: Participant) -> tuple:
    """What a confirmation reports: the answer and the fields given with it."""
    return (person.status, person.full_name, person.organization, person.sector,
            person.country, tuple(person.preference_keys))


def answer(visit: Visit, data: dict[str, Any]) -> Participant:
    """Store an invitee's answer: accept (registered, with preferences and consent) or
    decline; a confirmation with a fresh link is queued in the same transaction. 409 after
    the registration deadline."""
    event, person = visit.event, visit.person
    if not visit.open_for_answers:
        conflict("Answers are closed for this event.", type_="/problems/answers-closed")
    before = _answer_of(person)
    now = utcnow()
    if data["answer"] == "accept":
        for name in ("full_name", "organization", "sector", "country",
                     "badge_shows_organization", "language"):
            if name in data:
                setattr(person, name, data[name])
        themes = event_themes(event)
        errors = veto_errors(data.get("preferences") or [], data.get("vetoes") or [],
                             {key: theme.title for key, theme in themes.items()})
        if errors:
            invalid(errors)
        set_preferences(person, data.get("preferences") or [], themes)
        person.vetoes = list(data.get("vetoes") or [])
        if person.status not in ACTIVE:
            person.status = "registered"
        person.consent, person.consent_at = True, now
        person.consent_version = consent_of(event.consent_text)[1]
        refresh_search_key(person)
    else:
        if data.get("language") and not person.language:
            person.language = data["language"]
        person.status = "declined"
        person.checked_in_at = None
        person.ticket_salt = None  # the ticket ends; a scan of it says they declined
    visit.link.answered_at = now
    audit.record(f"invitation.{'accepted' if data['answer'] == 'accept' else 'declined'}",
                 event_id=event.id, subject=("participant", person.id), actor="invitee")
    db.session.flush()
    if _answer_of(person) != before:
        # One confirmation of the latest answer: an unsent one is replaced, and the same
        # answer sent again writes nothing (a link cannot flood the person's inbox).
        outbox.drop_queued(person.id, ("confirmation",))
        if data["answer"] == "accept":
            tickets.ensure(person)  # the confirmation shows it; sending writes nothing
        outbox.queue(person, "confirmation",
                     {**message_context(event), "answer": data["answer"]},
                     link=new_link(person))
    commit_change(person)
    outbox.kick()
    return person


def choose_language(visit: Visit, code: str) -> Participant:
    """Store the language the person reads (one of the six UN languages, checked by the
    caller's schema): their pages and messages speak it from now on."""
    person = visit.person
    if person.language != code:
        person.language = code
        audit.record("participant.language", event_id=visit.event.id,
                     subject=("participant", person.id), actor="invitee")
        db.session.commit()
    return person
