"""The plenary: the moderator's page (adopt, amend, merge, drop, order, lock) and the
projector's (large type, one working group at a time, arrow keys to move on)."""

from __future__ import annotations

from typing import Any

from flask import flash, g, redirect, request, url_for
from flask_babel import gettext as _

from allocator.errors import DomainError
from allocator.models import RECOMMENDATION_STATES
from allocator.services import recommendations
from allocator.web.blueprint import bp
from allocator.web.session import current_user, page, render

# What the projector leaves out: the plenary no longer discusses these.
OFF_SCREEN = ("dropped", "merged")


def moderation_page(errors: dict[str, list[str]] | None = None,
                    conflict: dict[str, Any] | None = None, status: int = 200):
    """The moderator's page, with a form's errors or an edit conflict if there was one."""
    sections = recommendations.by_theme(g.event)
    everything = [item for _, items in sections for item in items]
    group_names = {group.id: group.name for group in g.event.groups}
    return render("plenary/moderate.html", sections=sections, everything=everything,
                  group_names=group_names,
                  histories=recommendations.earlier_wordings(everything),
                  titles={item.id: item.title for item in everything},
                  groups=list(g.event.groups), states=RECOMMENDATION_STATES,
                  errors=errors or {}, conflict=conflict), status


@bp.route("/events/<int:event_id>/plenary")
@page("recommendations:moderate")
def plenary(event_id: int):
    """Every group's recommendations by theme, to adopt, amend, merge, drop and order."""
    return moderation_page()


@bp.route("/events/<int:event_id>/recommendations/<int:recommendation_id>/move",
          methods=["POST"])
@page("recommendations:moderate")
def move_recommendation(event_id: int, recommendation_id: int):
    """Move a recommendation one place up or down in its theme's statement."""
    offset = -1 if request.form.get("direction") == "up" else 1
    try:
        recommendations.move(g.event, recommendation_id, offset)
    except DomainError as problem:
        flash(problem.detail, "error@plenary")
    else:
        flash(_("Moved up.") if offset < 0 else _("Moved down."), f"ok@r{recommendation_id}")
    return redirect(url_for("web.plenary", event_id=event_id) + f"#r{recommendation_id}")


@bp.route("/events/<int:event_id>/groups/<int:group_id>/recommendations/lock",
          methods=["POST"])
@page("recommendations:moderate")
def lock_recommendations(event_id: int, group_id: int):
    """Lock a group's recommendations against its facilitators (or unlock them)."""
    locked = request.form.get("locked") == "1"
    try:
        group = recommendations.lock(g.event, group_id, locked)
    except DomainError as problem:
        flash(problem.detail, "error@groups")
    else:
        flash(_("%(group)s: locked; only the organisers change its recommendations now.",
                group=group.name) if locked else
              _("%(group)s: open again to its facilitators.", group=group.name),
              "ok@groups")
    return redirect(url_for("web.plenary", event_id=event_id) + "#groups")


def _projector_groups() -> list[Any]:
    scope = current_user().group_scope
    return [group for group in g.event.groups if scope in (None, group.id)]


@bp.route("/events/<int:event_id>/plenary/projector/<int:group_id>")
@page("recommendations:read")
def projector(event_id: int, group_id: int):
    """One group's recommendations as they stand, in large type, for the plenary's
    screen (1920×1080); ← and → move between groups, the page refreshes itself."""
    groups = _projector_groups()
    if group_id:
        recommendations.get_group(g.event, group_id)  # another event's group: 404
    elif groups:
        return redirect(url_for("web.projector", event_id=event_id, group_id=groups[0].id))
    else:
        return render("plenary/projector.html", group=None, items=[], step=0, total=0,
                      previous=None, following=None)
    step = next(n for n, group in enumerate(groups) if group.id == group_id)
    group = groups[step]
    items = [item for item in recommendations.listing(g.event, group.id)
             if item.status not in OFF_SCREEN]
    return render("plenary/projector.html", group=group, items=items, step=step + 1,
                  total=len(groups),
                  previous=groups[step - 1] if step > 0 else None,
                  following=groups[step + 1] if step + 1 < len(groups) else None)
