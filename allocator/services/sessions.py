"""Page sessions: ending them (sign-out, revocation) and clearing out expired ones."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete

from allocator.extensions import db
from allocator.models import WebSession, utcnow


def end_session(row_id: int) -> None:
    """Delete one session row now (sign-out, expiry) and commit."""
    db.session.execute(delete(WebSession).where(WebSession.id == row_id))
    db.session.commit()


def end_sessions_of_token(token_id: int) -> int:
    """Sign out every browser signed in with this token (in the caller's transaction)."""
    return db.session.execute(
        delete(WebSession).where(WebSession.token_id == token_id)).rowcount or 0


def purge_expired_sessions(now: dt.datetime | None = None) -> int:
    """Delete sessions past their absolute lifetime; return how many."""
    count = db.session.execute(delete(WebSession).where(
        WebSession.expires_at <= (now or utcnow()))).rowcount or 0
    db.session.commit()
    return count
