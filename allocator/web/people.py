"""Changing or withdrawing one person's registration from the pages (desk, organisers)."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import flash, g, redirect, request, url_for
from flask_babel import gettext as _

from allocator.api.schemas import ParticipantPatch
from allocator.errors import DomainError
from allocator.services import participants
from allocator.web.blueprint import bp
from allocator.web.desk import VETO, form_context, form_to_data
from allocator.web.forms import field_errors
from allocator.web.session import page, render


def _as_form(person: Any) -> dict[str, str]:
    form = {"full_name": person.full_name, "email": person.email,
            "organization": person.organization, "sector": person.sector,
            "country": person.country or "", "gender": person.gender or "",
            "language": person.language or "",
            "role": person.role, "duties": list(person.duties),
            "badge_shows_organization": "yes" if person.badge_shows_organization else ""}
    for rank, key in enumerate(person.preference_keys, start=1):
        form[f"rank-{key}"] = str(rank)
    for key in person.vetoes or []:
        form[f"rank-{key}"] = VETO
    return form


@bp.route("/events/<int:event_id>/people/<int:participant_id>/edit", methods=["GET", "POST"])
@page("participants:write")
def edit_person(event_id: int, participant_id: int):
    """Correct a registration: the same fields and rules as registering."""
    person = participants.get_participant(g.event, participant_id)
    errors: dict[str, list[str]] = {}
    form: Any = _as_form(person)
    if request.method == "POST":
        form = request.form
        data, errors = form_to_data(form, [t.key for t in g.event.themes])
        data.pop("consent", None)  # consent was given at registration, not here
        for name in ("country", "gender", "language"):
            data.setdefault(name, None)
        try:
            loaded = ParticipantPatch().load(data)
        except ma.ValidationError as exc:
            errors.update(field_errors(exc.messages))
            loaded = None
        if loaded is not None and not errors:
            try:
                participants.update(g.event, participant_id, loaded)
            except DomainError as problem:
                errors = problem.field_errors()
            else:
                flash(_("%(name)s's registration is saved.",
                        name=loaded.get("full_name", person.full_name)))
                return redirect(url_for("web.person", event_id=event_id,
                                        participant_id=participant_id))
    return render("people/edit.html", person=person, form=form, errors=errors,
                  **form_context()), 422 if errors else 200


@bp.route("/events/<int:event_id>/people/<int:participant_id>/withdraw", methods=["POST"])
@page("participants:write")
def withdraw_person(event_id: int, participant_id: int):
    """Withdraw a registration (the record stays, out of allocations and lists)."""
    participants.get_participant(g.event, participant_id)  # another event's: a 404 page
    try:
        person = participants.withdraw(g.event, participant_id)
        flash(_("%(name)s is withdrawn. Register them again if they come back.",
                name=person.full_name))
    except DomainError as problem:
        flash(problem.detail, "error")
    return redirect(url_for("web.person", event_id=event_id, participant_id=participant_id))
