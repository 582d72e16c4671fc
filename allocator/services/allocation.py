"""Allocation runs: build the solver's problem from the event, run it, keep the answer."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import socket
import time
from typing import Any

import ortools
from flask import current_app
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from allocator.errors import Busy, Impossible, Invalid
from allocator.extensions import db
from allocator.models import (
    AllocationRun,
    Assignment,
    Event,
    Participant,
    WorkingGroup,
    utcnow,
)
from allocator.services import (
    audit,
    commit_or_conflict,
    conflict,
    event_row,
    invalid,
    lock_event,
    needed,
    waitlist,
    wording,
)
from allocator.services.events import require_open
from allocator.services.rules import rules_for
from allocator.solver import parse_problem, solution_to_dict, solve
from allocator.solver.budget import shortest_limit
from allocator.solver.problem import problem_to_dict

log = logging.getLogger(__name__)
SOLVER_VERSION = "3"  # 2: the exact spread stages on CP-SAT, then HiGHS; 3: even rooms before
# the preferences, the spread stages by flows and swaps unless mix_s grants more (issue 28)
HOST = socket.gethostname()


def _grace() -> dt.timedelta:
    return dt.timedelta(seconds=current_app.config["ALLOCATION_GRACE_S"])


def _runner_is_dead(runner: str | None) -> bool:
    """True when the run's process lived on this host and is gone (killed, crashed)."""
    if not runner or ":" not in runner:
        return False
    host, _, pid = runner.rpartition(":")
    if host != HOST or not pid.isdigit():
        return False  # another host: its deadline decides
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def published_run(event: Event) -> AllocationRun | None:
    """The allocation the event has published, if any."""
    return db.session.scalar(select(AllocationRun).where(
        AllocationRun.event_id == event.id, AllocationRun.published.is_(True)))


def published_run_id(event: Event) -> int | None:
    """The id of the event's published allocation, if any (without loading the run's
    stored problem and figures: what the desk's busiest calls need)."""
    return db.session.scalar(select(AllocationRun.id).where(
        AllocationRun.event_id == event.id, AllocationRun.published.is_(True)))


def get_run(event: Event, run_id: int) -> AllocationRun:
    """The event's run or 404 (its conflicts, if any, worded with people's names)."""
    run = event_row(AllocationRun, run_id, event.id, "Allocation run")
    run.worded_conflicts = wording.conflicts(event, run.conflicts) if run.conflicts \
        else run.conflicts
    run.waiting_list = waitlist.waiting_rows(event, run)
    return run


def list_runs(event: Event) -> list[AllocationRun]:
    """The event's runs, newest first (abandoned ones are marked failed on the way)."""
    expire_abandoned(event.id)
    return list(db.session.scalars(select(AllocationRun).where(
        AllocationRun.event_id == event.id).order_by(AllocationRun.id.desc())))


def expire_abandoned(event_id: int) -> int:
    """Mark runs whose process died as failed, and free the event; return how many.

    A run past its deadline counts as abandoned wherever it ran; a run whose process
    on this host no longer exists is abandoned at once.
    """
    now = utcnow()
    count = db.session.execute(
        update(AllocationRun)
        .where(AllocationRun.event_id == event_id,
               AllocationRun.status.in_(("queued", "running")),
               AllocationRun.deadline_at < now)
        .values(status="failed", finished_at=now,
                error="abandoned: the process running it stopped before finishing")
    ).rowcount
    running = db.session.execute(select(AllocationRun.id, AllocationRun.runner).where(
        AllocationRun.event_id == event_id, AllocationRun.status == "running")).all()
    dead = [run_id for run_id, runner in running if _runner_is_dead(runner)]
    if dead:
        count += db.session.execute(
            update(AllocationRun)
            .where(AllocationRun.id.in_(dead), AllocationRun.status == "running")
            .values(status="failed", finished_at=now,
                    error="abandoned: the process running it was killed")
        ).rowcount
    for run_id in dead:
        audit.record("allocation.abandoned", event_id=event_id, subject=("allocation", run_id))
    db.session.commit()
    return count


