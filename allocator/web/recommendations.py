"""Recommendations on the pages: a working group's list, adding and changing them, and
"someone else changed this — compare" when two people edit at once (no JavaScript needed).
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import flash, g, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup

from allocator.api.schemas.recommendations import (
    RecommendationIn,
    RecommendationOut,
    SummaryIn,
)
from allocator.errors import DomainError, Stale
from allocator.markup import to_html
from allocator.models import RECOMMENDATION_STATES
from allocator.problems import status_of
from allocator.services import recommendations, summaries
from allocator.validation import whole_number
from allocator.web.blueprint import bp
from allocator.web.forms import field_errors, said
from allocator.web.session import current_user, page, render


def _group_id(group_id: int) -> int:
    """Group 0 means "my group": a facilitator's own, else the event's first."""
    if group_id:
        return group_id
    scope = current_user().group_scope
    if scope is not None:
        return scope
    groups = list(g.event.groups)
    return groups[0].id if groups else 0


def _page(group_id: int, errors: dict[str, list[str]] | None = None, form: Any = None,
          conflict: dict[str, Any] | None = None, status: int = 200,
          summary_conflict: str | None = None):
    group = recommendations.get_group(g.event, group_id)
    user = current_user()
    states = RECOMMENDATION_STATES if user.role == "organizer" else ("draft", "proposed")
    items = recommendations.listing(g.event, group.id)
    return render("recommendations/group.html", group=group, items=items,
                  editable={item.id for item in items
                            if recommendations.may_change(user, group, item)},
                  groups=list(g.event.groups), states=states, errors=errors or {},
                  form=form or {}, conflict=conflict, summary_conflict=summary_conflict,
                  summary=summaries.read(g.event, group.id),
                  may_write_summary=summaries.may_write(user, group)), status


@bp.route("/events/<int:event_id>/groups/<int:group_id>/recommendations")
@page("recommendations:read")
def recommendations_page(event_id: int, group_id: int):
    """A working group's recommendations, with forms to add and change them."""
    chosen = _group_id(group_id)
    if chosen != group_id:
        return redirect(url_for("web.recommendations_page", event_id=event_id,
                                group_id=chosen))
    return _page(group_id)


def _load(form: Any, partial: bool) -> tuple[dict[str, Any] | None, dict[str, list[str]]]:
    """The fields the form sent (a quick "Adopt" button sends the status alone)."""
    data = {name: form[name] for name in ("title", "text") if name in form}
    if not partial:
        data.setdefault("title", "")
    if form.get("status"):
        data["status"] = form["status"]
    if "merged_into_id" in form:
        data["merged_into_id"] = whole_number(form["merged_into_id"])
    try:
        return RecommendationIn(partial=partial).load(data), {}
    except ma.ValidationError as exc:
        return None, field_errors(exc.messages)


def wants_json() -> bool:
    """The page's own script is asking (autosave), not a browser submitting the form."""
    return request.accept_mimetypes.best == "application/json"


def _json(code: int, **body: Any):
    kind = "application/json" if code < 400 else "application/problem+json"
    response = jsonify(body)
    response.status_code = code
    response.content_type = kind
    return response


@bp.route("/events/<int:event_id>/groups/<int:group_id>/recommendations", methods=["POST"])
@page("recommendations:write")
def add_recommendation(event_id: int, group_id: int):
    """Add a recommendation to the group."""
    recommendations.get_group(g.event, group_id)  # another event's group: 404
    data, errors = _load(request.form, partial=False)
    if data is not None:
        try:
            recommendations.create(g.event, group_id, data, current_user())
        except DomainError as problem:
            errors = problem.field_errors()
        else:
            flash(_("“%(title)s” is saved.", title=data["title"]), "ok@recommendations")
            return redirect(url_for("web.recommendations_page", event_id=event_id,
                                    group_id=group_id) + "#recommendations")
    return _page(group_id, errors, request.form, status=422)


@bp.route("/events/<int:event_id>/recommendations/<int:recommendation_id>",
          methods=["POST"])
