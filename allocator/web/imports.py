"""Importing a spreadsheet of people from the pages (organisers): check it, then import."""

from __future__ import annotations

from flask import flash, g, redirect, request, url_for
from flask_babel import gettext as _

from allocator.api.schemas import ParticipantIn
from allocator.errors import DomainError
from allocator.problems import status_of
from allocator.services import imports
from allocator.web.blueprint import bp
from allocator.web.session import page, render

CHOICES = {
    "error": "Refuse the file (nothing is imported)",
    "skip": "Leave their registration as it is",
    "update": "Bring their registration up to date with the file",
}


@bp.route("/events/<int:event_id>/import", methods=["GET", "POST"])
@page("participants:import")
def import_people(event_id: int):
    """Upload a CSV: "Check" shows row by row what would happen (or every bad row, with its
    column); "Import" does it, all rows or none."""
    result, problem, status = None, None, 200
    on_existing = request.form.get("on_existing", "error")
    if request.method == "POST":
        upload = request.files.get("file")
        dry_run = request.form.get("action") != "import"
        if on_existing not in CHOICES:
            on_existing = "error"
        if upload is None or not upload.filename:
            problem = {"detail": "Choose the CSV file to import.", "errors": []}
            status = 422
        else:
            try:
                result = imports.import_csv(g.event, upload.read(), schema=ParticipantIn(),
                                            dry_run=dry_run,
                                            on_existing=on_existing)
            except DomainError as exc:
                problem = {"detail": exc.detail,
                           "errors": exc.errors if isinstance(exc.errors, list) else []}
                status = status_of(exc)
            else:
                if not dry_run:
                    flash(_("Imported: %(created)d created, %(updated)d updated, %(unchanged)d "
                            "unchanged, %(skipped)d skipped.", created=result.created,
                            updated=result.updated, unchanged=result.unchanged,
                            skipped=result.skipped))
                    return redirect(url_for("web.desk", event_id=event_id))
    headings = imports.HEADINGS
    return render("imports/import.html", result=result, problem=problem,
                  on_existing=on_existing, choices=CHOICES, headings=headings,
                  required=[headings[c] for c in imports.REQUIRED],
                  optional=[headings[c] for c in imports.COLUMNS
                            if c not in imports.REQUIRED]), status
