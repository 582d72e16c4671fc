"""Tickets and scan-to-check-in: the QR code of each registered person, and the desk's
scanner."""

from __future__ import annotations

from flask import Response
from flask.views import MethodView

from allocator.api.blueprint import Blueprint
from allocator.api.openapi import BINARY
from allocator.api.schemas.tickets import (
    BadgesQuery,
    CheckInIn,
    CheckInOut,
    TicketOut,
    TicketQuery,
)
from allocator.auth import require
from allocator.responses import file_response
from allocator.services import badges, tickets
from allocator.services.events import get_event, get_group
from allocator.services.participants import get_participant

blp = Blueprint("tickets", __name__, url_prefix="/api/events/<int:event_id>",
                description="Tickets, scan-to-check-in")


@blp.route("/participants/<int:participant_id>/ticket.png")
class TicketPng(MethodView):
    """A participant's ticket as a QR code."""

    @require("participants:read")
    @blp.arguments(TicketQuery, location="query")
    @blp.response(200, BINARY, content_type="image/png", description="The QR code (PNG)")
    @blp.alt_response(409, description="Not registered (invited, declined, withdrawn)")
    def get(self, args, event_id, participant_id):
        """Download a participant's ticket (QR code, PNG) to print or show again"""
        person = get_participant(get_event(event_id), participant_id)
        # A ticket is a key: like every answer here it is sent "Cache-Control: no-store".
        return Response(tickets.qr_png(tickets.payload(person), scale=args["scale"]),
                        content_type="image/png")


@blp.route("/participants/<int:participant_id>/ticket")
class Ticket(MethodView):
    """Replacing a lost or shared ticket."""

    @require("participants:write")
    @blp.response(200, TicketOut)
    def post(self, event_id, participant_id):
        """Replace the ticket: the old QR code stops working at once"""
        return tickets.rotate(get_event(event_id), participant_id)


@blp.route("/check-ins")
class CheckIns(MethodView):
    """Scan to check in."""

    @require("participants:write")
    @blp.arguments(CheckInIn)
    @blp.response(200, CheckInOut)
    @blp.alt_response(404, description="Unknown or forged ticket (or replaced by a newer one)")
    @blp.alt_response(409, description="Another event's ticket, or the person withdrew")
    def post(self, data, event_id):
        """Check in the person whose ticket was scanned; a second scan says when they came"""
        return tickets.check_in(get_event(event_id), data["code"])


def pdf_response(make, filename: str) -> Response:  # noqa: ANN001
    """``make()``'s PDF as a download (the service says when this server cannot)."""
    return file_response(make(), "pdf", filename)


@blp.route("/badges.pdf")
class Badges(MethodView):
    """Name badges with each person's ticket."""

    @require("participants:read")
    @blp.arguments(BadgesQuery, location="query")
    @blp.response(200, BINARY, content_type="application/pdf", description="One badge per person "
                  "registered or checked in: name, organisation where they agreed, group "
                  "and room, the ticket's QR code")
    @blp.alt_response(503, description="This server cannot make PDF (Pango missing)")
    def get(self, args, event_id):
        """Download the badges (A4 sheets of 8, or one per label; ?group= for one group)"""
        event = get_event(event_id)
        group_id = args.get("group")
        if group_id is not None:
            get_group(event, group_id)
        return pdf_response(lambda: badges.badges_pdf(event, args["layout"], group_id),
                            "badges.pdf")


@blp.route("/groups/<int:group_id>/sign-in-sheet.pdf")
class SignInSheet(MethodView):
    """A working group's sign-in sheet."""

    @require("lists:read")
    @blp.response(200, BINARY, content_type="application/pdf", description="The group's published "
                  "members with a signature column, and empty rows for walk-ins")
    @blp.alt_response(503, description="This server cannot make PDF (Pango missing)")
    def get(self, event_id, group_id):
        """Download a working group's sign-in sheet (PDF)"""
        event = get_event(event_id)
        group = get_group(event, group_id)
        return pdf_response(lambda: badges.sign_in_sheet_pdf(event, group),
                            "sign-in sheet.pdf")
