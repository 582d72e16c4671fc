"""Participants: the desk's calls."""

from __future__ import annotations

from flask import request
from flask.views import MethodView

from allocator.api.blueprint import Blueprint
from allocator.api.openapi import BINARY
from allocator.api.schemas import (
    ImportQuery,
    ImportResult,
    ParticipantIn,
    ParticipantOut,
    ParticipantPage,
    ParticipantPatch,
    ParticipantQuery,
    PersonalDataOut,
)
from allocator.auth import require
from allocator.problems import abort_problem
from allocator.services import imports, participants, privacy
from allocator.services.events import get_event

blp = Blueprint("participants", __name__,
                url_prefix="/api/events/<int:event_id>/participants",
                description="Registration, search and check-in")

CSV_TYPES = {"text/csv", "text/plain", "application/csv", "application/vnd.ms-excel"}
IMPORT_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {"type": "object", "required": ["file"],
                       "properties": {"file": {"type": "string", "format": "binary"}}}
        },
        "text/csv": {"schema": BINARY},
    },
}


@blp.route("")
class ParticipantList(MethodView):
    """An event's participants."""

    @require("participants:read")
    @blp.arguments(ParticipantQuery, location="query")
    @blp.response(200, ParticipantPage)
    def get(self, args, event_id):
        """Find participants (filters, free text, pages)"""
        return participants.search(get_event(event_id), args)

    @require("participants:write")
    @blp.arguments(ParticipantIn)
    @blp.response(201, ParticipantOut)
    def post(self, data, event_id):
        """Register a participant"""
        person = participants.register(event_id, data)
        return person, 201, {"Location": participants.participant_url(event_id, person["id"])}


@blp.route("/<int:participant_id>")
class ParticipantItem(MethodView):
    """One participant."""

    @require("participants:read")
    @blp.response(200, ParticipantOut)
    def get(self, event_id, participant_id):
        """Read a participant"""
        return participants.read(get_event(event_id), participant_id)

    @require("participants:write")
    @blp.arguments(ParticipantPatch)
    @blp.response(200, ParticipantOut)
    def patch(self, data, event_id, participant_id):
        """Change a registration"""
        return participants.update(get_event(event_id), participant_id, data)

    @require("participants:write")
    @blp.response(200, ParticipantOut)
    def delete(self, event_id, participant_id):
        """Withdraw a registration (the record stays for the audit)"""
        return participants.withdraw(get_event(event_id), participant_id)


@blp.route("/<int:participant_id>/check-in")
class CheckIn(MethodView):
    """A participant's check-in."""

    @require("participants:write")
    @blp.response(200, ParticipantOut)
    def post(self, event_id, participant_id):
        """Check a participant in"""
        return participants.check_in(get_event(event_id), participant_id)

    @require("participants:write")
    @blp.response(200, ParticipantOut)
    def delete(self, event_id, participant_id):
        """Undo a check-in"""
        return participants.undo_check_in(get_event(event_id), participant_id)


@blp.route("/<int:participant_id>/export")
class PersonalData(MethodView):
    """A person's right of access."""

    @require("participants:admin")
    @blp.response(200, PersonalDataOut)
    def get(self, event_id, participant_id):
        """Everything held on one participant, as JSON"""
        return privacy.export_participant(get_event(event_id), participant_id)


@blp.route("/<int:participant_id>/erase")
class Erase(MethodView):
    """A person's right to erasure."""

    @require("participants:admin")
    @blp.response(200, ParticipantOut)
    def post(self, event_id, participant_id):
        """Erase a participant now (their allocations stay, anonymous)"""
        return privacy.erase_participant(get_event(event_id), participant_id)


def uploaded_csv() -> bytes:
    """The CSV bytes of an import request: a multipart 'file' or a text/csv body."""
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            abort_problem(422, "Attach the CSV file as the form field 'file'.",
                          errors={"file": ["Missing data for required field."]})
        sent = {name if name else "(a field without a name)"
                for name in [*request.form.keys(), *request.files.keys()]}
        extra = sorted(sent - {"file"})
        if extra or len(request.files.getlist("file")) > 1:
            names = extra or ["file"]
            abort_problem(422, f"The upload takes one field, 'file'; also sent: "
                          f"{', '.join(names)}. Options such as dry_run go in the query.",
                          errors={name: ["Not a field of this upload."] for name in names})
        return upload.read()
    if request.mimetype in CSV_TYPES:
        return request.get_data()
    abort_problem(415, "Send the CSV as multipart/form-data (field 'file') or as text/csv.")


@blp.route("/import")
class Import(MethodView):
    """Bulk registration from a CSV file."""

    @require("participants:import")
    @blp.arguments(ImportQuery, location="query")
    @blp.response(201, ImportResult)
    @blp.alt_response(200, schema=ImportResult, description="Dry run: nothing written")
    @blp.doc(requestBody=IMPORT_BODY)
    def post(self, args, event_id):
        """Import participants from CSV (all rows or none)"""
        report = imports.import_csv(get_event(event_id), uploaded_csv(), schema=ParticipantIn(),
                                    dry_run=args["dry_run"], on_existing=args["on_existing"])
        return report, 200 if report.dry_run else 201
