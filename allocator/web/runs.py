"""Organisers allocate: run, review, move one person, publish, download the lists."""

from __future__ import annotations

from flask import Response, current_app, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from allocator.errors import DomainError
from allocator.extensions import db
from allocator.models import AllocationRun, Assignment, Participant
from allocator.responses import file_response
from allocator.services import allocation, exports, late, participants, reports
from allocator.services.events import require_open
from allocator.validation import whole_number
from allocator.web.blueprint import bp
from allocator.web.charts import rank_bars, sector_mix
from allocator.web.forms import namesakes, person_choice, pick_person, said
from allocator.web.rules import active_people
from allocator.web.session import current_user, page, render


@bp.route("/events/<int:event_id>/allocate")
@page("allocations:write")
def allocate(event_id: int):
    """Options for a run, the runs so far, and the late arrivals to place."""
    published = allocation.published_run(g.event)
    return render("allocate.html", runs=allocation.list_runs(g.event), published=published,
                  late=late.late_arrivals(g.event), not_arrived=late.not_arrived(g.event),
                  max_limit=current_app.config["SOLVER_MAX_TIME_LIMIT_S"])


@bp.route("/events/<int:event_id>/allocate", methods=["POST"])
@page("allocations:write")
def run_allocation(event_id: int):
    """Run the allocation with the chosen options; show the result (or why it failed,
    next to the Allocate button)."""
    form = request.form
    try:
        limit = float(form.get("time_limit_s") or 30)
    except ValueError:
        limit = float("nan")  # refused by the service, in the same words as the API's
    try:
        mix = float(form.get("mix_s") or 0)
    except ValueError:
        mix = float("nan")
    data = {"include": ["checked_in"] if form.get("checked_in_only") else
            ["registered", "checked_in"], "stable": bool(form.get("stable")),
            "time_limit_s": limit, "seed": 0, "mix_s": mix,
            "overflow": "waitlist" if form.get("overflow") == "waitlist" else "refuse",
            "without": [int(v) for v in form.getlist("without") if v.isdigit()]}
    try:
        if current_app.config.get("REDIS_URL"):
            run = allocation.enqueue(g.event, data)
        else:
            run = allocation.allocate(g.event, data)
    except DomainError as problem:
        if problem.extra.get("left_out") or problem.extra.get("seats_missing"):
            # who the roles or rules need: named, with "Go ahead without them" beside;
            # seats short: how many, with "Allocate with a waiting list" beside
            return render("allocate.html", runs=allocation.list_runs(g.event),
                          published=allocation.published_run(g.event),
                          late=late.late_arrivals(g.event),
                          not_arrived=late.not_arrived(g.event),
                          needed=problem.extra if problem.extra.get("left_out") else None,
                          short=problem.extra if problem.extra.get("seats_missing") else None,
                          sent=data, max_limit=current_app.config["SOLVER_MAX_TIME_LIMIT_S"]
                          ), 422
        conflicts = problem.extra.get("conflicts") or []
        for conflict in conflicts:
            flash(conflict["message"], "error@allocate")
        if not conflicts:
            flash(problem.detail, "error@allocate")
        return redirect(url_for("web.allocate", event_id=event_id) + "#allocate")
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
    members = {m["participant_id"] for grp in report["groups"] for m in grp["members"]}
    return render("run.html", run=run, report=report,
                  mix=sector_mix(report, g.event.sectors),
                  ranks=rank_bars(report["ranks"]["counts"], report["ranks"]["unlisted"]),
                  groups=[{"id": grp["id"], "name": grp["name"]} for grp in report["groups"]],
                  choices=[person_choice(p) for p in active_people() if p.id in members],
                  namesakes=namesakes([m["full_name"] for grp in report["groups"]
                                       for m in grp["members"]]),
                  late=late.late_arrivals(g.event) if run.published else [],
                  not_arrived=late.not_arrived(g.event) if run.published else [])


