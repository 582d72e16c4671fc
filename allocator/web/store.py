"""Server-side sessions for the pages: the cookie holds an opaque random id, nothing else.

Flask's default session is a signed cookie: whoever holds a copy holds its contents
(the bearer token, flashed names) for as long as the signature is valid, and signing out
only deletes the browser's copy. Here the database holds the session: a copy of the
cookie is worthless after sign-out, after the token is revoked, after it has been idle
too long and after its absolute lifetime. Only a hash of the id is stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from flask import Flask, Request, Response
from flask.sessions import SessionInterface, SessionMixin
from sqlalchemy import insert, select, update
from werkzeug.datastructures import CallbackDict

from allocator.extensions import db
from allocator.models import WebSession, utcnow
from allocator.services.sessions import end_session

# Sessions before sign-in only carry a CSRF token and a flash; they need not live long.
ANONYMOUS_LIFETIME = dt.timedelta(hours=2)
# last_seen_at is written at most this often (each write would cost every page view).
TOUCH_EVERY = dt.timedelta(seconds=60)


def _hash(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


class ServerSession(CallbackDict, SessionMixin):
    """The session's data, and what the store needs to know to save it."""

    def __init__(self, data: dict[str, Any] | None = None, *, row_id: int | None = None,
                 token_id: int | None = None, touch: bool = False) -> None:
        def changed(_: Any) -> None:
            self.modified = True

        super().__init__(data or {}, changed)
        self.row_id = row_id
        self.loaded_token_id = token_id
        self.touch = touch
        self.modified = False


class DatabaseSessionInterface(SessionInterface):
    """Flask's session, kept in the ``web_sessions`` table (see the module docstring)."""

    def open_session(self, app: Flask, request: Request) -> ServerSession:
        """Load the session the cookie names, if it is still valid; else an empty one."""
        sid = request.cookies.get(self.get_cookie_name(app), "")
        if not sid or len(sid) > 100:
            return ServerSession()
        table = WebSession.__table__
        row = db.session.connection().execute(
            select(table.c.id, table.c.token_id, table.c.data, table.c.last_seen_at,
                   table.c.expires_at).where(table.c.sid_hash == _hash(sid))).first()
        if row is None:
            return ServerSession()
        now = utcnow()
        idle = dt.timedelta(minutes=app.config["SESSION_IDLE_MINUTES"])
        last_seen = row.last_seen_at
        if row.expires_at <= now or now - last_seen > idle:
            end_session(row.id)
            return ServerSession()
        data = dict(row.data or {})
        if row.token_id is not None:
            data["token_id"] = row.token_id
        return ServerSession(data, row_id=row.id, token_id=row.token_id,
                             touch=now - last_seen > TOUCH_EVERY)

    def save_session(self, app: Flask, session: ServerSession,  # type: ignore[override]
                     response: Response) -> None:
        """Write what changed; a session emptied (signed out) is deleted, row and cookie."""
        name = self.get_cookie_name(app)
        domain, path = self.get_cookie_domain(app), self.get_cookie_path(app)
        data = dict(session)
        token_id = data.pop("token_id", None)
        if not data and token_id is None:
            if session.row_id is not None:
                end_session(session.row_id)
                response.delete_cookie(name, domain=domain, path=path)
            return
        now = utcnow()
        table = WebSession.__table__
        if session.row_id is None or token_id != session.loaded_token_id:
            # New, or signed in (or out) just now: a new id, so an id seen before the
            # sign-in (session fixation) never becomes a signed-in session.
            if session.row_id is not None:
                end_session(session.row_id)
            sid = secrets.token_urlsafe(32)
            lifetime = (dt.timedelta(hours=app.config["SESSION_HOURS"]) if token_id
                        else ANONYMOUS_LIFETIME)
            expires = now + lifetime
            db.session.connection().execute(insert(table).values(
                sid_hash=_hash(sid), token_id=token_id, data=data, created_at=now,
                last_seen_at=now, expires_at=expires))
            db.session.commit()
            response.set_cookie(
                name, sid, expires=expires, httponly=True, domain=domain, path=path,
                secure=self.get_cookie_secure(app), samesite=self.get_cookie_samesite(app))
            response.vary.add("Cookie")
            return
        values: dict[str, Any] = {}
        if session.modified:
            values["data"] = data
        if session.touch or session.modified:
            values["last_seen_at"] = now
        if values:
            db.session.connection().execute(
                update(table).where(table.c.id == session.row_id).values(**values))
            db.session.commit()
        response.vary.add("Cookie")
