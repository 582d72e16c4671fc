"""Stored answers to retried requests (``Idempotency-Key``): how long they are kept, and the
tombstones an erasure leaves.

A stored answer may quote a person. Erasing anyone of an event (or purging the event)
empties every stored answer of that event but keeps its key as a *tombstone*: a retry of
the request (a desk's offline queue, a flaky network) is answered "gone" and never runs
again, so an erased person is never written back by a replay. Tombstones hold no personal
data (the caller's token id, the key, the event id) and are kept a year.
"""

from __future__ import annotations

import datetime as dt

from flask import current_app
from sqlalchemy import delete, update

from allocator.extensions import db
from allocator.models import IdempotencyRecord, utcnow

GONE = "gone"
TOMBSTONE_LIFETIME = dt.timedelta(days=365)


def tombstone_event(event_id: int) -> int:
    """In the caller's transaction: empty every stored answer of the event and keep its key
    as a tombstone (see the module docstring); how many."""
    return db.session.execute(update(IdempotencyRecord).where(
        IdempotencyRecord.event_id == event_id).values(
        state=GONE, status_code=None, body=None, headers=None, fingerprint="",
        updated_at=utcnow())).rowcount or 0


def purge_expired(now: dt.datetime | None = None) -> int:
    """Delete stored answers older than IDEMPOTENCY_TTL_S and tombstones older than a
    year; return how many (commits)."""
    now = now or utcnow()
    answers = now - dt.timedelta(seconds=current_app.config["IDEMPOTENCY_TTL_S"])
    count = db.session.execute(delete(IdempotencyRecord).where(
        ((IdempotencyRecord.state != GONE) & (IdempotencyRecord.created_at < answers))
        | ((IdempotencyRecord.state == GONE)
           & (IdempotencyRecord.updated_at < now - TOMBSTONE_LIFETIME)))).rowcount or 0
    db.session.commit()
    return count
