"""Use cases. Each public function owns its transaction: it commits or rolls back.

Services speak the domain: they raise :mod:`allocator.errors` (never HTTP), take the caller
(:class:`allocator.access.Principal`) where what they read or write depends on who asks,
and import nothing from the doors (``api``, ``web``, ``cli``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Generic, NoReturn, TypeVar

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from allocator.errors import Conflict, Invalid, NotFound
from allocator.extensions import db
from allocator.validation import MAX_ID

T = TypeVar("T")


@dataclass
class Page(Generic[T]):
    """One page of a listing, with the total across all pages."""

    items: list[T]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        """How many pages there are."""
        return max(1, math.ceil(self.total / self.per_page))


def invalid(errors: dict[str, list[str]], detail: str | None = None) -> NoReturn:
    """Refuse input: field messages, like a schema error would give."""
    raise Invalid(errors, detail)


def conflict(detail: str, *, type_: str | None = None, **extra: Any) -> NoReturn:
    """Refuse a well-formed request that clashes with stored data."""
    raise Conflict(detail, title="Conflict", type_=type_, **extra)


def commit_or_conflict(detail: str, **extra: Any) -> None:
    """Commit; if a constraint refuses it (a concurrent change won), roll back and refuse."""
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        conflict(detail, **extra)


def lock_event(event_id: int) -> None:
    """Take the event's row lock in the caller's transaction (the database's write lock on
    SQLite): changes that must not interleave with an erasure or a purge (which take it
    too) queue here until the other commits."""
    from allocator.models import Event

    db.session.execute(update(Event.__table__).where(Event.__table__.c.id == event_id)
                       .values(updated_at=Event.__table__.c.updated_at))


def valid_id(ident: int) -> bool:
    """Whether ``ident`` fits an integer key (larger ids exist nowhere; PostgreSQL would fail)."""
    return 0 < ident <= MAX_ID


def not_found(what: str) -> NoReturn:
    """Refuse a missing thing, named in words."""
    raise NotFound(f"{what} was not found.", title="Not Found")


def find(model: type[T], ident: int | tuple[int, ...]) -> T | None:
    """The row with this primary key, or None (also for ids no integer column can hold)."""
    parts = ident if isinstance(ident, tuple) else (ident,)
    if not all(valid_id(part) for part in parts):
        return None
    return db.session.get(model, ident)


def event_row(model: type[T], ident: int, event_id: int, what: str) -> T:
    """The row if it belongs to this event; NotFound otherwise, the same for another
    event's."""
    row = find(model, ident)
    if row is None or row.event_id != event_id:  # type: ignore[attr-defined]
        not_found(f"{what} {ident}")
    return row
