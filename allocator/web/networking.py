"""Networking on the person's own page (the personal link is the key): the directory
choice, the meet code, exchanging contacts, the directory, the contacts' vCards.

Every form posts back to the page with the link's CSRF token; answers come back as a word
in the address (``?said=…``), never a name."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from allocator.errors import DomainError
from allocator.i18n import N_
from allocator.problems import status_of
from allocator.services import codes, networking, personal
from allocator.services.taxonomy import for_event
from allocator.web.blueprint import bp
from allocator.web.forms import check_personal_form, personal_visit

SAID = {"sent": _l("Sent. If the code is theirs and they accept, you will see each other's "
                   "contact details here."),
        "listed": _l("You are listed in the directory, with your name and what you ticked."),
        "unlisted": _l("You are not listed in the directory."),
        "accepted": _l("Accepted: you now see each other's contact details."),
        "declined": _l("Declined. They are not told.")}


# Why the directory is refused, in the reader's language (the service's words are English)
REFUSALS = {
    403: _l("Networking is open to the people taking part in the workshop, once they have "
            "registered."),
    429: _l("Too many directory searches from this page; wait a minute."),
}

# What the personal page's scripts say (meet.js, qrcamera.js), by their English
SCRIPT_WORDS = (
    N_("That is not a meet code: ask them to open “Meet people” on their page."),
    N_("The camera could not start: type the code instead."), N_("Stop the camera"),
)

# The choice's checkboxes, worded apart from the answer form's fields on the same page
SHARE_WORDS = {"organization": _l("Show my organisation"), "sector": _l("Show my sector"),
               "country": _l("Show my country"), "email": _l("Show my e-mail address"),
               "themes": _l("Show the themes I chose")}


def section(visit: personal.Visit) -> dict[str, Any] | None:
    """What the personal page shows under "Meet people": None for someone not taking part."""
    try:
        shown = networking.me(visit.person, visit.event)
        code = networking.meet_code(visit.person, visit.event)
    except DomainError:
        return None
    return {**shown, "code": code, "field_words": networking.FIELD_WORDS,
            "share_words": SHARE_WORDS,
            "shareable": networking.SHAREABLE, "said": SAID.get(request.args.get("said", "")),
            "error": request.args.get("error") == "code",
            "meet_svg": codes.qr_svg(code, scale=5, title=_("Meet code QR"))}


def _back(secret: str, said: str = "", error: str = "") -> Response:
    args = {k: v for k, v in (("said", said), ("error", error)) if v}
    return redirect(url_for("web.personal_page", secret=secret, **args) + "#networking",
                    code=303)


@bp.route("/i/<secret>/networking/directory", methods=["POST"])
def directory_choice(secret: str):
    """Store whether the person is listed, and what they share."""
    visit = personal_visit(secret)
    check_personal_form(visit)
    listed = request.form.get("listed") == "yes"
    try:
        networking.set_directory(visit.person, visit.event, {
            "listed": listed, "fields": request.form.getlist("fields"),
            "about": request.form.get("about", "")})
    except DomainError:
        abort(422, description=_("That choice cannot be stored; reload the page."))
    return _back(secret, "listed" if listed else "unlisted")


@bp.route("/i/<secret>/networking/contacts", methods=["POST"])
def send_contact_request(secret: str):
    """Send a contact request to the owner of a typed or scanned meet code."""
    visit = personal_visit(secret)
    check_personal_form(visit)
    try:
        networking.request_contact(visit.person, visit.event, request.form.get("code", ""))
    except DomainError:
        return _back(secret, error="code")
    return _back(secret, "sent")


@bp.route("/i/<secret>/networking/contacts/<int:request_id>/<any(accept, decline):answer>",
          methods=["POST"])
def answer_contact_request(secret: str, request_id: int, answer: str):
    """Accept or decline a request made to the person."""
    visit = personal_visit(secret)
    check_personal_form(visit)
    try:
        networking.answer_request(visit.person, visit.event, request_id, answer == "accept")
    except DomainError:
        abort(404, description=_("No such request waits for your answer."))
    return _back(secret, "accepted" if answer == "accept" else "declined")


@bp.route("/i/<secret>/directory")
def directory_page(secret: str):
    """The event's directory, as the person may see it: only those who chose to be listed."""
    visit = personal_visit(secret)
    args = {name: request.args.get(name, "").strip()[:100]
            for name in ("q", "sector", "country", "theme", "page")}
    if args["page"] and not args["page"].isdigit():
        args["page"] = ""
    try:
        found = networking.directory(visit.person, visit.event, visit.link.secret_hash,
                                     {**args, "page": int(args["page"] or 1)})
    except DomainError as problem:
        status = status_of(problem)
        abort(status, description=str(REFUSALS.get(status, problem.detail)))
    return render_template(
        "networking/directory.html", event=visit.event, person=visit.person, user=None,
        found=found, args=args, secret=secret, taxonomy=for_event(visit.event),
        themes={t.key: t.title for t in visit.event.themes},
        pages=(found["total"] + found["per_page"] - 1) // found["per_page"])


@bp.route("/i/<secret>/contacts.vcf")
def contacts_vcf(secret: str):
    """The person's accepted contacts as a vCard file."""
    visit = personal_visit(secret)
    try:
        people = networking.accepted(visit.person, visit.event)
    except DomainError:
        abort(404)
    return Response(networking.vcards(people), mimetype="text/vcard", headers={
        "Content-Disposition": 'attachment; filename="contacts.vcf"',
        "Cache-Control": "no-store"})


@bp.route("/i/<secret>/meet.png")
def meet_png(secret: str):
    """The person's meet code as a QR image (for the JSON surface and printing)."""
    visit = personal_visit(secret)
    try:
        code = networking.meet_code(visit.person, visit.event)
    except DomainError:
        abort(404)
    return Response(codes.qr_png(code, scale=8), mimetype="image/png",
                    headers={"Cache-Control": "no-store"})
