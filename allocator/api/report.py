"""The workshop's report, as a document the rapporteur edits."""

from __future__ import annotations

from flask import Response
from flask.views import MethodView

from allocator.api.blueprint import Blueprint
from allocator.auth import require
from allocator.errors import abort_problem
from allocator.extensions import db
from allocator.services import audit, report
from allocator.services.events import get_event
from allocator.services.exports import content_disposition

blp = Blueprint("report", __name__, url_prefix="/api/events/<int:event_id>",
                description="The workshop's report")

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@blp.route("/report.docx")
class ReportDocx(MethodView):
    """The report as a Word document."""

    @require("recommendations:moderate")
    @blp.response(200, content_type=DOCX, description="Facts, participation as numbers, "
                  "the adopted recommendations per theme, the summary; no names")
    def get(self, event_id):
        """Download the report (DOCX, built-in styles)"""
        event = get_event(event_id)
        body = report.docx(report.build(event))
        audit.record("report.downloaded", event_id=event.id, subject=("event", event.id),
                     details={"format": "docx"})
        db.session.commit()
        response = Response(body)
        response.headers["Content-Type"] = DOCX
        response.headers["Content-Disposition"] = content_disposition("report.docx")
        return response


@blp.route("/report.pdf")
class ReportPdf(MethodView):
    """The report as PDF, from the same facts as the Word document."""

    @require("recommendations:moderate")
    @blp.response(200, content_type="application/pdf", description="The report as PDF")
    @blp.alt_response(503, description="This server cannot make PDF (Pango missing)")
    def get(self, event_id):
        """Download the report (PDF)"""
        event = get_event(event_id)
        try:
            body = report.pdf(report.build(event))
        except report.ReportUnavailable:
            abort_problem(503, "This server cannot make PDF files: install Pango (Debian: "
                               "apt-get install libpango-1.0-0 libpangoft2-1.0-0) or "
                               "download the report as DOCX.", title="Service Unavailable")
        audit.record("report.downloaded", event_id=event.id, subject=("event", event.id),
                     details={"format": "pdf"})
        db.session.commit()
        response = Response(body)
        response.headers["Content-Type"] = "application/pdf"
        response.headers["Content-Disposition"] = content_disposition("report.pdf")
        return response
