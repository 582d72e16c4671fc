"""The programme on the pages: the list (organisers add, change and remove items), and a
projector view of what is on now and what comes next."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import marshmallow as ma
from flask import flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from allocator.api.schemas.programme import ProgrammeItemIn, ProgrammeItemPatch
from allocator.errors import DomainError, NotFound
from allocator.models import PROGRAMME_KINDS, Participant
from allocator.services import programme
from allocator.services.taxonomy import for_event, using
from allocator.validation import whole_number
from allocator.web.blueprint import bp
from allocator.web.forms import field_errors, said
from allocator.web.home import field_label
from allocator.web.session import page, render

KIND_WORDS = {"talk": _l("Talk"), "questions": _l("Questions"),
              "working_groups": _l("Working groups"), "plenary": _l("Plenary"),
              "break": _l("Break"), "other": _l("Other")}


def _speakers_to_choose() -> list[Participant]:
    """People of the event with a programme duty (who may speak), by name."""
    return programme.duty_holders(g.event)


def _values_of(item: Any) -> dict[str, Any]:
    """An item as its form shows it (times as hh:mm in the event's zone)."""
    zone = ZoneInfo(g.event.timezone or "UTC")
    return {"starts_at": f"{item.starts_at.astimezone(zone):%H:%M}",
            "ends_at": f"{item.ends_at.astimezone(zone):%H:%M}", "title": item.title,
            "kind": item.kind, "room": item.room,
            "theme": item.theme.key if item.theme else "", "speaker_ids": item.speaker_ids}


def _values_sent(form: Any) -> dict[str, Any]:
    """What a form sent, to show it again beside its errors."""
    return {**{name: form.get(name, "") for name in
               ("starts_at", "ends_at", "title", "kind", "room", "theme")},
            "speaker_ids": [whole_number(v) for v in form.getlist("speaker_ids")]}


def _page(form: Any = None, errors: dict[str, list[str]] | None = None,
          editing: int | None = None, status: int = 200) -> Any:
    items = programme.with_speakers(g.event, programme.items(g.event))
    values = {item.id: _values_sent(form) if editing == item.id else _values_of(item)
              for item in items}
    adding = _values_sent(form) if form and editing is None else {
        "starts_at": "", "ends_at": "", "title": "", "kind": "talk", "room": "", "theme": "",
        "speaker_ids": []}
    labels = {f"item-{editing}-{name}": field_label(name) for name in
              ("starts_at", "ends_at", "title", "kind", "room", "theme", "speaker_ids")}
    return render("programme/programme.html", items=items, kinds=PROGRAMME_KINDS,
                  labels=labels,
                  kind_words=KIND_WORDS, speakers=_speakers_to_choose(), values=values,
                  adding=adding, errors=errors or {}, editing=editing,
                  spans={item.id: programme.span(g.event, item) for item in items}), status


def _form_data(form: Any, partial: bool) -> tuple[dict[str, Any] | None, dict[str, list[str]]]:
    """The form's fields as the API reads them: times on the event's day."""
    data: dict[str, Any] = {name: form.get(name, "") for name in
                            ("title", "kind", "room", "notes")}
    day = programme.event_day(g.event)
    for name in ("starts_at", "ends_at"):
        value = form.get(name, "").strip()
        data[name] = f"{day.isoformat()}T{value}" if len(value) == 5 else value
    data["theme"] = form.get("theme") or None
    data["speaker_ids"] = [whole_number(v) or v for v in form.getlist("speaker_ids")]
    schema = ProgrammeItemPatch() if partial else ProgrammeItemIn()
    try:
        with using(for_event(g.event)):
            return schema.load(data), {}
    except ma.ValidationError as exc:
        return None, field_errors(exc.messages)


@bp.route("/events/<int:event_id>/programme")
@page("event:read")
def programme_page(event_id: int):
    """The programme, in time order; organisers change it here."""
    return _page()


@bp.route("/events/<int:event_id>/programme", methods=["POST"])
@page("event:write")
def add_programme_item(event_id: int):
    """Add an item to the programme (every problem said beside its field)."""
    data, errors = _form_data(request.form, partial=False)
    if data is not None:
        try:
            item = programme.add(g.event, data)
        except DomainError as error:
            errors = error.field_errors()
        else:
            flash(_("“%(title)s” is on the programme.", title=item.title), "ok@programme")
            return redirect(url_for("web.programme_page", event_id=event_id) + "#programme")
    return _page(form=request.form, errors=errors, status=422)


@bp.route("/events/<int:event_id>/programme/<int:item_id>", methods=["POST"])
@page("event:write")
def change_programme_item(event_id: int, item_id: int):
    """Change an item (the same checks as adding one)."""
    data, errors = _form_data(request.form, partial=True)
    if data is not None:
        try:
            item = programme.change(g.event, item_id, data)
        except NotFound:
            raise  # another event's item, or none: a 404 page
        except DomainError as error:
            errors = error.field_errors()
        else:
            flash(_("“%(title)s” is saved.", title=item.title), "ok@programme")
            return redirect(url_for("web.programme_page", event_id=event_id) + "#programme")
    # an item's form has fields of its own: its errors go beside them
    prefix = f"item-{item_id}-"
    return _page(form=request.form, errors={k if k == "_form" else prefix + k: v
                                            for k, v in errors.items()},
                 editing=item_id, status=422)


@bp.route("/events/<int:event_id>/programme/<int:item_id>/delete", methods=["POST"])
@page("event:write")
def delete_programme_item(event_id: int, item_id: int):
    """Take an item off the programme."""
    try:
        programme.remove(g.event, item_id)
    except DomainError as error:
        flash(said(error), "error@programme")
    else:
        flash(_("The item is off the programme."), "ok@programme")
    return redirect(url_for("web.programme_page", event_id=event_id) + "#programme")


@bp.route("/events/<int:event_id>/programme/now")
@page("event:read")
def programme_now(event_id: int):
    """What is on now and what comes next, in large type for the room's screen; it
    refreshes itself."""
    now, following = programme.now_and_next(g.event)
    shown = programme.with_speakers(g.event, [i for i in (now, following) if i is not None])
    return render("programme/now.html", now=now, following=following, shown=shown,
                  spans={item.id: programme.span(g.event, item) for item in shown},
                  kind_words=KIND_WORDS)
