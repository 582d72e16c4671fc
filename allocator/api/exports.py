"""Group lists as CSV and XLSX, for facilitators and organisers."""

from __future__ import annotations

from flask import Response
from flask.views import MethodView

from allocator.api.blueprint import Blueprint
from allocator.api.schemas import ExportQuery
from allocator.auth import current_principal, require
from allocator.errors import abort_problem
from allocator.services import exports
from allocator.services.events import get_event

blp = Blueprint("exports", __name__, url_prefix="/api/events/<int:event_id>",
                description="Group lists (published allocation; ?run= for organisers)")

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}
XLSX = CONTENT_TYPES["xlsx"]


def file_response(body: bytes, fmt: str, name: str) -> Response:
    """A download: the body, one exact Content-Type (one charset), and its file name."""
    response = Response(body)
    response.headers["Content-Type"] = CONTENT_TYPES[fmt]
    response.headers["Content-Disposition"] = exports.content_disposition(name)
    return response


def _download(event_id: int, args: dict, fmt: str, group_id: int | None = None) -> Response:
    event = get_event(event_id)
    principal = current_principal()
    if principal.group_id is not None and group_id != principal.group_id:
        abort_problem(403, "This token is limited to one working group: download that "
                           "group's list.")
    columns = exports.choose_columns(args.get("columns"), principal)
    run = exports.source_run(event, args.get("run"), principal)
    lists = exports.group_lists(event, run, columns, group_id)
    what = lists[0].group.name if group_id is not None and lists else "group lists"
    body = exports.render(fmt, columns, lists, event)
    exports.record_download(event, run, fmt, group_id, columns,
                            sum(len(g.rows) for g in lists))
    return file_response(body, fmt, exports.filename(event, what, fmt))


@blp.route("/groups.csv")
class AllGroupsCsv(MethodView):
    """Every group's list in one CSV file."""

    @require("lists:read")
    @blp.arguments(ExportQuery, location="query")
    @blp.response(200, content_type="text/csv", description="RFC 4180, UTF-8 with BOM")
    def get(self, args, event_id):
        """Download all group lists as CSV"""
        return _download(event_id, args, "csv")


@blp.route("/groups.xlsx")
class AllGroupsXlsx(MethodView):
    """Every group's list in one workbook, a sheet per group."""

    @require("lists:read")
    @blp.arguments(ExportQuery, location="query")
    @blp.response(200, content_type=XLSX, description="One sheet per group")
    def get(self, args, event_id):
        """Download all group lists as an XLSX workbook"""
        return _download(event_id, args, "xlsx")


@blp.route("/groups/<int:group_id>.csv")
class GroupCsv(MethodView):
    """One group's list."""

    @require("lists:read")
    @blp.arguments(ExportQuery, location="query")
    @blp.response(200, content_type="text/csv", description="RFC 4180, UTF-8 with BOM")
    def get(self, args, event_id, group_id):
        """Download one group's list as CSV"""
        return _download(event_id, args, "csv", group_id)
