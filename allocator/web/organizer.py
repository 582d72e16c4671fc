"""Organisers: event, themes and groups; rules; allocate, review, move, publish, download."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import Response, current_app, flash, g, redirect, request, url_for
from sqlalchemy import select

from allocator.api.exports import file_response
from allocator.api.schemas import EventPatch, GroupIn, RuleIn, ThemeIn
from allocator.errors import Problem
from allocator.extensions import db
from allocator.models import Participant
from allocator.services import allocation, events, exports, reports, rules
from allocator.validation import whole_number
from allocator.web import bp
from allocator.web.charts import rank_bars, sector_mix
from allocator.web.session import current_user, page, render


def _errors(exc: ma.ValidationError) -> dict[str, list[str]]:
    return {k: v if isinstance(v, list) else [str(v)] for k, v in exc.messages.items()}


def _problem_text(problem: Problem) -> str:
    if problem.errors and isinstance(problem.errors, dict):
        return " ".join(f"{k}: {' '.join(map(str, v))}" for k, v in problem.errors.items())
    return problem.description or "That did not work."


def _active_people() -> list[Participant]:
    return list(db.session.scalars(select(Participant).where(
        Participant.event_id == g.event.id, Participant.status != "withdrawn")
        .order_by(Participant.search_key)))


# --- event, themes, groups ------------------------------------------------------

@bp.route("/events/<int:event_id>/setup")
@page("event:write")
def setup(event_id: int):
    """The event, its themes and its working groups on one page."""
    return render("setup.html", errors={}, form={})


def _setup_action(action: Any, success: str) -> Any:
    try:
        action()
        flash(success)
    except ma.ValidationError as exc:
        flash(" ".join(f"{k}: {' '.join(map(str, v))}" for k, v in _errors(exc).items()),
              "error")
    except Problem as problem:
        flash(_problem_text(problem), "error")
    return redirect(url_for("web.setup", event_id=g.event.id))


@bp.route("/events/<int:event_id>/setup/event", methods=["POST"])
@page("event:write")
def setup_event(event_id: int):
    """Change the event's name, venue, times, language, retention."""
    form = request.form
    data = {k: form[k] for k in ("name", "venue", "language", "timezone", "starts_at",
                                 "ends_at") if form.get(k)}
    if form.get("retention_days", "").strip():
        number = whole_number(form["retention_days"])
        data["retention_days"] = form["retention_days"] if number is None else number
    return _setup_action(lambda: events.update_event(g.event, EventPatch().load(data)),
                         "Event saved.")


@bp.route("/events/<int:event_id>/setup/themes", methods=["POST"])
@page("event:write")
def add_theme(event_id: int):
    """Add a theme."""
    data = {"key": request.form.get("key", ""), "title": request.form.get("title", ""),
            "description": request.form.get("description", "")}
    return _setup_action(lambda: events.create_theme(g.event, ThemeIn().load(data)),
                         "Theme added.")


@bp.route("/events/<int:event_id>/setup/themes/<key>", methods=["POST"])
@page("event:write")
def edit_theme(event_id: int, key: str):
    """Rename a theme, or delete it (refused while groups or preferences use it)."""
    events.get_theme(g.event, key)  # an unknown (or another event's) theme is a 404 page
    if request.form.get("delete"):
        return _setup_action(lambda: events.delete_theme(g.event, key), "Theme deleted.")
    data = {"title": request.form.get("title", "")}
    return _setup_action(
        lambda: events.update_theme(g.event, key, ThemeIn(partial=True).load(data)),
        "Theme saved.")


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
        "Working group added.")


@bp.route("/events/<int:event_id>/setup/groups/<int:group_id>", methods=["POST"])
@page("event:write")
def edit_group(event_id: int, group_id: int):
    """Change a working group (or delete it with the delete button)."""
    events.get_group(g.event, group_id)  # another event's group is a 404 page
    if request.form.get("delete"):
        return _setup_action(lambda: events.delete_group(g.event, group_id), "Group deleted.")
    data = _group_data(request.form)
    return _setup_action(
        lambda: events.update_group(g.event, group_id, GroupIn(partial=True).load(data)),
        "Working group saved.")


# --- rules -----------------------------------------------------------------------

@bp.route("/events/<int:event_id>/rules")
@page("allocations:write")
def rules_page(event_id: int):
    """Pins and pairs, with forms to add more."""
    people = _active_people()
    names = {p.id: p.full_name for p in people}
    return render("rules.html", rules=rules.list_rules(g.event), people=people, names=names,
                  groups={grp.id: grp for grp in g.event.groups})


@bp.route("/events/<int:event_id>/rules", methods=["POST"])
@page("allocations:write")
def add_rule(event_id: int):
    """Add a pin, an apart pair or a together pair."""
    form = request.form
    data: dict[str, Any] = {"kind": form.get("kind", ""), "note": form.get("note", "")}
    for field in ("participant_id", "other_id", "group_id"):
        number = whole_number(form.get(field))
        if number is not None:
            data[field] = number
    try:
        rules.create_rule(g.event, RuleIn().load(data))
        flash("Rule added.")
    except ma.ValidationError as exc:
        flash(" ".join(f"{k}: {' '.join(map(str, v))}" for k, v in _errors(exc).items()),
              "error")
    except Problem as problem:
        flash(_problem_text(problem), "error")
    return redirect(url_for("web.rules_page", event_id=event_id))


