"""Use cases. Each public function owns its transaction: it commits or rolls back."""

from __future__ import annotations

from typing import Any, NoReturn, TypeVar

from sqlalchemy.exc import IntegrityError

from allocator.errors import abort_problem
from allocator.extensions import db
from allocator.validation import MAX_ID

T = TypeVar("T")


def invalid(errors: dict[str, list[str]], detail: str | None = None) -> NoReturn:
    """Answer 422 with field messages, like a schema error would."""
    abort_problem(422, detail or "The request has invalid fields; see errors.", errors=errors)


def conflict(detail: str, *, type_: str | None = None, **extra: Any) -> NoReturn:
    """Answer 409: the request is well-formed but clashes with stored data."""
    abort_problem(409, detail, title="Conflict", type_=type_, **extra)


def commit_or_conflict(detail: str, **extra: Any) -> None:
    """Commit; if a constraint refuses it (a concurrent change won), roll back and answer 409."""
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        conflict(detail, **extra)


def lock_event(event_id: int) -> None:
    """Take the event's row lock in the caller's transaction (the database's write lock on
    SQLite): changes that must not interleave with an erasure or a purge (which take it
    too) queue here until the other commits."""
    from sqlalchemy import update

    from allocator.models import Event

    db.session.execute(update(Event.__table__).where(Event.__table__.c.id == event_id)
                       .values(updated_at=Event.__table__.c.updated_at))


def valid_id(ident: int) -> bool:
    """Whether ``ident`` fits an integer key (larger ids exist nowhere; PostgreSQL would fail)."""
    return 0 < ident <= MAX_ID


def not_found(what: str) -> NoReturn:
    """Answer 404 for a missing thing, named in words."""
    abort_problem(404, f"{what} was not found.", title="Not Found")


def find(model: type[T], ident: int | tuple[int, ...]) -> T | None:
    """The row with this primary key, or None (also for ids no integer column can hold)."""
    parts = ident if isinstance(ident, tuple) else (ident,)
    if not all(valid_id(part) for part in parts):
        return None
    return db.session.get(model, ident)


def event_row(model: type[T], ident: int, event_id: int, what: str) -> T:
    """The row if it belongs to this event; 404 otherwise, the same for another event's."""
    row = find(model, ident)
    if row is None or row.event_id != event_id:  # type: ignore[attr-defined]
        not_found(f"{what} {ident}")
    return row
