"""The audit trail of an event (organisers)."""

from __future__ import annotations

from flask.views import MethodView

from allocator.api.blueprint import Blueprint
from allocator.api.schemas import AuditPage, AuditQuery
from allocator.auth import require
from allocator.services import audit
from allocator.services.events import get_event

blp = Blueprint("audit", __name__, url_prefix="/api/events/<int:event_id>/audit",
                description="Who did what, when (append-only)")


@blp.route("")
class AuditLog(MethodView):
    """An event's audit log."""

    @require("audit:read")
    @blp.arguments(AuditQuery, location="query")
    @blp.response(200, AuditPage)
    def get(self, args, event_id):
        """Read the audit log, newest first"""
        return audit.page(get_event(event_id), args)
