"""Organisers set up an event: its details, sectors, themes and working groups."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import marshmallow as ma
from flask import flash, g, redirect, request, url_for

from allocator.api.schemas import EventPatch, GroupIn, ThemeIn
from allocator.errors import DomainError
from allocator.services import events
from allocator.services.events import consent_of
from allocator.services.taxonomy import for_event
from allocator.validation import fold, whole_number
from allocator.web.blueprint import bp
from allocator.web.forms import field_errors, said, sentence
from allocator.web.session import page, render


@bp.route("/events/<int:event_id>/setup")
@page("event:write")
def setup(event_id: int):
    """The event, its sectors, its themes and its working groups on one page."""
    taxonomy = for_event(g.event)
    return render("setup.html", sectors=[(s, taxonomy.label(s)) for s in g.event.sectors],
                  default_consent=consent_of(None)[0])


def _setup_action(action: Callable[[], Any], success: str, anchor: str) -> Any:
    """Do it; say what happened (every field's problem at once), back on the setup page
    at the part that was changed."""
    try:
        action()
        flash(success, f"ok@{anchor}")
    except ma.ValidationError as exc:
        flash(sentence(field_errors(exc.messages)), f"error@{anchor}")
    except DomainError as problem:
        flash(said(problem), f"error@{anchor}")
    return redirect(url_for("web.setup", event_id=g.event.id) + f"#{anchor}")


@bp.route("/events/<int:event_id>/setup/event", methods=["POST"])
@page("event:write")
def setup_event(event_id: int):
    """Change the event's name, venue, times, language, retention."""
    form = request.form
    data: dict[str, Any] = {k: form[k] for k in ("name", "venue", "language", "timezone",
                                                 "starts_at", "ends_at") if form.get(k)}
    # may be emptied: no deadline (answers until the start), no contact, the server's text
    for name in ("registration_closes_at", "contact_email", "consent_text"):
        if name in form:
            data[name] = form[name].strip() or None
    if form.get("retention_days", "").strip():
        number = whole_number(form["retention_days"])
        data["retention_days"] = form["retention_days"] if number is None else number
    return _setup_action(lambda: events.update_event(g.event, EventPatch().load(data)),
                         "Event saved.", "event")


def sector_key(label: str, taken: list[str]) -> str:
    """A key for a new sector from its label: 'Trade unions' -> 'trade_unions' (Latin
    letters, digits, underscores; a number added when taken or when nothing is left)."""
    base = "_".join(fold(label).split())[:40].strip("_") or "sector"
    key, n = base, 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    return key


@bp.route("/events/<int:event_id>/setup/sectors", methods=["POST"])
@page("event:write")
def setup_sectors(event_id: int):
    """Rename sectors, add one, or remove one nobody registered uses."""
    form = request.form
    sectors = list(g.event.sectors)
    remove = form.get("remove")
    if remove:
        label = for_event(g.event).label(remove)
        return _setup_action(
            lambda: events.update_event(g.event, EventPatch().load(
                {"sectors": [s for s in sectors if s != remove]})),
            f"Sector {label} removed.", "sectors")
    labels = {s: form[f"label-{s}"].strip() for s in sectors
              if form.get(f"label-{s}", "").strip()}
    data: dict[str, Any] = {"sector_labels": labels}
    new = form.get("new_label", "").strip()
    if new:
        key = sector_key(new, sectors)
        data["sectors"] = [*sectors, key]
        labels[key] = new
    return _setup_action(lambda: events.update_event(g.event, EventPatch().load(data)),
                         f"Sector {new} added." if new else "Sector names saved.", "sectors")


@bp.route("/events/<int:event_id>/setup/themes", methods=["POST"])
@page("event:write")
def add_theme(event_id: int):
    """Add a theme."""
    data = {"key": request.form.get("key", ""), "title": request.form.get("title", ""),
            "description": request.form.get("description", "")}
    return _setup_action(lambda: events.create_theme(g.event, ThemeIn().load(data)),
                         "Theme added.", "themes")


@bp.route("/events/<int:event_id>/setup/themes/<key>", methods=["POST"])
@page("event:write")
def edit_theme(event_id: int, key: str):
    """Rename a theme or change its description, or delete it (refused while groups or
    preferences use it)."""
    events.get_theme(g.event, key)  # an unknown (or another event's) theme is a 404 page
    if request.form.get("delete"):
        return _setup_action(lambda: events.delete_theme(g.event, key), "Theme deleted.",
                             "themes")
    data = {"title": request.form.get("title", "")}
    if "description" in request.form:
        data["description"] = request.form["description"]
    return _setup_action(
        lambda: events.update_theme(g.event, key, ThemeIn(partial=True).load(data)),
        "Theme saved.", "themes")


def _group_data(form: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"name": form.get("name", ""), "theme": form.get("theme", ""),
                            "room": form.get("room", "")}
    for field in ("capacity", "min_size"):
        value = form.get(field, "")
        number = whole_number(value)
        data[field] = value if number is None else number
    return data


@bp.route("/events/<int:event_id>/setup/groups", methods=["POST"])
@page("event:write")
def add_group(event_id: int):
    """Add a working group."""
    return _setup_action(
        lambda: events.create_group(g.event, GroupIn().load(_group_data(request.form))),
        "Working group added.", "groups")


@bp.route("/events/<int:event_id>/setup/groups/<int:group_id>", methods=["POST"])
@page("event:write")
def edit_group(event_id: int, group_id: int):
    """Change a working group (or delete it with the delete button)."""
    events.get_group(g.event, group_id)  # another event's group is a 404 page
    if request.form.get("delete"):
        return _setup_action(lambda: events.delete_group(g.event, group_id),
                             "Group deleted.", "groups")
    data = _group_data(request.form)
    return _setup_action(
        lambda: events.update_group(g.event, group_id, GroupIn(partial=True).load(data)),
        "Working group saved.", "groups")
