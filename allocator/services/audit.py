"""The audit trail: who (token) did what, when — ids only, never names or e-mails."""

from __future__ import annotations

from typing import Any

from flask import g, has_app_context

from allocator.extensions import db
from allocator.models import AuditEntry


def record(action: str, *, event_id: int | None = None, subject: tuple[str, Any] = ("", ""),
           details: dict[str, Any] | None = None, actor: str | None = None) -> AuditEntry:
    """Add an entry to the session; the caller's transaction commits it."""
    principal = g.get("principal") if has_app_context() else None
    entry = AuditEntry(
        event_id=event_id,
        actor_token_id=principal.token_id if principal else None,
        actor=principal.name if principal else (actor or "cli"),
        action=action,
        subject_type=subject[0],
        subject_id=str(subject[1]),
        details=details or None,
    )
    db.session.add(entry)
    return entry


def actor_name() -> str:
    """The current caller's token name, or 'cli' outside a request."""
    principal = g.get("principal") if has_app_context() else None
    return principal.name if principal else "cli"
