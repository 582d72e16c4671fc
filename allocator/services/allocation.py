"""Allocation runs: build the solver's problem from the event, run it, keep the answer."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from typing import Any

import ortools
from flask import current_app
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from allocator.errors import abort_problem
from allocator.extensions import db
from allocator.models import (
    AllocationRun,
    Assignment,
    Event,
    Participant,
    WorkingGroup,
    utcnow,
)
from allocator.services import audit, conflict, event_row, invalid
from allocator.services.rules import rules_for
from allocator.solver import parse_problem, solution_to_dict, solve
from allocator.solver.problem import problem_to_dict

log = logging.getLogger(__name__)
SOLVER_VERSION = "1"
# Time a run may take beyond its solver limit (building, storing) before it counts
# as abandoned by a worker that died.
GRACE_S = 120


def published_run(event: Event) -> AllocationRun | None:
    """The allocation the event has published, if any."""
    return db.session.scalar(select(AllocationRun).where(
        AllocationRun.event_id == event.id, AllocationRun.published.is_(True)))


def get_run(event: Event, run_id: int) -> AllocationRun:
    """The event's run or 404."""
    return event_row(AllocationRun, run_id, event.id, "Allocation run")


def list_runs(event: Event) -> list[AllocationRun]:
    """The event's runs, newest first (abandoned ones are marked failed on the way)."""
    expire_abandoned(event.id)
    return list(db.session.scalars(select(AllocationRun).where(
        AllocationRun.event_id == event.id).order_by(AllocationRun.id.desc())))


def expire_abandoned(event_id: int) -> int:
    """Mark runs whose worker died (past their deadline) as failed; return how many."""
    count = db.session.execute(
        update(AllocationRun)
        .where(AllocationRun.event_id == event_id,
               AllocationRun.status.in_(("queued", "running")),
               AllocationRun.deadline_at < utcnow())
        .values(status="failed", finished_at=utcnow(),
                error="abandoned: the process running it stopped before finishing")
    ).rowcount
    db.session.commit()
    return count


