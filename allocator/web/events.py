"""Creating an event from the pages (organisers)."""

from __future__ import annotations

import marshmallow as ma
from flask import flash, redirect, request, url_for
from flask_babel import gettext as _

from allocator.api.schemas import EventIn
from allocator.errors import DomainError
from allocator.services import events
from allocator.web.blueprint import bp
from allocator.web.forms import field_errors
from allocator.web.session import page, render

FIELDS = ("name", "starts_at", "ends_at", "timezone", "venue", "language", "retention_days")


@bp.route("/events/new", methods=["GET", "POST"])
@page("event:create")
def new_event():
    """A new event: name, when and where, retention; themes and groups come next."""
    errors: dict[str, list[str]] = {}
    form = request.form
    if request.method == "POST":
        data = {k: form[k].strip() for k in FIELDS if form.get(k, "").strip()}
        if "retention_days" in data:
            number = data["retention_days"]
            data["retention_days"] = int(number) if number.isascii() and number.isdigit() \
                else number
        try:
            event = events.create_event(EventIn().load(data))
        except ma.ValidationError as exc:
            errors = field_errors(exc.messages)
        except DomainError as problem:
            errors = problem.field_errors()
        else:
            flash(_("%(event)s is created. Add its themes and working groups.", event=event.name))
            return redirect(url_for("web.setup", event_id=event.id))
    return render("events/new.html", form=form, errors=errors,
                  zones=["Europe/Vienna", "UTC", "Europe/Brussels", "Europe/London",
                         "America/New_York", "Asia/Bangkok"]), 422 if errors else 200
