"""The report on the pages: the rapporteur's summary, releasing it to the facilitators,
and the DOCX and PDF downloads (the same documents as the API's)."""

from __future__ import annotations

import marshmallow as ma
from flask import abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _

from allocator.api.schemas.events import EventPatch
from allocator.errors import DomainError
from allocator.responses import file_response
from allocator.services import events, report
from allocator.web.blueprint import bp
from allocator.web.forms import field_errors
from allocator.web.session import current_user, page


@bp.route("/events/<int:event_id>/report.<fmt>")
@page("recommendations:read")
def report_download(event_id: int, fmt: str):
    """The report as DOCX or PDF (facilitators once the organisers released it)."""
    if fmt not in report.FORMATS:
        abort(404)
    report.may_read(g.event, current_user())
    body = report.document(g.event, fmt)
    return file_response(body, fmt, f"report.{fmt}")


@bp.route("/events/<int:event_id>/report/summary", methods=["POST"])
@page("recommendations:moderate")
def report_summary(event_id: int):
    """Save the rapporteur's summary that opens the report."""
    try:
        data = EventPatch().load({"report_summary": request.form.get("report_summary", "")})
        events.update_event(g.event, data)
    except ma.ValidationError as exc:
        for message in field_errors(exc.messages).get("report_summary", []):
            flash(message, "error@report")
    except DomainError as problem:
        flash(problem.detail, "error@report")
    else:
        flash(_("The summary is saved."), "ok@report")
    return redirect(url_for("web.plenary", event_id=event_id) + "#report")


@bp.route("/events/<int:event_id>/report/release", methods=["POST"])
@page("recommendations:moderate")
def report_release(event_id: int):
    """Release the report to the facilitators, or withdraw it."""
    released = request.form.get("released") == "1"
    try:
        report.release(g.event, released)
    except DomainError as problem:
        flash(problem.detail, "error@report")
    else:
        flash(_("The facilitators can download the report now.") if released else
              _("The report is withdrawn: only the organisers download it."), "ok@report")
    return redirect(url_for("web.plenary", event_id=event_id) + "#report")
