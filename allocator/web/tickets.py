"""The desk scans tickets: a scanner that types (code + Enter) or the tablet's camera;
while the Wi-Fi is down the page queues scans and sends them, once each, when it is back.
And the organisers' printed material: badges and sign-in sheets."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, flash, g, jsonify, redirect, request, url_for
from flask_babel import gettext as _

from allocator.errors import DomainError
from allocator.idempotency import run_idempotent
from allocator.problems import status_of
from allocator.responses import file_response
from allocator.services import badges, tickets
from allocator.services.events import get_group
from allocator.services.participants import get_participant
from allocator.validation import whole_number
from allocator.web.blueprint import bp
from allocator.web.home import room_label
from allocator.web.recommendations import wants_json
from allocator.web.session import current_user, page


def said(scan: tickets.Scan) -> dict[str, Any]:
    """What the desk's result card shows (and says aloud)."""
    group = scan.group
    return {"ok": True, "participant_id": scan.person.id, "full_name": scan.person.full_name,
            "already_checked_in_at": scan.already_checked_in_at.isoformat()
            if scan.already_checked_in_at else None,
            "group": group.name if group else None,
            "room": room_label(group.room) if group and group.room else None,
            "facilitators": scan.facilitators,
            "where": group.name + (f", {room_label(group.room)}" if group.room else "")
            if group else scan.where}


def _scan() -> Response:
    try:
        scan = tickets.check_in(g.event, request.form.get("code", ""))
    except DomainError as problem:
        detail = problem.detail
        if problem.errors:
            detail = " ".join(m for ms in problem.errors.values() for m in ms)
        response = jsonify({"ok": False, "status": status_of(problem), "detail": detail,
                            "type": problem.type_ or "about:blank"})
        response.status_code = status_of(problem)
        response.content_type = "application/problem+json"
        return response
    return jsonify(said(scan))


@bp.route("/events/<int:event_id>/desk/scan", methods=["POST"])
@page("participants:write")
def desk_scan(event_id: int):
    """Check in by ticket. The page's script sends JSON requests with an Idempotency-Key
    (a scan re-sent after a dropped connection is the same check-in); without the script
    the answer is a message on the desk page."""
    if wants_json():
        if request.headers.get("Idempotency-Key"):
            return run_idempotent(current_user(), lambda: _scan(), (), {})
        return _scan()
    try:
        scan = tickets.check_in(g.event, request.form.get("code", ""))
    except DomainError as problem:
        errors = problem.errors or {}
        flash(" ".join(m for ms in errors.values() for m in ms) or problem.detail,
              "error")
    else:
        text = said(scan)
        flash((_("%(name)s was already checked in.", name=text["full_name"])
               if scan.already_checked_in_at
               else _("%(name)s is checked in.", name=text["full_name"])) + f" {text['where']}.",
              "warn" if scan.already_checked_in_at else "ok")
    return redirect(url_for("web.desk", event_id=event_id))


@bp.route("/events/<int:event_id>/desk/roster.json")
@page("participants:read")
def desk_roster(event_id: int):
    """Everyone the desk may check in, for looking people up while offline: names,
    organisation, status, group and a hash of their ticket — no e-mails, nothing else."""
    return jsonify(tickets.roster(g.event))


@bp.route("/events/<int:event_id>/desk/<int:participant_id>/ticket.png")
@page("participants:read")
def desk_ticket(event_id: int, participant_id: int):
    """A person's ticket on the desk's screen, to reprint or to show."""
    person = get_participant(g.event, participant_id)
    return Response(tickets.qr_png(tickets.payload(person)), content_type="image/png")


@bp.route("/events/<int:event_id>/desk/<int:participant_id>/ticket", methods=["POST"])
@page("participants:write")
def desk_replace_ticket(event_id: int, participant_id: int):
    """Replace a lost or shared ticket: the old QR code stops working at once."""
    get_participant(g.event, participant_id)  # another event's: a 404 page
    try:
        person = tickets.rotate(g.event, participant_id)
    except DomainError as problem:
        flash(problem.detail, "error")
    else:
        flash(_("%(name)s has a new ticket; the old one no longer works.",
                name=person.full_name),
              "ok@ticket")
    return redirect(url_for("web.person", event_id=event_id, participant_id=participant_id)
                    + "#ticket")


def _pdf(make, filename: str) -> Response:  # noqa: ANN001
    return file_response(make(), "pdf", filename)


@bp.route("/events/<int:event_id>/badges.pdf")
@page("participants:read")
def badges_download(event_id: int):
    """Badges for everyone registered (or one group: ?group=; ?layout=label)."""
    layout = request.args.get("layout", "a4")
    group = request.args.get("group", "")
    group_id = whole_number(group)
    if layout not in badges.LAYOUTS or (group and group_id is None):
        abort(404)
    if group_id is not None:
        get_group(g.event, group_id)
    return _pdf(lambda: badges.badges_pdf(g.event, layout, group_id), "badges.pdf")


@bp.route("/events/<int:event_id>/groups/<int:group_id>/sign-in-sheet.pdf")
@page("lists:read")
def sign_in_sheet_download(event_id: int, group_id: int):
    """A working group's sign-in sheet, to print."""
    group = get_group(g.event, group_id)
    return _pdf(lambda: badges.sign_in_sheet_pdf(g.event, group), "sign-in sheet.pdf")
