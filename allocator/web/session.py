"""Signing in with a token, the session cookie, CSRF, and permissions for the pages."""

from __future__ import annotations

import functools
import hmac
import secrets
from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from allocator.access import Principal
from allocator.auth import active_token, gate
from allocator.extensions import db
from allocator.models import TeamMember
from allocator.services.events import get_event

F = TypeVar("F", bound=Callable[..., Any])


def csrf_token() -> str:
    """The session's CSRF token (made on first use), for forms and scripts."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def check_csrf() -> None:
    """Refuse a state-changing request without the session's CSRF token."""
    sent = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token", "")
    if not sent or not hmac.compare_digest(sent, session.get("csrf", "")):
        abort(400, description=_("The form expired or did not come from this site; "
                                 "reload the page and try again."))


def current_user() -> Principal | None:
    """Who is signed in, re-checked against the database (a revoked token signs out)."""
    if "principal" in g:
        return g.principal
    token_id = session.get("token_id")
    token = active_token(token_id) if token_id else None
    if token is None:
        if token_id:
            session.clear()  # the token was revoked: this session ends here
        return None
    member = db.session.scalar(select(TeamMember.name).where(TeamMember.token_id == token.id))
    g.principal = Principal(token.id, token.name, token.role, token.event_id, token.group_id,
                            label=member or "")
    return g.principal


def page(permission: str) -> Callable[[F], F]:
    """A page that needs ``permission``: sign-in first, then the same gate as the API's
    (:func:`allocator.auth.gate`), the event read once into ``g.event``, CSRF on POST."""

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            user = current_user()
            if user is None:
                return redirect(url_for("web.sign_in", next=request.path))
            # Group 0 is the pages' "the first group of the event" (see recommendations).
            gate(user, permission, {k: v for k, v in kwargs.items()
                                    if not (k == "group_id" and v == 0)})
            if kwargs.get("event_id") is not None:
                g.event = get_event(kwargs["event_id"])
            if request.method == "POST":
                check_csrf()
            return view(*args, **kwargs)

        wrapper.permission = permission  # type: ignore[attr-defined]  (the access walk reads it)
        return wrapper  # type: ignore[return-value]

    return decorator


def render(template: str, **context: Any) -> str:
    """Render a page with the signed-in user and the CSRF token available."""
    return render_template(template, user=current_user(), csrf_token=csrf_token(),
                           event=g.get("event"), **context)
