"""The event's team: organisers give staff access from the pages, without a shell.

A member has a role (organizer, desk, viewer, facilitator; a facilitator perhaps one
working group) held by a token of their own that nobody ever sees (its name carries no
personal data: ``team-<random>``), and a personal sign-in link sent by e-mail through
the outbox: 256 random bits, only the SHA-256 kept, valid for ``LINK_DAYS`` days; a new
link replaces the old one. Opening it starts a page session with the member's token;
removing the member revokes the token, which ends every session it started at once.

Registered facilitators placed in a group become members too (:func:`for_facilitator`):
the group announcement carries their group's link. Organisers also make and revoke plain
API tokens here (shown once). Everything is audited by id.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from allocator import i18n
from allocator.access import hash_secret
from allocator.errors import Invalid
from allocator.extensions import db
from allocator.models import ApiToken, Event, Participant, TeamMember, WorkingGroup, utcnow
from allocator.services import audit, commit_or_conflict, conflict, event_row, outbox
from allocator.services.events import require_open
from allocator.services.invitations import local_time, message_context
from allocator.services.sessions import end_sessions_of_token
from allocator.services.tokens import create_token, issue_token, revoke_token

LINK_DAYS = 14
ROLE_WORDS = {"organizer": _l("organiser"), "desk": _l("registration desk"),
              "viewer": _l("viewer"), "facilitator": _l("facilitator")}


def get_member(event: Event, member_id: int) -> TeamMember:
    """The event's team member (removed ones too), or NotFound."""
    return event_row(TeamMember, member_id, event.id, "Team member")


def members(event: Event) -> list[TeamMember]:
    """The event's team, by name (removed members left out)."""
    return list(db.session.scalars(select(TeamMember).where(
        TeamMember.event_id == event.id, TeamMember.removed_at.is_(None))
        .order_by(TeamMember.name, TeamMember.id)))


def _group(event: Event, role: str, group_id: int | None) -> WorkingGroup | None:
    if group_id is None:
        return None
    if role != "facilitator":
        raise Invalid({"group_id": ["Only a facilitator is limited to a working group."]})
    group = db.session.get(WorkingGroup, group_id)
    if group is None or group.event_id != event.id:
        raise Invalid({"group_id": ["Choose one of this event's working groups."]})
    return group


def sign_in_url(secret: str) -> str:
    """The sign-in link's address on PUBLIC_URL (never the request's Host)."""
    return f"{current_app.config['PUBLIC_URL'].rstrip('/')}/sign-in/{secret}"


def _new_link(member: TeamMember) -> str:
    """A fresh sign-in link for ``member`` (the old one stops working); its address."""
    secret = secrets.token_urlsafe(32)
    member.link_hash = hash_secret(secret)
    member.link_expires_at = utcnow() + dt.timedelta(days=LINK_DAYS)
    member.link_sent_at = utcnow()
    return sign_in_url(secret)


def _member(event: Event, name: str, email: str, role: str, group: WorkingGroup | None,
            participant_id: int | None = None) -> TeamMember:
    """In the caller's transaction: a new member with a token of their own, audited."""
    token, _ = issue_token(role, f"team-{secrets.token_hex(6)}", event.id,
                           group.id if group else None)
    member = TeamMember(event_id=event.id, token_id=token.id, name=name, email=email,
                        role=role, group_id=group.id if group else None,
                        participant_id=participant_id)
    db.session.add(member)
    db.session.flush()
    audit.record("team.member_added", event_id=event.id, subject=("team_member", member.id),
                 details={"role": role, "group_id": member.group_id,
                          "participant_id": participant_id})
    return member


def _send_link(event: Event, member: TeamMember, url: str) -> None:
    group = db.session.get(WorkingGroup, member.group_id) if member.group_id else None
    outbox.queue(member, "team", {
        **message_context(event), "role": ROLE_WORDS[member.role], "group": group,
        "until_words": i18n.lazy(lambda: i18n.in_zone(
            event, local_time(event, member.link_expires_at), member.link_expires_at))},
        link=url)


def add_member(event: Event, data: dict[str, Any]) -> TeamMember:
    """Give someone access to the event (``name``, ``email``, ``role``, for a facilitator
    perhaps ``group_id``): a token of their own and a sign-in link by e-mail. Conflict
    when someone of the team already has that e-mail."""
    require_open(event)
    group = _group(event, data["role"], data.get("group_id"))
    if db.session.scalar(select(TeamMember.id).where(
            TeamMember.event_id == event.id, TeamMember.email == data["email"],
            TeamMember.removed_at.is_(None))) is not None:
        conflict("Someone of the team already has this e-mail address.",
                 type_="/problems/duplicate-member")
    member = _member(event, data["name"], data["email"], data["role"], group)
    _send_link(event, member, _new_link(member))
    commit_or_conflict("Someone of the team already has this e-mail address.",
                       type_="/problems/duplicate-member")
    outbox.kick()
    return member


def send_new_link(event: Event, member_id: int) -> TeamMember:
    """Send the member a new sign-in link (the old one stops working at once)."""
    require_open(event)
    member = get_member(event, member_id)
    if member.removed_at is not None:
        raise Invalid(None, f"{member.name} was removed from the team; add them again.")
    _send_link(event, member, _new_link(member))
    audit.record("team.link_sent", event_id=event.id, subject=("team_member", member.id))
    db.session.commit()
    outbox.kick()
    return member