@page("recommendations:write")
def change_recommendation(event_id: int, recommendation_id: int):
    """Save a change made from the version the form was read at; if someone else changed
    it meanwhile, show both texts instead of overwriting theirs. The page's autosave asks
    for JSON: {version} when saved, 409 with the current text when someone else was first.
    """
    from allocator.web import plenary

    current = recommendations.get(g.event, recommendation_id)
    group_id = current.group_id
    back_to_plenary = request.form.get("back") == "plenary"
    data, errors = _load(request.form, partial=True)
    if data is not None:
        try:
            saved = recommendations.update(g.event, recommendation_id, data,
                                           request.form.get("version"), current_user(),
                                           RecommendationOut().dump)
        except DomainError as problem:
            if isinstance(problem, Stale) and problem.extra.get("current"):
                conflict = {"id": recommendation_id, "theirs": problem.extra["current"],
                            "mine": data}
                if wants_json():
                    return _json(409, type="/problems/edit-conflict", status=409,
                                 title="Someone else changed this",
                                 detail="Your change was not saved, so that theirs is not "
                                        "lost: compare the two.",
                                 current_version=conflict["theirs"]["version"])
                if back_to_plenary:
                    return plenary.moderation_page(conflict=conflict, status=409)
                return _page(group_id, {}, request.form, conflict=conflict, status=409)
            errors = problem.field_errors()
        else:
            if wants_json():
                return _json(200, version=saved.version, status=saved.status)
            said = {"adopted": _("“%(title)s” is adopted."),
                    "dropped": _("“%(title)s” is dropped."),
                    "merged": _("“%(title)s” is merged."),
                    "amended": _("“%(title)s” is saved as amended.")}.get(
                data.get("status", ""), _("“%(title)s” is saved."))
            flash(said % {"title": saved.title},
                  f"ok@r{saved.id}" if back_to_plenary else "ok@recommendations")
            if back_to_plenary:
                return redirect(url_for("web.plenary", event_id=event_id)
                                + f"#r{recommendation_id}")
            return redirect(url_for("web.recommendations_page", event_id=event_id,
                                    group_id=group_id) + f"#r{recommendation_id}")
    if wants_json():
        return _json(422, type="/problems/validation", status=422, title="Not saved",
                     detail=" ".join(" ".join(m) for m in errors.values()), errors=errors)
    if back_to_plenary:
        return plenary.moderation_page(errors=errors, status=422)
    return _page(group_id, errors, request.form, status=422)


@bp.route("/events/<int:event_id>/groups/<int:group_id>/summary", methods=["POST"])
@page("summaries:write")
def write_summary(event_id: int, group_id: int):
    """Save the group's summary made from the version the form was read at; if someone
    else saved first, show both texts instead of overwriting theirs. The autosave asks for
    JSON: {version} when saved, 409 with the current version when someone was first."""
    text = request.form.get("text", "")
    version = request.form.get("version", "0")
    try:
        loaded = SummaryIn().load({"text": text})
        saved = summaries.write(g.event, group_id, loaded["text"], version, current_user())
    except ma.ValidationError as exc:
        errors = field_errors(exc.messages)
        if wants_json():
            return _json(422, type="/problems/validation", status=422, title="Not saved",
                         detail=" ".join(" ".join(m) for m in errors.values()), errors=errors)
        flash(" ".join(" ".join(m) for m in errors.values()), "error@summary")
    except Stale as stale:
        if wants_json():
            return _json(409, type="/problems/edit-conflict", status=409,
                         title="Someone else changed this", detail=stale.detail,
                         current_version=stale.version)
        return _page(group_id, status=409, summary_conflict=text)
    except DomainError as error:
        if wants_json():
            return _json(status_of(error), type=error.type_ or "about:blank",
                         status=status_of(error), title="Not saved", detail=error.detail)
        flash(said(error), "error@summary")
    else:
        if wants_json():
            return _json(200, version=saved.version)
        flash(_("The summary is saved."), "ok@summary")
    return redirect(url_for("web.recommendations_page", event_id=event_id,
                            group_id=group_id) + "#summary")


@bp.app_template_filter("markdown")
def markdown_filter(text: str | None) -> Markup:
    """Recommendation text (the Markdown subset) as safe HTML, for pages and the PDF."""
    return to_html(text)