def build_problem(event: Event, include: list[str], stable: bool, time_limit_s: float,
                  seed: int, mix_s: float = 0.0, overflow: str = "refuse"
                  ) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    """The solver's problem for this event, the rules left out (who is not included), and
    the organisers' hand moves a stable run keeps.

    A hand move in the published allocation is a decision: a stable re-run pins the person
    to the group they were moved to, even where that stretches a sector band.
    """
    # whoever leads the programme (a duty, no group to facilitate) is placed nowhere
    people = [p for p in db.session.scalars(
        select(Participant).where(Participant.event_id == event.id,
                                  Participant.status.in_(include))
        .order_by(Participant.id)) if not p.leads_programme]
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
    kept: list[dict[str, Any]] = []
    themes = {g.theme.key for g in groups}
    priority = priorities(people) if overflow == "waitlist" else {}
    problem: dict[str, Any] = {
        "groups": [{"id": str(g.id), "theme": g.theme.key, "capacity": g.capacity,
                    "min_size": g.min_size, "name": g.name} for g in groups],
        "participants": [solver_person(p, themes, priority.get(p.id)) for p in people],
        "pins": {str(r.participant_id): str(r.group_id) for r in applied if r.kind == "pin"},
        "apart": [[str(r.participant_id), str(r.other_id)] for r in applied
                  if r.kind == "apart"],
        "together": [[str(r.participant_id), str(r.other_id)] for r in applied
                     if r.kind == "together"],
        "time_limit_s": time_limit_s,
        "seed": seed,
    }
    if mix_s:  # the organiser grants the exact spread model work (solver docs: mix_s)
        problem["mix_s"] = mix_s
    if overflow == "waitlist":  # place as many as the rooms hold, the rest wait
        problem["overflow"] = "waitlist"
    if stable:
        current = published_run(event)
        if current is None:
            invalid({"stable": ["Nothing has been published yet to keep stable."]},
                    "A stable run keeps the published allocation; none is published.")
        rows = db.session.execute(
            select(Assignment.participant_id, Assignment.group_id, Assignment.moved_at,
                   Assignment.moved_by).where(Assignment.run_id == current.id)).all()
        problem["previous"] = {str(p): str(g) for p, g, _, _ in rows if p in ids}
        for pid, gid, moved_at, moved_by in rows:
            if moved_at is None or pid not in ids:
                continue
            problem["pins"].setdefault(str(pid), str(gid))
            kept.append({"participant_id": pid, "group_id": gid,
                         "moved_at": moved_at.isoformat(), "moved_by": moved_by or ""})
    skipped = [{"rule_id": r.id, "kind": r.kind,
                "reason": "names someone not included in this run"} for r in ignored]
    return problem, skipped, kept


def solver_person(person: Participant, themes: set[str], priority: int | None = None
                  ) -> dict[str, Any]:
    """One participant as the solver reads them; vetoes of themes no group works on are
    left out (they rule out nothing), priority only where a waiting list is asked for."""
    entry: dict[str, Any] = {
        "id": str(person.id), "sector": person.sector, "organization": person.organization,
        "country": person.country, "gender": person.gender, "role": person.role,
        "preferences": person.preference_keys}
    vetoes = [key for key in person.vetoes or [] if key in themes]
    if vetoes:
        entry["vetoes"] = vetoes
    if priority is not None:
        entry["priority"] = priority
    return entry


def priorities(people: list[Participant]) -> dict[int, int]:
    """Who is placed first when seats run short (participant id -> priority, higher
    first): facilitators and people with programme duties, then those checked in, then
    registration order (the time they registered, then id). Issue 29's order."""
    def tier(p: Participant) -> int:
        if p.role == "facilitator" or p.duties:
            return 2
        return 1 if p.checked_in_at is not None else 0

    order = sorted(people, key=lambda p: (-tier(p), p.consent_at or p.created_at, p.id))
    return {p.id: len(order) - n for n, p in enumerate(order)}


def seats_short(problem: dict[str, Any]) -> int:
    """How many seats the groups lack for everyone in ``problem`` (0: enough)."""
    seats = sum(g["capacity"] for g in problem["groups"])
    return max(0, len(problem["participants"]) - seats)


def inputs_hash(problem: dict[str, Any]) -> str:
    """A fingerprint of exactly what the solver was given."""
    canonical = problem_to_dict(parse_problem(problem))
    return hashlib.sha256(json.dumps(canonical, sort_keys=True).encode()).hexdigest()


