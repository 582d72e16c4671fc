"""Bearer tokens and permissions, declared by each view and checked in one place."""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import g, request
from sqlalchemy import select

from allocator.errors import abort_problem
from allocator.extensions import db
from allocator.models import ApiToken, utcnow

TOKEN_PREFIX = "alc"

# What each role may do. Views name a permission; nothing else decides access.
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "viewer": frozenset({"event:read", "groups:read", "lists:read"}),
    "desk": frozenset(
        {
            "event:read",
            "groups:read",
            "lists:read",
            "participants:read",
            "participants:write",
        }
    ),
    "organizer": frozenset(
        {
            "event:read",
            "event:write",
            "event:create",
            "groups:read",
            "lists:read",
            "participants:read",
            "participants:write",
            "participants:import",
            "participants:admin",
            "allocations:read",
            "allocations:write",
            "audit:read",
        }
    ),
}

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Principal:
    """Who is calling: a token's id, name, role and optional event scope."""

    token_id: int
    name: str
    role: str
    event_id: int | None

    def can(self, permission: str) -> bool:
        """Tell whether this caller's role grants ``permission``."""
        return permission in ROLE_PERMISSIONS.get(self.role, frozenset())


def hash_secret(secret: str) -> str:
    """Hash a token's secret part. Tokens are random, so SHA-256 suffices."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_token_string() -> tuple[str, str, str]:
    """Return (token, public id, secret) for a fresh random token."""
    public_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    return f"{TOKEN_PREFIX}_{public_id}_{secret}", public_id, secret


def parse_token(raw: str) -> tuple[str, str] | None:
    """Split a presented token into (public id, secret), or None if malformed."""
    parts = raw.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]


def resolve_token(raw: str) -> ApiToken | None:
    """Find the active token matching ``raw``, comparing secrets in constant time."""
    parsed = parse_token(raw)
    if parsed is None:
        return None
    public_id, secret = parsed
    token = db.session.scalar(select(ApiToken).where(ApiToken.public_id == public_id))
    # Hash even when the id is unknown, so both paths cost the same.
    presented = hash_secret(secret)
    expected = token.secret_hash if token is not None else hash_secret("")
    if not hmac.compare_digest(presented, expected) or token is None:
        return None
    if token.revoked_at is not None:
        return None
    return token


def _unauthorized(detail: str) -> None:
    abort_problem(
        401,
        detail,
        title="Authentication required",
        headers={"WWW-Authenticate": 'Bearer realm="allocator"'},
    )


def authenticate() -> Principal:
    """Return the caller of this request, or answer 401."""
    cached = g.get("principal")
    if cached is not None:
        return cached
    header = request.headers.get("Authorization", "")
    scheme, _, raw = header.partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        _unauthorized("Send 'Authorization: Bearer <token>'.")
    hook = g.get("auth_failure_hook")
    token = resolve_token(raw.strip())
    if token is None:
        if hook is not None:
            hook()
        _unauthorized("The token is not valid or has been revoked.")
    now = utcnow()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        token.last_used_at = now
        db.session.commit()
    principal = Principal(token.id, token.name, token.role, token.event_id)
    g.principal = principal
    return principal


def require(permission: str) -> Callable[[F], F]:
    """Declare what a view needs; authenticate and authorise before anything else runs.

    POST views also get ``Idempotency-Key`` handling here, because the key is
    scoped to the caller and must be checked before the body is processed.
    """

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            principal = authenticate()
            if not principal.can(permission):
                abort_problem(
                    403,
                    f"A {principal.role} token may not do this (needs {permission}).",
                    title="Forbidden",
                )
            event_id = kwargs.get("event_id")
            if principal.event_id is not None and event_id is not None:
                if event_id != principal.event_id:
                    abort_problem(403, "This token is limited to another event.")
            if principal.event_id is not None and event_id is None and (
                permission == "event:create"
            ):
                abort_problem(403, "This token is limited to one event.")
            if request.method == "POST" and request.headers.get("Idempotency-Key"):
                from allocator.idempotency import run_idempotent

                return run_idempotent(principal, view, args, kwargs)
            return view(*args, **kwargs)

        doc = getattr(wrapper, "_apidoc", {})
        wrapper._apidoc = {**doc, "manual_doc": {**doc.get("manual_doc", {}),
                                                 "security": [{"bearerAuth": []}]}}
        return wrapper  # type: ignore[return-value]

    return decorator


def current_principal() -> Principal:
    """The authenticated caller (only inside a view guarded by :func:`require`)."""
    return g.principal
