"""The audit trail: who (token) did what, when — ids only, never names or e-mails."""

from __future__ import annotations

from typing import Any

from flask import g, has_app_context
from sqlalchemy import insert

from allocator.extensions import db
from allocator.models import AuditEntry

_INSERT = insert(AuditEntry.__table__)


def record(action: str, *, event_id: int | None = None, subject: tuple[str, Any] = ("", ""),
           details: dict[str, Any] | None = None, actor: str | None = None) -> None:
    """Write an entry in the caller's transaction: its commit keeps it, a rollback drops it.

    An ``event_id`` no event can have (a hostile path such as /api/events/99999999999)
    is recorded as no event, never a failed insert.
    """
    from allocator.services import valid_id

    if event_id is not None and not valid_id(event_id):
        event_id = None
    principal = g.get("principal") if has_app_context() else None
    db.session.connection().execute(_INSERT, {
        "event_id": event_id,
        "actor_token_id": principal.token_id if principal else None,
        "actor": principal.name if principal else (actor or "cli"),
        "action": action,
        "subject_type": subject[0],
        "subject_id": str(subject[1]),
        "details": details or None,
    })


def actor_name() -> str:
    """The current caller's token name, or 'cli' outside a request."""
    principal = g.get("principal") if has_app_context() else None
    return principal.name if principal else "cli"


def page(event: Any, args: dict[str, Any]) -> Any:
    """One page of an event's audit log, newest first."""
    from sqlalchemy import func, select

    from allocator.services import Page

    query = select(AuditEntry).where(AuditEntry.event_id == event.id)
    if args.get("action"):
        query = query.where(AuditEntry.action == args["action"])
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page_no, per_page = args["page"], args["per_page"]
    items = list(db.session.scalars(query.order_by(AuditEntry.id.desc())
                                    .offset((page_no - 1) * per_page).limit(per_page)))
    return Page(items=items, total=total, page=page_no, per_page=per_page)
