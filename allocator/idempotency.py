"""``Idempotency-Key``: a POST is done once, however often a flaky network retries it.

The key is scoped to the caller (token). The first request stores a row marked
"in progress" and commits it before doing the work, so a concurrent retry finds
it and gets 409; when the work ends, the response is stored and a later retry
gets it back unchanged. Server errors are not stored: the retry runs again. A key whose
stored answer an erasure emptied (a tombstone, :mod:`allocator.services.replays`) is
answered 410 and never runs again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from typing import Any

from flask import Response, current_app, request
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException

from allocator import jsonbody
from allocator.access import Principal
from allocator.errors import DomainError, Gone
from allocator.extensions import db
from allocator.models import IdempotencyRecord, utcnow
from allocator.problems import abort_problem, problem_response, to_problem
from allocator.services.replays import GONE

REPLAYED_HEADERS = ("Location", "Content-Type")


def _fingerprint() -> str:
    """A hash of what the request means, not of how it was framed.

    Method, path and query (sorted); a JSON body in canonical form (keys sorted), so the
    same object with its keys in another order is the same request; a form's fields
    sorted and each uploaded file by its bytes, never the multipart boundary a client
    draws anew for every request; any other body by its bytes.
    """
    digest = hashlib.sha256()

    def add(*parts: str | bytes) -> None:
        for part in parts:
            digest.update((part.encode() if isinstance(part, str) else part) + b"\0")

    add(request.method, request.path)
    for name, value in sorted(request.args.items(multi=True)):
        add("query", name, value)
    if request.is_json:
        try:
            body = json.dumps(jsonbody.loads(request.get_data(cache=True)), sort_keys=True,
                              separators=(",", ":"), ensure_ascii=False)
            add("json", body)
        except jsonbody.InvalidJson:
            add("raw", request.get_data(cache=True))
    elif request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        for name, value in sorted(request.form.items(multi=True)):
            add("field", name, value)
        for name, upload in sorted(request.files.items(multi=True), key=lambda kv: kv[0]):
            add("file", name, hashlib.sha256(upload.read()).hexdigest())
            upload.seek(0)
    else:
        add("raw", request.mimetype or "", request.get_data(cache=True))
    return digest.hexdigest()


def _validated_key() -> str:
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key or len(key) > 255 or not key.isascii() or not key.isprintable():
        abort_problem(400, "Idempotency-Key must be 1 to 255 printable ASCII characters.")
    return key


def _claim(principal: Principal, key: str, fingerprint: str) -> IdempotencyRecord | Response:
    """Insert the in-progress row, or decide what the existing one means."""
    record = IdempotencyRecord(token_id=principal.token_id, key=key,
                               event_id=(request.view_args or {}).get("event_id"),
                               fingerprint=fingerprint, state="in_progress")
    db.session.add(record)
    try:
        db.session.commit()
        return record
    except IntegrityError:
        db.session.rollback()
    existing = db.session.scalar(select(IdempotencyRecord).where(
        IdempotencyRecord.token_id == principal.token_id, IdempotencyRecord.key == key))
    if existing is None:
        abort_problem(409, "A request with this Idempotency-Key is being processed; retry.",
                      type_="/problems/idempotency-in-progress")
    if existing.state == GONE:
        raise Gone("This request was done once; its answer held personal data that has "
                   "since been erased, so it is no longer kept, and the request is not "
                   "done again. A new request needs a new Idempotency-Key.",
                   title="Gone", type_="/problems/erased")
    now = utcnow()
    config = current_app.config
    expired = now - existing.created_at > dt.timedelta(seconds=config["IDEMPOTENCY_TTL_S"])
    abandoned = (existing.state == "in_progress" and now - existing.updated_at
                 > dt.timedelta(seconds=config["IDEMPOTENCY_LEASE_S"]))
    if expired or abandoned:
        # Take the row over, but only if nobody else did so first.
        taken = db.session.execute(
            update(IdempotencyRecord)
            .where(IdempotencyRecord.id == existing.id,
                   IdempotencyRecord.updated_at == existing.updated_at)
            .values(fingerprint=fingerprint, state="in_progress", status_code=None,
                    body=None, headers=None, created_at=now, updated_at=now)
        ).rowcount
        db.session.commit()
        if taken == 1:
            return db.session.get(IdempotencyRecord, existing.id, populate_existing=True)
        abort_problem(409, "A request with this Idempotency-Key is being processed; retry.",
                      type_="/problems/idempotency-in-progress")
    if existing.fingerprint != fingerprint:
        abort_problem(422, "This Idempotency-Key was used for a different request. "
                      "Use a new key for a new request.",
                      type_="/problems/idempotency-key-reused")
    if existing.state != "done":
        abort_problem(409, "A request with this Idempotency-Key is still being processed. "
                      "Retry in a moment to get its result.",
                      type_="/problems/idempotency-in-progress",
                      headers={"Retry-After": "1"})
    response = Response(existing.body, status=existing.status_code)
    for name, value in (existing.headers or {}).items():
        response.headers[name] = value
    response.headers["Idempotent-Replayed"] = "true"
    return response


def run_idempotent(
    principal: Principal, view: Callable[..., Any], args: tuple, kwargs: dict
) -> Response:
    """Run ``view`` once for this caller and key; replay its stored response afterwards."""
    key = _validated_key()
    claimed = _claim(principal, key, _fingerprint())
    if isinstance(claimed, Response):
        return claimed
    record_id = claimed.id
    try:
        response = current_app.make_response(view(*args, **kwargs))
    except (HTTPException, DomainError) as exc:
        db.session.rollback()
        response = problem_response(to_problem(exc) if isinstance(exc, DomainError)
                                    else exc)
    except BaseException:
        db.session.rollback()
        db.session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.id == record_id))
        db.session.commit()
        raise
    if response.status_code >= 500:
        db.session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.id == record_id))
    else:
        # Only while still in progress: an erasure that tombstoned it meanwhile wins.
        db.session.execute(
            update(IdempotencyRecord).where(IdempotencyRecord.id == record_id,
                                            IdempotencyRecord.state == "in_progress").values(
                state="done", status_code=response.status_code,
                body=response.get_data(as_text=True),
                headers={h: response.headers[h] for h in REPLAYED_HEADERS if h in response.headers},
                updated_at=utcnow(),
            )
        )
    db.session.commit()
    return response
