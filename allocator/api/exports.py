"""Group lists as CSV and XLSX, for facilitators and organisers."""

from __future__ import annotations

from flask import Response
from flask.views import MethodView

from allocator.api.blueprint import Blueprint
from allocator.api.openapi import BINARY
from allocator.api.schemas import ExportQuery
from allocator.auth import current_principal, require
from allocator.responses import CONTENT_TYPES, file_response
from allocator.services import exports
from allocator.services.events import get_event

blp = Blueprint("exports", __name__, url_prefix="/api/events/<int:event_id>",
                description="Group lists (published allocation; ?run= for organisers)")

XLSX = CONTENT_TYPES["xlsx"]


def _download(event_id: int, args: dict, fmt: str, group_id: int | None = None) -> Response:
    body, name = exports.download(get_event(event_id), current_principal(), fmt,
                                  run_id=args.get("run"), group_id=group_id,
                                  columns=args.get("columns"))
    return file_response(body, fmt, name)


@blp.route("/groups.csv")
class AllGroupsCsv(MethodView):
    """Every group's list in one CSV file."""

    @require("lists:read")
    @blp.arguments(ExportQuery, location="query")
    @blp.response(200, BINARY, content_type="text/csv", description="RFC 4180, UTF-8 with BOM")
    def get(self, args, event_id):
        """Download all group lists as CSV"""
        return _download(event_id, args, "csv")


@blp.route("/groups.xlsx")
class AllGroupsXlsx(MethodView):
    """Every group's list in one workbook, a sheet per group."""

    @require("lists:read")
    @blp.arguments(ExportQuery, location="query")
    @blp.response(200, BINARY, content_type=XLSX, description="One sheet per group")
    def get(self, args, event_id):
        """Download all group lists as an XLSX workbook"""
        return _download(event_id, args, "xlsx")


@blp.route("/groups/<int:group_id>.csv")
class GroupCsv(MethodView):
    """One group's list."""

    @require("lists:read")
    @blp.arguments(ExportQuery, location="query")
    @blp.response(200, BINARY, content_type="text/csv", description="RFC 4180, UTF-8 with BOM")
    def get(self, args, event_id, group_id):
        """Download one group's list as CSV"""
        return _download(event_id, args, "csv", group_id)