@bp.route("/events/<int:event_id>/rules/<int:rule_id>/delete", methods=["POST"])
@page("allocations:write")
def delete_rule(event_id: int, rule_id: int):
    """Delete a rule."""
    rules.delete_rule(g.event, rule_id)
    flash("Rule deleted.")
    return redirect(url_for("web.rules_page", event_id=event_id))


# --- allocations -----------------------------------------------------------------

@bp.route("/events/<int:event_id>/allocate")
@page("allocations:write")
def allocate(event_id: int):
    """Options for a run, and the runs so far."""
    return render("allocate.html", runs=allocation.list_runs(g.event),
                  published=allocation.published_run(g.event),
                  max_limit=current_app.config["SOLVER_MAX_TIME_LIMIT_S"])


@bp.route("/events/<int:event_id>/allocate", methods=["POST"])
@page("allocations:write")
def run_allocation(event_id: int):
    """Run the allocation with the chosen options; show the result."""
    form = request.form
    try:
        limit = float(form.get("time_limit_s") or 30)
    except ValueError:
        limit = 30.0
    data = {"include": ["checked_in"] if form.get("checked_in_only") else
            ["registered", "checked_in"], "stable": bool(form.get("stable")),
            "time_limit_s": max(1.0, min(limit, current_app.config["SOLVER_MAX_TIME_LIMIT_S"])),
            "seed": 0}
    try:
        if current_app.config.get("REDIS_URL"):
            run = allocation.enqueue(g.event, data)
        else:
            run = allocation.allocate(g.event, data)
    except Problem as problem:
        conflicts = problem.extra.get("conflicts") or []
        for conflict in conflicts:
            flash(conflict["message"], "error")
        if not conflicts:
            flash(_problem_text(problem), "error")
        return redirect(url_for("web.allocate", event_id=event_id))
    return redirect(url_for("web.run_page", event_id=event_id, run_id=run.id))


@bp.route("/events/<int:event_id>/runs/<int:run_id>")
@page("allocations:read")
def run_page(event_id: int, run_id: int):
    """A run's result: charts, ranks, the worst-off and why, moves, publish, downloads."""
    run = allocation.get_run(g.event, run_id)
    if run.status in ("queued", "running"):
        return render("run_pending.html", run=run)
    if run.status != "succeeded":
        return render("run_failed.html", run=run)
    report = reports.report(g.event, run)
    return render("run.html", run=run, report=report,
                  mix=sector_mix(report, g.event.sectors),
                  ranks=rank_bars(report["ranks"]["counts"], report["ranks"]["unlisted"]),
                  groups=[{"id": grp["id"], "name": grp["name"]} for grp in report["groups"]],
                  warnings=request.args.getlist("warning"))


@bp.route("/events/<int:event_id>/runs/<int:run_id>/move", methods=["POST"])
@page("allocations:write")
def move(event_id: int, run_id: int):
    """Move one person to the chosen group; rules refuse, balance warns."""
    run = allocation.get_run(g.event, run_id)
    warnings: list[str] = []
    try:
        result = reports.move_person(g.event, run, int(request.form["participant_id"]),
                                     int(request.form["group_id"]))
        warnings = result["warnings"]
        flash("Moved." + (" Check the warnings." if warnings else ""))
    except (KeyError, ValueError):
        flash("Choose a person and a group.", "error")
    except Problem as problem:
        flash(problem.description or "That move is not possible.", "error")
    return redirect(url_for("web.run_page", event_id=event_id, run_id=run_id,
                            warning=warnings) + "#groups")


@bp.route("/events/<int:event_id>/runs/<int:run_id>/publish", methods=["POST"])
@page("allocations:write")
def publish(event_id: int, run_id: int):
    """Publish the run: the desk and facilitators see it."""
    try:
        allocation.publish(g.event, run_id)
        flash("Published: the desk now tells people their group and room.")
    except Problem as problem:
        flash(problem.description or "Cannot publish.", "error")
    return redirect(url_for("web.run_page", event_id=event_id, run_id=run_id))


@bp.route("/events/<int:event_id>/runs/<int:run_id>/groups.<fmt>")
@page("lists:read")
def download(event_id: int, run_id: int, fmt: str):
    """The group lists of this run as CSV or XLSX."""
    if fmt not in ("csv", "xlsx"):
        return Response("Unknown format", status=404)
    user = current_user()
    run = exports.source_run(g.event, run_id if user.role == "organizer" else None, user)
    columns = list(exports.DEFAULT_COLUMNS)
    lists = exports.group_lists(g.event, run, columns)
    body = exports.to_csv(columns, lists) if fmt == "csv" else exports.to_xlsx(columns, lists)
    exports.record_download(g.event, run, fmt, None, columns, sum(len(x.rows) for x in lists))
    return file_response(body, fmt, exports.filename(g.event, "group lists", fmt))
