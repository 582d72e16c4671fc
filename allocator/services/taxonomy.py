"""The event's words (sectors and their labels, themes and their titles), where input is read.

Input is validated in the schemas (one layer for the API, the import and the pages), but
whether "Civil society" is a sector depends on the event. :func:`current` gives the
taxonomy of the event a request is about — read once per request with the facts the desk's
registration needs, in one statement — or the one set with :func:`using` (the CLI, the demo).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from flask import g, has_request_context, request
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select

from allocator.extensions import db
from allocator.models import Event, Theme
from allocator.normalise import Taxonomy
from allocator.validation import MAX_ID

_CURRENT: ContextVar[Taxonomy | None] = ContextVar("taxonomy", default=None)


@dataclass
class EventFacts:
    """What registering someone needs to know about their event, read in one statement."""

    taxonomy: Taxonomy
    theme_ids: dict[str, int]
    ends_at: dt.datetime
    retention_days: int
    purged_at: dt.datetime | None
    consent_text: str | None = None


_events, _themes = Event.__table__, Theme.__table__
_FACTS = (
    select(_events.c.sectors, _events.c.sector_labels, _events.c.ends_at,
           _events.c.retention_days, _events.c.purged_at, _events.c.consent_text,
           _themes.c.id, _themes.c.key, _themes.c.title)
    .select_from(_events.outerjoin(_themes, _themes.c.event_id == _events.c.id))
    .where(_events.c.id == bindparam("event_id"))
    .order_by(_themes.c.position, _themes.c.id)
)


def facts(event_id: int) -> EventFacts | None:
    """The event's taxonomy and registration facts (cached for the request), or None."""
    cache = g.setdefault("event_facts", {}) if has_request_context() else {}
    if event_id in cache:
        return cache[event_id]
    rows = db.session.connection().execute(_FACTS, {"event_id": event_id}).all()
    if not rows:
        return None
    first = rows[0]
    themes = [(r.id, r.key, r.title) for r in rows if r.id is not None]
    found = EventFacts(
        taxonomy=Taxonomy(list(first.sectors), dict(first.sector_labels or {}),
                          {key: title for _, key, title in themes}, translate=gettext),
        theme_ids={key: tid for tid, key, _ in themes},
        ends_at=first.ends_at, retention_days=first.retention_days, purged_at=first.purged_at,
        consent_text=first.consent_text)
    cache[event_id] = found
    return found


def forget(event_id: int) -> None:
    """Drop the request's cached facts of an event (after its sectors or themes change)."""
    if has_request_context():
        g.setdefault("event_facts", {}).pop(event_id, None)


def for_event(event: Event) -> Taxonomy:
    """The taxonomy of an event loaded as an object."""
    return Taxonomy(list(event.sectors), dict(event.sector_labels or {}),
                    {t.key: t.title for t in event.themes}, translate=gettext)


# The default sector labels (allocator.normalise), for the catalogues
SECTOR_WORDS = (_l("Government"), _l("Parliament"), _l("Private sector"), _l("Civil society"),
                _l("Media"), _l("Academia"), _l("International organisation"))


@contextmanager
def using(taxonomy: Taxonomy) -> Iterator[Taxonomy]:
    """Validate input against ``taxonomy`` inside the block (outside a request)."""
    token = _CURRENT.set(taxonomy)
    try:
        yield taxonomy
    finally:
        _CURRENT.reset(token)


def current() -> Taxonomy | None:
    """The taxonomy input is read against now: set by :func:`using`, or the event the
    request's address names; None when there is neither."""
    chosen = _CURRENT.get()
    if chosen is not None:
        return chosen
    if not has_request_context():
        return None
    event_id = (request.view_args or {}).get("event_id")
    if not isinstance(event_id, int) or not 0 < event_id <= MAX_ID:
        return None
    found = facts(event_id)
    return found.taxonomy if found else None