def start_run(event: Event, data: dict[str, Any], *, status: str = "running") -> AllocationRun:
    """Record a run as in progress; a second one for the same event is refused (409)."""
    require_open(event)
    limit = data.get("time_limit_s", 30.0)
    maximum = current_app.config["SOLVER_MAX_TIME_LIMIT_S"]
    if not 0 < limit <= maximum:  # NaN included
        words = f"The time limit is a number of seconds up to {maximum}, such as 30."
        invalid({"time_limit_s": [words]}, words)
    if not 0 <= data.get("mix_s", 0.0) <= 3600:  # NaN included (the API's schema: the same)
        words = "The work for the mix is a number of seconds from 0, such as 1."
        invalid({"mix_s": [words]}, words)
    expire_abandoned(event.id)
    left_out = needed.check(event, data["include"], data.get("without") or [])
    overflow = data.get("overflow", "refuse")
    if overflow not in ("refuse", "waitlist"):
        words = "If seats run short: refuse (the default) or waitlist."
        invalid({"overflow": [words]}, words)
    problem, skipped, kept = build_problem(event, data["include"], data.get("stable", False),
                                           limit, data.get("seed", 0), data.get("mix_s", 0.0),
                                           overflow)
    people = len(problem["participants"])
    short = seats_short(problem)
    if short and overflow == "refuse":
        seats = people - short
        words = (f"{people} people but {seats} seats: {short} "
                 f"{'seat is' if short == 1 else 'seats are'} missing. Add seats to the "
                 f"working groups, or allocate with a waiting list: {seats} people are "
                 f"placed and the other {short} wait, in order.")
        raise Invalid({"overflow": [words]}, words, type_="/problems/seats-short",
                      title="Not enough seats", people=people, seats=seats,
                      seats_missing=short)
    most = current_app.config["ALLOCATION_MAX_PEOPLE"]
    if people > most:
        words = (f"This allocation would place {people:,} people; this server places at most "
                 f"{most:,} at once, the size its time limits are measured for. Allocate "
                 f"only those checked in, or split the event.")
        invalid({"include": [words]}, words)
    shortest = shortest_limit(people)
    if limit < shortest:
        words = (f"At least {shortest:g} seconds for {people} people: a first complete "
                 f"allocation of that many needs about that long.")
        invalid({"time_limit_s": [words]}, words)
    now = utcnow()
    wait = dt.timedelta(seconds=current_app.config["ALLOCATION_QUEUE_WAIT_S"]
                        if status == "queued" else 0)
    run = AllocationRun(
        event_id=event.id, status=status, include=sorted(data["include"]),
        stable=data.get("stable", False), time_limit_s=limit, seed=data.get("seed", 0),
        overflow=overflow,
        people=people, inputs_hash=inputs_hash(problem), problem=problem,
        solver_version=SOLVER_VERSION, ortools_version=ortools.__version__,
        ignored_rules=skipped, kept_moves=kept, left_out=left_out or None,
        triggered_by=audit.actor_name(),
        created_at=now,
        deadline_at=now + wait + dt.timedelta(seconds=limit) + _grace(),
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
    if run.status not in ("queued", "running"):
        return run  # finished, or given up as abandoned, before this worker got to it
    run.status, run.started_at = "running", utcnow()
    run.runner = f"{HOST}:{os.getpid()}"
    run.deadline_at = run.started_at + dt.timedelta(seconds=run.time_limit_s) + _grace()
    db.session.commit()
    problem = parse_problem(run.problem)
    delay = current_app.config.get("SOLVER_TEST_DELAY_S")
    if delay:  # fault injection for the tests: a run that is still working
        time.sleep(delay)
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
    # An erasure or a purge that ran while the solver worked has cleaned the stored runs;
    # wait for any still in progress, then keep nothing of theirs in these figures.
    lock_event(run.event_id)
    db.session.refresh(run, ["problem"])
    run.finished_at = utcnow()
    run.wall_s = answer.get("wall_s")
    run.solver_status = answer["status"]
    run.reproducible = answer["reproducible"]
    run.reproducible_detail = answer.get("reproducible_detail", "")
    run.objective, run.best_bound = answer["objective"], answer["best_bound"]
    run.stages, run.metrics = answer["stages"], answer["metrics"]
    if solution.status == "infeasible":
        run.status = "failed"
        run.conflicts = answer["conflicts"]
        run.error = "infeasible"
    else:
        run.status = "succeeded"
        run.reasons, run.moves = answer["reasons"], answer["moves"]
        if "unplaced" in answer:  # a waiting list: the run's problem is who was placed
            run.unplaced = [{"participant_id": int(u["id"]), "position": u["position"],
                             "reasons": u["reasons"]} for u in answer["unplaced"]]
            run.problem = placed_only(run.problem, set(solution.assignments))
        rows = [{"run_id": run.id, "participant_id": int(pid), "group_id": int(gid),
                 "solver_group_id": int(gid)} for pid, gid in solution.assignments.items()]
        db.session.execute(insert(Assignment), rows)
        for move in run.kept_moves or []:  # still the organisers' decisions in this run
            db.session.execute(update(Assignment).where(
                Assignment.run_id == run.id,
                Assignment.participant_id == move["participant_id"]).values(
                moved_at=dt.datetime.fromisoformat(move["moved_at"]),
                moved_by=move["moved_by"]))
    _scrub_erased(run)
    audit.record("allocation.finished", event_id=run.event_id, subject=("allocation", run.id),
                 details={"status": run.status, "solver_status": run.solver_status})
    db.session.commit()
    return run


def placed_only(problem: dict[str, Any], placed: set[str]) -> dict[str, Any]:
    """The problem restricted to the people placed (ids as strings): what the run's
    report, hand moves and late placements work on; the waiting list is kept apart."""
    out = dict(problem)
    out["participants"] = [p for p in problem["participants"] if p["id"] in placed]
    for name in ("pins", "previous"):
        out[name] = {k: v for k, v in (problem.get(name) or {}).items() if k in placed}
    for name in ("apart", "together"):
        out[name] = [pair for pair in problem.get(name) or [] if set(pair) <= placed]
    return out


def _scrub_erased(run: AllocationRun) -> None:
    """Scrub a finished run of anyone erased (or of everyone, the event purged) while it ran."""
    ids = {int(p["id"]) for p in (run.problem or {}).get("participants", [])}
    purged = db.session.scalar(select(Event.purged_at).where(Event.id == run.event_id))
    erased = ids & set(db.session.scalars(select(Participant.id).where(
        Participant.event_id == run.event_id, Participant.erased_at.is_not(None))))
    if purged is not None or erased:
        scrub_run(run, None if purged is not None else {str(i) for i in erased})


def scrub_run(run: AllocationRun, people: set[str] | None) -> None:
    """Remove the organisation, gender and country of ``people`` (None: everyone) from one
    run's stored inputs, and every group's organisation, gender and country figures."""
    if run.problem:
        problem = dict(run.problem)
        problem["participants"] = [
            dict(p, organization=None, country=None, gender=None)
            if people is None or p["id"] in people else p
            for p in problem["participants"]]
        run.problem = problem
    if run.metrics and run.metrics.get("groups"):
        metrics = dict(run.metrics)
        metrics["groups"] = {
            gid: dict(figures, organizations={"distinct": None, "above_fair_share": {}},
                      genders={}, countries={})
            for gid, figures in metrics["groups"].items()}
        run.metrics = metrics


def _fail(run: AllocationRun, message: str) -> None:
    db.session.rollback()
    run.status, run.error, run.finished_at = "failed", message, utcnow()
    audit.record("allocation.finished", event_id=run.event_id, subject=("allocation", run.id),
                 details={"status": "failed"})
    db.session.commit()


def allocate(event: Event, data: dict[str, Any]) -> AllocationRun:
    """Run the solver in this request: record, solve, store. Impossible when no
    allocation keeps every rule; Busy when the run did not finish."""
    run = start_run(event, data)
    run = execute(run.id)
    if run.solver_status == "infeasible":
        conflicts = wording.conflicts(event, run.conflicts or [])
        raise Impossible("No allocation keeps every rule. " + " ".join(
            c["message"] for c in conflicts),
            title="No allocation is possible", type_="/problems/infeasible",
            conflicts=conflicts, run=run.id)
    if run.status == "failed":
        raise Busy(f"The allocation did not finish: {run.error}", retry_after=5, run=run.id)
    run.waiting_list = waitlist.waiting_rows(event, run)
    return run


def enqueue(event: Event, data: dict[str, Any]) -> AllocationRun:
    """Record a run as queued and hand it to an RQ worker (``make worker``)."""
    from redis import Redis
    from redis.exceptions import RedisError
    from rq import Queue

    run = start_run(event, data, status="queued")
    config = current_app.config
    try:
        queue = Queue(config["RQ_QUEUE"], connection=Redis.from_url(config["REDIS_URL"]))
        queue.enqueue("allocator.jobs.run_allocation", run.id,
                      job_timeout=int(run.time_limit_s + config["ALLOCATION_GRACE_S"]),
                      result_ttl=3600, failure_ttl=86400)
    except RedisError as exc:
        _fail(run, "the job queue (Redis) is not reachable")
        raise Busy("The job queue is not reachable; try again shortly.", retry_after=10,
                   run=run.id) from exc
    return run


def publish(event: Event, run_id: int) -> AllocationRun:
    """Make a succeeded run the event's allocation (the desk and viewers see only this)."""
    require_open(event)
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
    commit_or_conflict("Another allocation was published at the same moment; reload and retry.")
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