def remove_member(event: Event, member_id: int) -> TeamMember:
    """End the member's access: their link, their token and every page session it
    started, at once. Removing twice changes nothing."""
    member = get_member(event, member_id)
    if member.removed_at is None:
        member.removed_at = utcnow()
        member.link_hash = None
        member.link_expires_at = None
        _revoke(member.token_id)
        outbox.drop_member_queued(member.id)
        audit.record("team.member_removed", event_id=event.id,
                     subject=("team_member", member.id))
        db.session.commit()
    return member


def _revoke(token_id: int) -> None:
    token = db.session.get(ApiToken, token_id)
    if token is not None and token.revoked_at is None:
        token.revoked_at = utcnow()
        end_sessions_of_token(token.id)


@dataclass
class SignIn:
    """What a sign-in link opens: whose it is and the token it signs in with."""

    member: TeamMember
    event: Event


def by_link(secret: str) -> SignIn | None:
    """The member a sign-in link's secret opens, or None (unknown, replaced, expired,
    removed, or the event closed): no difference told apart to the visitor."""
    from allocator.services.events import closed_reason

    if not secret or len(secret) > 100:
        return None
    member = db.session.scalar(select(TeamMember).where(
        TeamMember.link_hash == hash_secret(secret), TeamMember.removed_at.is_(None)))
    if member is None or member.link_expires_at is None or member.link_expires_at <= utcnow():
        return None
    token = db.session.get(ApiToken, member.token_id)
    event = db.session.get(Event, member.event_id)
    if token is None or token.revoked_at is not None or event is None or closed_reason(
            event.ends_at, event.retention_days, event.purged_at):
        return None
    return SignIn(member, event)


def signed_in(visit: SignIn) -> int:
    """Record a sign-in by link; the token id the page session holds."""
    audit.record("team.signed_in", event_id=visit.event.id,
                 subject=("team_member", visit.member.id), actor=f"team-{visit.member.id}")
    db.session.commit()
    return visit.member.token_id


def for_facilitator(event: Event, person: Participant, group: WorkingGroup) -> str:
    """In the caller's transaction: the sign-in link (a new one) of a registered
    facilitator placed in ``group``, making them a member of the team first if they are
    not; the member's group follows their placement. Its address."""
    member = db.session.scalar(select(TeamMember).where(
        TeamMember.event_id == event.id, TeamMember.participant_id == person.id,
        TeamMember.removed_at.is_(None)))
    if member is None:
        member = db.session.scalar(select(TeamMember).where(
            TeamMember.event_id == event.id, TeamMember.email == person.email,
            TeamMember.removed_at.is_(None)))
    if member is None:
        member = _member(event, person.full_name, person.email, "facilitator", group,
                         participant_id=person.id)
    elif member.role == "facilitator" and member.group_id != group.id:
        member.group_id = group.id
        token = db.session.get(ApiToken, member.token_id)
        token.group_id = group.id
    return _new_link(member)


def forget_person(participant_id: int) -> None:
    """In the caller's transaction: an erased participant's team record goes (name and
    e-mail), and their access with it."""
    for member in db.session.scalars(select(TeamMember).where(
            TeamMember.participant_id == participant_id)):
        _revoke(member.token_id)
        db.session.delete(member)


def forget_event(event_id: int) -> None:
    """In the caller's transaction: the purged event's team (names, e-mails) goes, and
    every access with it."""
    for member in db.session.scalars(select(TeamMember).where(
            TeamMember.event_id == event_id)):
        _revoke(member.token_id)
        db.session.delete(member)


# --- API tokens, made on the Team page -------------------------------------------------

def api_tokens(event: Event) -> list[ApiToken]:
    """The event's API tokens that are not a team member's, active first."""
    held = select(TeamMember.token_id)
    return list(db.session.scalars(select(ApiToken).where(
        ApiToken.event_id == event.id, ApiToken.id.not_in(held))
        .order_by(ApiToken.revoked_at.is_not(None), ApiToken.id)))


def new_api_token(event: Event, data: dict[str, Any]) -> str:
    """An API token for this event (``role``, ``name``, for a facilitator perhaps
    ``group_id``); its full text, shown this once."""
    require_open(event)
    group = _group(event, data["role"], data.get("group_id"))
    return create_token(data["role"], data["name"], event.id, group.id if group else None)


def revoke_api_token(event: Event, token_id: int) -> ApiToken:
    """Revoke one of the event's API tokens (a member's goes with the member)."""
    token = event_row(ApiToken, token_id, event.id, "Token")
    if db.session.scalar(select(TeamMember.id).where(TeamMember.token_id == token.id)):
        raise Invalid(None, "This token is a team member's: remove the member instead.")
    return revoke_token(token.public_id)


def unsent_links(event: Event) -> dict[int, str]:
    """{member id: the sign-in link of their newest message not sent yet}: what the Team
    page shows to hand over while no mail server is set up."""
    from allocator.models import Message

    links: dict[int, str] = {}
    for member_id, link in db.session.execute(
            select(Message.member_id, Message.link).where(
                Message.event_id == event.id, Message.member_id.is_not(None),
                Message.status != "sent", Message.link.is_not(None))
            .order_by(Message.id)):
        links[member_id] = link
    return links