def build_problem(event: Event, include: list[str], stable: bool, time_limit_s: float,
                  seed: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The solver's problem for this event, and the rules left out (who is not included)."""
    people = list(db.session.scalars(
        select(Participant).where(Participant.event_id == event.id,
                                  Participant.status.in_(include))
        .order_by(Participant.id)))
    groups = list(db.session.scalars(
        select(WorkingGroup).where(WorkingGroup.event_id == event.id)
        .order_by(WorkingGroup.id)))
    if not groups:
        invalid({"groups": ["The event has no working groups to allocate to."]},
                "The event has no working groups yet.")
    if not people:
        invalid({"include": ["Nobody with these statuses is registered."]},
                "There is nobody to allocate.")
    ids = {p.id for p in people}
    applied, ignored = rules_for(event, ids)
    problem: dict[str, Any] = {
        "groups": [{"id": str(g.id), "theme": g.theme.key, "capacity": g.capacity,
                    "min_size": g.min_size} for g in groups],
        "participants": [{"id": str(p.id), "sector": p.sector, "organization": p.organization,
                          "country": p.country, "gender": p.gender, "role": p.role,
                          "preferences": p.preference_keys} for p in people],
        "pins": {str(r.participant_id): str(r.group_id) for r in applied if r.kind == "pin"},
        "apart": [[str(r.participant_id), str(r.other_id)] for r in applied
                  if r.kind == "apart"],
        "together": [[str(r.participant_id), str(r.other_id)] for r in applied
                     if r.kind == "together"],
        "time_limit_s": time_limit_s,
        "seed": seed,
    }
    if stable:
        current = published_run(event)
        if current is None:
            invalid({"stable": ["Nothing has been published yet to keep stable."]},
                    "A stable run keeps the published allocation; none is published.")
        rows = db.session.execute(select(Assignment.participant_id, Assignment.group_id).where(
            Assignment.run_id == current.id)).all()
        problem["previous"] = {str(p): str(g) for p, g in rows if p in ids}
    skipped = [{"rule_id": r.id, "kind": r.kind,
                "reason": "names someone not included in this run"} for r in ignored]
    return problem, skipped


def inputs_hash(problem: dict[str, Any]) -> str:
    """A fingerprint of exactly what the solver was given."""
    canonical = problem_to_dict(parse_problem(problem))
    return hashlib.sha256(json.dumps(canonical, sort_keys=True).encode()).hexdigest()


def start_run(event: Event, data: dict[str, Any], *, status: str = "running") -> AllocationRun:
    """Record a run as in progress; a second one for the same event is refused (409)."""
    limit = data.get("time_limit_s", 10.0)
    maximum = current_app.config["SOLVER_MAX_TIME_LIMIT_S"]
    if limit > maximum:
        invalid({"time_limit_s": [f"At most {maximum} seconds on this server."]})
    expire_abandoned(event.id)
    problem, skipped = build_problem(event, data["include"], data.get("stable", False), limit,
                                     data.get("seed", 0))
    now = utcnow()
    run = AllocationRun(
        event_id=event.id, status=status, include=sorted(data["include"]),
        stable=data.get("stable", False), time_limit_s=limit, seed=data.get("seed", 0),
        people=len(problem["participants"]), inputs_hash=inputs_hash(problem), problem=problem,
        solver_version=SOLVER_VERSION, ortools_version=ortools.__version__,
        ignored_rules=skipped, triggered_by=audit.actor_name(), created_at=now,
        deadline_at=now + dt.timedelta(seconds=limit + GRACE_S),
    )
    db.session.add(run)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        running = db.session.scalar(select(AllocationRun.id).where(
            AllocationRun.event_id == event.id,
            AllocationRun.status.in_(("queued", "running"))))
        conflict("An allocation for this event is already running; wait for it to finish.",
                 type_="/problems/allocation-running", running_run=running)
    audit.record("allocation.started", event_id=event.id, subject=("allocation", run.id),
                 details={"include": run.include, "stable": run.stable, "people": run.people})
    db.session.commit()
    return run


def execute(run_id: int) -> AllocationRun:
    """Solve a recorded run and store its answer (also what a background worker calls)."""
    run = db.session.get(AllocationRun, run_id)
    if run is None:
        raise LookupError(f"allocation run {run_id} does not exist")
    run.status, run.started_at = "running", utcnow()
    run.deadline_at = run.started_at + dt.timedelta(seconds=run.time_limit_s + GRACE_S)
    db.session.commit()
    problem = parse_problem(run.problem)
    try:
        solution = solve(problem)
    except TimeoutError as exc:
        _fail(run, str(exc))
        return run
    except Exception:
        log.exception("allocation run %s failed", run.id)
        _fail(run, "internal error in the solver; it has been logged")
        raise
    answer = solution_to_dict(solution)
    run.finished_at = utcnow()
    run.wall_s = answer.get("wall_s")
    run.solver_status = answer["status"]
    run.objective, run.best_bound = answer["objective"], answer["best_bound"]
    run.stages, run.metrics = answer["stages"], answer["metrics"]
    if solution.status == "infeasible":
        run.status = "failed"
        run.conflicts = answer["conflicts"]
        run.error = "infeasible"
    else:
        run.status = "succeeded"
        run.reasons, run.moves = answer["reasons"], answer["moves"]
        rows = [{"run_id": run.id, "participant_id": int(pid), "group_id": int(gid),
                 "solver_group_id": int(gid)} for pid, gid in solution.assignments.items()]
        db.session.execute(insert(Assignment), rows)
    audit.record("allocation.finished", event_id=run.event_id, subject=("allocation", run.id),
                 details={"status": run.status, "solver_status": run.solver_status})
    db.session.commit()
    return run


def _fail(run: AllocationRun, message: str) -> None:
    db.session.rollback()
    run.status, run.error, run.finished_at = "failed", message, utcnow()
    audit.record("allocation.finished", event_id=run.event_id, subject=("allocation", run.id),
                 details={"status": "failed"})
    db.session.commit()


def allocate(event: Event, data: dict[str, Any]) -> AllocationRun:
    """Run the solver in this request: record, solve, store. Infeasible answers 422."""
    run = start_run(event, data)
    run = execute(run.id)
    if run.solver_status == "infeasible":
        abort_problem(422, "The rules cannot all hold: " + "; ".join(
            c["message"] for c in run.conflicts or []),
            title="No allocation is possible", type_="/problems/infeasible",
            conflicts=run.conflicts, run=run.id)
    if run.status == "failed":
        abort_problem(503, f"The allocation did not finish: {run.error}",
                      headers={"Retry-After": "5"}, run=run.id)
    return run


def publish(event: Event, run_id: int) -> AllocationRun:
    """Make a succeeded run the event's allocation (the desk and viewers see only this)."""
    run = get_run(event, run_id)
    if run.status != "succeeded":
        conflict(f"Run {run.id} has status {run.status}; only a succeeded run can be published.",
                 type_="/problems/not-publishable")
    if run.published:
        return run
    db.session.execute(update(AllocationRun).where(
        AllocationRun.event_id == event.id, AllocationRun.published.is_(True)
    ).values(published=False))
    run.published, run.published_at, run.published_by = True, utcnow(), audit.actor_name()
    audit.record("allocation.published", event_id=event.id, subject=("allocation", run.id))
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        conflict("Another allocation was published at the same moment; reload and retry.")
    return run


def delete_run(event: Event, run_id: int) -> None:
    """Delete a draft run; the published one stays."""
    run = get_run(event, run_id)
    if run.published:
        conflict("The published allocation cannot be deleted; publish another run first.")
    if run.status in ("queued", "running"):
        conflict("This run is still in progress.")
    audit.record("allocation.deleted", event_id=event.id, subject=("allocation", run.id))
    db.session.delete(run)
    db.session.commit()


def runs_naming_group(group_id: int) -> list[int]:
    """Ids of runs with someone in this group."""
    return sorted(set(db.session.scalars(
        select(Assignment.run_id).where(Assignment.group_id == group_id))))
