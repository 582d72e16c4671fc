"""Organisers' rules: pins and pairs, people chosen by typing a few letters of a name."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import flash, g, redirect, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from allocator.api.schemas import RuleIn
from allocator.errors import DomainError
from allocator.extensions import db
from allocator.models import ACTIVE, Participant
from allocator.services import rules
from allocator.services.events import require_open
from allocator.validation import whole_number
from allocator.web.blueprint import bp
from allocator.web.forms import field_errors, person_choice, pick_person
from allocator.web.session import page, render


def active_people() -> list[Participant]:
    """The people who take part (registered, checked in), by name: whom a rule can name."""
    return list(db.session.scalars(select(Participant).where(
        Participant.event_id == g.event.id, Participant.status.in_(ACTIVE))
        .order_by(Participant.search_key)))


def _page(people: list[Participant], form: Any = None, errors: Any = None, which: str = "",
          status: int = 200) -> Any:
    return render("rules.html", rules=rules.list_rules(g.event), people=people,
                  names={p.id: p.full_name for p in people},
                  choices=[person_choice(p) for p in people],
                  groups={grp.id: grp for grp in g.event.groups}, form=form or {},
                  errors=errors or {}, which=which), status


@bp.route("/events/<int:event_id>/rules")
@page("allocations:write")
def rules_page(event_id: int):
    """Pins and pairs, with forms to add more."""
    return _page(active_people())


@bp.route("/events/<int:event_id>/rules", methods=["POST"])
@page("allocations:write")
def add_rule(event_id: int):
    """Add a pin, an apart pair or a together pair; a rule that clashes with another is
    refused with both named, next to the form."""
    form = request.form
    people = active_people()
    which = "pin" if form.get("kind") == "pin" else "pair"
    errors: dict[str, list[str]] = {}
    try:
        require_open(g.event)  # a closed event says so before anything about the fields
    except DomainError as problem:
        return _page(people, form, {"_form": [problem.detail]}, which, 409)
    data: dict[str, Any] = {"kind": form.get("kind", ""), "note": form.get("note", "")}
    for field in ("participant_id", "other_id"):
        if field == "other_id" and which == "pin":
            continue
        chosen, why = pick_person(form.get(field, ""), people)
        if why:
            errors[field] = [why]
        else:
            data[field] = chosen
    if which == "pin":
        number = whole_number(form.get("group_id"))
        if number is None:
            errors["group_id"] = [_("Choose a group.")]
        else:
            data["group_id"] = number
    if not errors:
        try:
            rules.create_rule(g.event, RuleIn().load(data))
        except ma.ValidationError as exc:
            errors = field_errors(exc.messages)
        except DomainError as problem:
            errors = problem.field_errors()
        else:
            flash(_("Rule added."), "ok@rules")
            return redirect(url_for("web.rules_page", event_id=event_id) + "#rules")
    return _page(people, form, errors, which, 422)


@bp.route("/events/<int:event_id>/rules/<int:rule_id>/delete", methods=["POST"])
@page("allocations:write")
def delete_rule(event_id: int, rule_id: int):
    """Delete a rule."""
    rules.delete_rule(g.event, rule_id)
    flash(_("Rule deleted."), "ok@rules")
    return redirect(url_for("web.rules_page", event_id=event_id) + "#rules")
