"""The workshop's report, as a document the rapporteur edits."""

from __future__ import annotations

from flask import Response
from flask.views import MethodView

from allocator.api.blueprint import Blueprint
from allocator.api.openapi import BINARY
from allocator.api.schemas.report import ReleaseOut
from allocator.auth import current_principal, require
from allocator.responses import CONTENT_TYPES, file_response
from allocator.services import report
from allocator.services.events import get_event

blp = Blueprint("report", __name__, url_prefix="/api/events/<int:event_id>",
                description="The workshop's report")



def download(event_id: int, fmt: str) -> Response:
    """The report as a file download: 403 for facilitators before it is released, 503
    when this server cannot make PDF."""
    event = get_event(event_id)
    report.may_read(event, current_principal())
    body = report.document(event, fmt)
    return file_response(body, fmt, f"report.{fmt}")


@blp.route("/report.docx")
class ReportDocx(MethodView):
    """The report as a Word document."""

    @require("recommendations:read")
    @blp.response(200, BINARY, content_type=CONTENT_TYPES["docx"], description="Facts, "
                  "participation as numbers, the adopted recommendations and each group's "
                  "summary per theme, the rapporteur's summary, credits for who led the "
                  "programme; no participant's name")
    @blp.alt_response(403, description="Facilitators: not released by the organisers yet")
    def get(self, event_id):
        """Download the report (DOCX, built-in styles; facilitators once it is released)"""
        return download(event_id, "docx")


@blp.route("/report.pdf")
class ReportPdf(MethodView):
    """The report as PDF, from the same facts as the Word document."""

    @require("recommendations:read")
    @blp.response(200, BINARY, content_type="application/pdf", description="The report as PDF")
    @blp.alt_response(403, description="Facilitators: not released by the organisers yet")
    @blp.alt_response(503, description="This server cannot make PDF (Pango missing)")
    def get(self, event_id):
        """Download the report (PDF; facilitators once it is released)"""
        return download(event_id, "pdf")


@blp.route("/report/release")
class Release(MethodView):
    """Releasing the report to the facilitators."""

    @require("recommendations:moderate")
    @blp.response(200, ReleaseOut)
    def get(self, event_id):
        """Whether the facilitators may download the report"""
        return get_event(event_id)

    @require("recommendations:moderate")
    @blp.response(200, ReleaseOut)
    def post(self, event_id):
        """Release the report: facilitators may download it"""
        return report.release(get_event(event_id), True)

    @require("recommendations:moderate")
    @blp.response(200, ReleaseOut)
    def delete(self, event_id):
        """Withdraw the report from the facilitators"""
        return report.release(get_event(event_id), False)
