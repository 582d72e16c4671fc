"""The doors' gate: who is calling (a bearer token, or a page session's token), and the
one check every API view and page runs before anything else (:func:`gate`): the ids in
its address, then :func:`allocator.access.refusal` for the permission it names."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import math
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from flask import current_app, g, request
from sqlalchemy import Row, bindparam, case, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from allocator.access import Principal, hash_secret, parse_token, refusal
from allocator.errors import Forbidden, NotFound
from allocator.extensions import db
from allocator.idempotency import run_idempotent
from allocator.models import ApiToken, AuthThrottle, UTCDateTime, utcnow
from allocator.problems import abort_problem
from allocator.services import audit
from allocator.validation import MAX_ID

F = TypeVar("F", bound=Callable[..., Any])

_tokens = ApiToken.__table__.c
# Every request runs this: plain columns through Core, no ORM object to build.
_TOKEN_QUERY = select(
    _tokens.id, _tokens.public_id, _tokens.secret_hash, _tokens.name, _tokens.role,
    _tokens.event_id, _tokens.group_id, _tokens.last_used_at, _tokens.revoked_at,
).where(_tokens.public_id == bindparam("public_id"))
_TOKEN_USED = (update(ApiToken.__table__).where(_tokens.id == bindparam("token_id"))
               .values(last_used_at=bindparam("now")))


def resolve_token(raw: str) -> Row | None:
    """Find the active token matching ``raw``, comparing secrets in constant time.

    The answer is a row of the token's columns (``id``, ``name``, ``role``, ...), read
    on every call: a revoked token stops working at the next request.
    """
    parsed = parse_token(raw)
    if parsed is None:
        return None
    public_id, secret = parsed
    token = db.session.connection().execute(_TOKEN_QUERY, {"public_id": public_id}).first()
    # Hash even when the id is unknown, so both paths cost the same.
    presented = hash_secret(secret)
    expected = token.secret_hash if token is not None else hash_secret("")
    if not hmac.compare_digest(presented, expected) or token is None:
        return None
    if token.revoked_at is not None:
        return None
    return token


def active_token(token_id: int) -> Row | None:
    """The token with this id if it is active (not revoked), as a row of its columns."""
    row = db.session.connection().execute(
        select(_tokens.id, _tokens.name, _tokens.role, _tokens.event_id, _tokens.group_id,
               _tokens.revoked_at)
        .where(_tokens.id == token_id)).first()
    return row if row is not None and row.revoked_at is None else None


def _unauthorized(detail: str) -> None:
    abort_problem(
        401,
        detail,
        title="Authentication required",
        headers={"WWW-Authenticate": 'Bearer realm="allocator"'},
    )


def _client_key() -> str:
    # Hashed: the throttle needs to tell clients apart, not to know who they are.
    return hashlib.sha256(f"{request.remote_addr}".encode()).hexdigest()


def _wait(failures: int, window_start: dt.datetime) -> int:
    """Seconds this client must wait after ``failures`` in the window begun at ``window_start``."""
    config = current_app.config
    left = config["AUTH_FAIL_WINDOW_S"] - (utcnow() - window_start).total_seconds()
    if left <= 0 or failures <= config["AUTH_FAIL_LIMIT"]:
        return 0
    return max(1, math.ceil(left))


def _throttled(client: str) -> int:
    """Seconds until this client may try again (0: it may try now), read without counting."""
    row = db.session.get(AuthThrottle, client)
    if row is None:
        return 0
    return _wait(row.failures + 1, row.window_start)


def _count_failure(client: str, raw: str) -> int:
    """Count one failed sign-in and audit it; return the seconds the client must now wait.

    One statement increments the counter (or starts a new window) and reads it back, so
    concurrent failures on any number of workers and hosts are each counted once.
    """
    now = utcnow()
    cutoff = now - dt.timedelta(seconds=current_app.config["AUTH_FAIL_WINDOW_S"])
    dialect = db.session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    column = AuthThrottle.__table__.c
    stale = column.window_start < bindparam("cutoff", cutoff, type_=UTCDateTime)
    started = bindparam("now", now, type_=UTCDateTime)
    statement = insert(AuthThrottle.__table__).values(
        client=client, window_start=now, failures=1)
    statement = statement.on_conflict_do_update(
        index_elements=[column.client],
        set_={"failures": case((stale, 1), else_=column.failures + 1),
              "window_start": case((stale, started), else_=column.window_start)},
    ).returning(column.failures, column.window_start)
    failures, window_start = db.session.execute(statement).one()
    wait = _wait(failures, window_start)
    # Every failure is audited, up to a ceiling per client and window: past it the counter
    # still counts each one exactly, but an unauthenticated flood cannot fill the
    # append-only audit log (the row at the ceiling says counting goes on without rows).
    ceiling = current_app.config["AUTH_AUDIT_MAX"]
    if failures <= ceiling:
        parsed = parse_token(raw)
        audit.record("auth.failed", event_id=(request.view_args or {}).get("event_id"),
                     subject=("token", parsed[0] if parsed else ""),
                     details={"path": request.path, "method": request.method,
                              "throttled": bool(wait), "failures_in_window": failures,
                              **({"audit_ceiling_reached": True} if failures == ceiling
                                 else {})})
    db.session.commit()
    return wait


def sign_in_attempt(raw: str) -> tuple[Row | None, int]:
    """Check a presented token: (the token or None, seconds this client must wait).

    Only wrong tokens are throttled and counted: a valid token is never guessed, and a
    shared desk address must not be locked out by someone else's attempts. Every wrong
    token is counted and audited, also while the client is throttled. The API and the
    sign-in page both come through here.
    """
    token = resolve_token(raw) if raw else None
    if token is not None:
        return token, 0
    client = _client_key()
    if not raw:
        return None, _throttled(client)
    return None, _count_failure(client, raw)


def authenticate() -> Principal:
    """Return the caller of this request; 401 for a wrong token, 429 after too many."""
    cached = g.get("principal")
    if cached is not None:
        return cached
    header = request.headers.get("Authorization", "")
    scheme, _, raw = header.partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        _unauthorized("Send 'Authorization: Bearer <token>'.")
    token, wait = sign_in_attempt(raw.strip())
    if wait:
        abort_problem(429, "Too many failed sign-ins from this address; try again later.",
                      title="Too Many Requests", headers={"Retry-After": str(wait)})
    if token is None:
        _unauthorized("The token is not valid or has been revoked.")
    now = utcnow()
    principal = Principal(token.id, token.name, token.role, token.event_id, token.group_id)
    g.principal = principal
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        db.session.connection().execute(_TOKEN_USED, {"token_id": token.id, "now": now})
        audit.record("token.used", subject=("token", token.public_id),
                     event_id=token.event_id or (request.view_args or {}).get("event_id"))
        db.session.commit()
    return principal


def gate(principal: Principal, permission: str, view_args: Mapping[str, Any]) -> None:
    """The check every door runs first, for the caller and the ids in the address: an id
    no row can have is NotFound (before it reaches a query, an audit row or a stored
    response); then Forbidden with :func:`allocator.access.refusal`'s reason."""
    for name, value in view_args.items():
        if name.endswith("_id") and isinstance(value, int) and not 0 < value <= MAX_ID:
            raise NotFound(f"{name.removesuffix('_id').capitalize()} {value} was not found.",
                           title="Not Found")
    reason = refusal(principal, permission, event_id=view_args.get("event_id"),
                     group_id=view_args.get("group_id"))
    if reason is not None:
        raise Forbidden(reason, title="Forbidden")


def require(permission: str) -> Callable[[F], F]:
    """Declare what an API view needs; authenticate and pass :func:`gate` before anything
    else runs.

    POST views also get ``Idempotency-Key`` handling here, because the key is
    scoped to the caller and must be checked before the body is processed.
    """

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            principal = authenticate()
            gate(principal, permission, kwargs)
            if request.method == "POST" and request.headers.get("Idempotency-Key"):
                return run_idempotent(principal, view, args, kwargs)
            return view(*args, **kwargs)

        wrapper.permission = permission  # type: ignore[attr-defined]  (the access walk reads it)
        doc = getattr(wrapper, "_apidoc", {})
        wrapper._apidoc = {**doc, "manual_doc": {**doc.get("manual_doc", {}),
                                                 "security": [{"bearerAuth": []}]}}
        return wrapper  # type: ignore[return-value]

    return decorator


def current_principal() -> Principal:
    """The authenticated caller (only inside a view guarded by :func:`require`)."""
    return g.principal