def _run_people(run: AllocationRun) -> list[Participant]:
    """The people a run placed (not withdrawn since), by name."""
    placed = select(Assignment.participant_id).where(Assignment.run_id == run.id)
    return [p for p in active_people() if p.id in set(db.session.scalars(placed))]


@bp.route("/events/<int:event_id>/runs/<int:run_id>/move", methods=["POST"])
@page("allocations:write")
def move(event_id: int, run_id: int):
    """Move one person to the chosen group; rules refuse, balance warns; the answer is
    shown next to the move form."""
    run = allocation.get_run(g.event, run_id)
    back = url_for("web.run_page", event_id=event_id, run_id=run_id) + "#move"
    try:
        require_open(g.event)  # a closed event says so before anything about the fields
    except DomainError as problem:
        flash(problem.detail, "error@move")
        return redirect(back)
    people = _run_people(run)
    chosen, why = pick_person(request.form.get("participant_id", ""), people)
    group_id = request.form.get("group_id", "")
    if why or whole_number(group_id) is None:
        flash(why or _("Choose a group."), "error@move")
        return redirect(back)
    try:
        result = reports.move_person(g.event, run, chosen, whole_number(group_id))
    except DomainError as problem:
        flash(said(problem), "error@move")
        return redirect(back)
    person = next(p for p in people if p.id == chosen)
    target = next((grp.name for grp in g.event.groups if grp.id == result["group_id"]), "")
    if result["from_group_id"] == result["group_id"]:
        flash(_("%(name)s is in %(group)s already.", name=person.full_name, group=target),
              "ok@move")
    else:
        flash(_("Moved %(name)s to %(group)s.", name=person.full_name, group=target) +
              (" " + _("Check the warnings below.") if result["warnings"] else ""), "ok@move")
    for warning in result["warnings"]:
        flash(warning, "warn@move")
    return redirect(back)


@bp.route("/events/<int:event_id>/runs/<int:run_id>/publish", methods=["POST"])
@page("allocations:write")
def publish(event_id: int, run_id: int):
    """Publish the run: the desk and facilitators see it."""
    try:
        allocation.publish(g.event, run_id)
        flash(_("Published: the desk now tells people their group and room."))
    except DomainError as problem:
        flash(problem.detail, "error")
    return redirect(url_for("web.run_page", event_id=event_id, run_id=run_id))


@bp.route("/events/<int:event_id>/late-arrivals/<int:participant_id>/place",
          methods=["POST"])
@page("allocations:write")
def place_late_arrival(event_id: int, participant_id: int):
    """Place one late arrival in the published allocation (nobody else moves); back to
    where the button was, with the answer beside the list."""
    participants.get_participant(g.event, participant_id)  # another event's: a 404 page
    try:
        placed = late.place(g.event, participant_id)
    except DomainError as problem:
        flash(problem.detail, "error@late")
    else:
        flash(_("%(name)s is placed in %(group)s.", name=placed["full_name"],
                group=placed["group"] + (f", {placed['room']}" if placed["room"] else "")),
              "ok@late")
    if request.form.get("back") == "person":
        return redirect(url_for("web.person", event_id=event_id,
                                participant_id=participant_id))
    run = allocation.published_run(g.event)
    if request.form.get("back") == "run" and run is not None:
        return redirect(url_for("web.run_page", event_id=event_id, run_id=run.id) + "#late")
    return redirect(url_for("web.allocate", event_id=event_id) + "#late")


@bp.route("/events/<int:event_id>/runs/<int:run_id>/groups.<fmt>")
@page("lists:read")
def download(event_id: int, run_id: int, fmt: str):
    """The group lists of this run as CSV or XLSX."""
    if fmt not in ("csv", "xlsx"):
        return Response("Unknown format", status=404)
    body, name = exports.download(g.event, current_user(), fmt, run_id=run_id)
    return file_response(body, fmt, name)

