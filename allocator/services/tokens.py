"""API tokens: made at run time, shown once, stored as hashes."""

from __future__ import annotations

from sqlalchemy import or_, select

from allocator.access import hash_secret, new_token_string
from allocator.errors import Invalid
from allocator.extensions import db
from allocator.models import TOKEN_ROLES, ApiToken, Event, WorkingGroup, utcnow
from allocator.services import audit
from allocator.services.sessions import end_sessions_of_token


class TokenError(Invalid):
    """A token cannot be made or revoked as asked (``detail`` says why)."""

    def __init__(self, detail: str) -> None:
        super().__init__(None, detail)


def create_token(role: str, name: str, event_id: int | None = None,
                 group_id: int | None = None) -> str:
    """Create a token and return its full text; only its hash is kept. A facilitator's
    token needs an event and may name one of its working groups."""
    _, token = issue_token(role, name, event_id, group_id)
    db.session.commit()
    return token


def issue_token(role: str, name: str, event_id: int | None = None,
                group_id: int | None = None) -> tuple[ApiToken, str]:
    """In the caller's transaction (the caller commits): a new token row and its full
    text (see :func:`create_token`); TokenError when it cannot be made as asked."""
    name = name.strip()
    if role not in TOKEN_ROLES:
        raise TokenError(f"role must be one of {', '.join(TOKEN_ROLES)}")
    if not name or len(name) > 100:
        raise TokenError("name must be 1 to 100 characters")
    if event_id is not None and db.session.get(Event, event_id) is None:
        raise TokenError(f"event {event_id} does not exist")
    if role == "facilitator" and event_id is None:
        raise TokenError("a facilitator's token is for one event: give --event")
    if group_id is not None:
        if role != "facilitator":
            raise TokenError("only a facilitator's token is limited to a working group")
        group = db.session.get(WorkingGroup, group_id)
        if group is None or group.event_id != event_id:
            raise TokenError(f"event {event_id} has no working group {group_id}")
    taken = db.session.scalar(select(ApiToken.id).where(
        ApiToken.name == name, ApiToken.revoked_at.is_(None)))
    if taken is not None:
        raise TokenError(f"an active token named {name!r} exists; revoke it or pick another name")
    token, public_id, secret = new_token_string()
    record = ApiToken(public_id=public_id, secret_hash=hash_secret(secret), name=name,
                      role=role, event_id=event_id, group_id=group_id)
    db.session.add(record)
    db.session.flush()
    audit.record("token.created", event_id=event_id, subject=("token", record.public_id),
                 details={"role": role})
    return record, token


def revoke_token(name_or_id: str) -> ApiToken:
    """Revoke the active token with this name (or public id)."""
    token = db.session.scalar(select(ApiToken).where(
        ApiToken.revoked_at.is_(None),
        or_(ApiToken.name == name_or_id, ApiToken.public_id == name_or_id),
    ))
    if token is None:
        raise TokenError(f"no active token named {name_or_id!r}")
    token.revoked_at = utcnow()
    end_sessions_of_token(token.id)  # browsers signed in with it are signed out at once
    audit.record("token.revoked", event_id=token.event_id, subject=("token", token.public_id))
    db.session.commit()
    return token


def list_tokens() -> list[ApiToken]:
    """Every token, active ones first."""
    return list(db.session.scalars(
        select(ApiToken).order_by(ApiToken.revoked_at.is_not(None), ApiToken.id)))
