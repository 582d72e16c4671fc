"""Late arrivals: people who take part now but are not in the published allocation.

Who takes part follows the published run's ``include``: after a run of only those who
checked in, someone registered weeks ago who walks in at 10:05 and is scanned is a late
arrival; registered people who have not arrived are counted apart ("11 not arrived") and
are not offered for placing until they check in.

Re-running the allocation for one person who walks in at 9:25 would be out of proportion.
Instead the organisers (or the desk's "ask the organisers") place that person in the best
group that keeps every rule, into the published allocation itself, moving nobody else:
capacity, pins, pairs and the facilitator rule hold; of the groups left, the one whose
sector balance suffers least, then the person's best-ranked theme, then the emptiest room.
The placement counts as the organisers' decision (stable re-runs keep it).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import select

from allocator.extensions import db
from allocator.models import ACTIVE, Assignment, Event, Participant, WorkingGroup, utcnow
from allocator.services import audit, conflict, waitlist
from allocator.services.allocation import published_run, published_run_id, solver_person
from allocator.services.events import require_open
from allocator.services.participants import changeable, not_taking_part
from allocator.services.reports import refresh_figures
from allocator.services.rules import list_rules
from allocator.services.wording import duty_words
from allocator.solver import parse_problem
from allocator.solver.evaluate import newly_broken
from allocator.solver.explain import balance_excess
from allocator.solver.prepare import Prepared, prepare


def _unplaced(event: Event, statuses: list[str] | tuple[str, ...]) -> list[Participant]:
    """People of these statuses the published allocation does not place, by name (those
    who lead the programme are placed in no group, so they are never among them)."""
    run_id = published_run_id(event)
    if run_id is None or not statuses:
        return []
    placed = select(Assignment.participant_id).where(Assignment.run_id == run_id)
    return [p for p in db.session.scalars(select(Participant).where(
        Participant.event_id == event.id, Participant.status.in_(statuses),
        Participant.id.not_in(placed)).order_by(Participant.search_key))
        if not p.leads_programme]


def taking_part(event: Event) -> tuple[str, ...]:
    """The statuses that take part now: those the published run included (only who
    checked in, or everyone registered); everyone registered when nothing is published."""
    run = published_run(event)
    return tuple(s for s in ACTIVE if run is None or s in (run.include or ACTIVE))


def late_arrivals(event: Event) -> list[Participant]:
    """People who take part now (per the published run's ``include``) and are not in the
    published allocation: the ones "Place" is for. Those on the waiting list come first,
    in its order (``waiting_position`` set), then the others by name."""
    people = _unplaced(event, taking_part(event))
    order = {e["participant_id"]: e["position"]
             for e in waitlist.waiting(event, published_run(event), worded=False)}
    for person in people:
        person.waiting_position = order.get(person.id)
    return sorted(people, key=lambda p: (p.waiting_position is None,
                                         p.waiting_position or 0))


def not_arrived(event: Event) -> list[Participant]:
    """Registered people a checked-in-only published run left out who have not checked in
    since: no-shows so far, not offered for placing until they arrive."""
    return _unplaced(event, [s for s in ACTIVE if s not in taking_part(event)])


def place(event: Event, participant_id: int) -> dict[str, Any]:
    """Put one late arrival into the published allocation: the best group that keeps every
    rule (see the module docstring). 409 when nothing is published, they are placed
    already, or no group can take them."""
    require_open(event)
    person = changeable(event, participant_id)
    if person.status not in ACTIVE:
        conflict(not_taking_part(person))
    if person.leads_programme:
        conflict(f"{person.full_name} leads the programme ({duty_words(person.duties)}) and "
                 "is placed in no working group.", type_="/problems/leads-programme")
    run = published_run(event)
    if run is None:
        conflict("Nothing is published yet: allocate and publish first.",
                 type_="/problems/nothing-published")
    if person.status not in (run.include or ACTIVE):
        conflict(f"{person.full_name} has not checked in: the published allocation places "
                 "only people who arrived. Check them in first, then place them.",
                 type_="/problems/not-arrived")
    if db.session.get(Assignment, (run.id, person.id)) is not None:
        conflict(f"{person.full_name} is in the published allocation already.",
                 type_="/problems/already-placed")
    # who holds a seat now: someone withdrawn (or erased) since has freed theirs
    rows = dict(db.session.execute(
        select(Assignment.participant_id, Assignment.group_id)
        .join(Participant, Participant.id == Assignment.participant_id)
        .where(Assignment.run_id == run.id, Participant.status.in_(ACTIVE))).all())
    problem, prep, base, i, options = _options(event, run, rows, person)
    if not options:
        conflict(f"No group can take {person.full_name} without breaking a rule (rooms "
                 "full, or pins, pairs and the themes they cannot take part in); run the "
                 "allocation again to make room.", type_="/problems/no-room")
    _waiting_list_first(event, run, rows, person)

    def cost(g: int) -> tuple[int, int, float, int]:
        where = list(base)
        where[i] = g
        group = prep.problem.groups[g]
        size = sum(1 for x in where if x == g)
        return (_balance(prep, where, g), prep.ranks[i][prep.group_theme[g]],
                size / group.capacity, g)

    best = min(options, key=cost)
    group_id = int(prep.problem.groups[best].id)
    now = utcnow()
    db.session.add(Assignment(run_id=run.id, participant_id=person.id, group_id=group_id,
                              solver_group_id=None, moved_at=now,
                              moved_by=audit.actor_name()))
    run.problem = problem
    # the run's figures count everyone it placed, as its report does
    placed = dict(db.session.execute(select(Assignment.participant_id, Assignment.group_id)
                                     .where(Assignment.run_id == run.id)).all())
    where = [prep.gindex[str(placed[int(p.id)])] if int(p.id) in placed else -1
             for p in prep.problem.people]
    where[i] = best
    refresh_figures(run, prep, where)
    audit.record("allocation.late_placed", event_id=event.id, subject=("allocation", run.id),
                 details={"participant_id": person.id, "group_id": group_id})
    db.session.commit()
    group = db.session.get(WorkingGroup, group_id)
    return {"participant_id": person.id, "full_name": person.full_name,
            "group_id": group_id, "group": group.name, "room": group.room}


def _options(event: Event, run: Any, rows: dict[int, int], person: Participant
             ) -> tuple[dict[str, Any], Prepared, list[int], int, list[int]]:
    """The run's problem with ``person`` added (rooms as they are now, today's rules
    naming them), prepared; where everyone is (-1: the person); the person's index; and
    the groups that can take them keeping every hard rule."""
    problem = dict(run.problem)
    # rooms as they are now: a capacity changed since the run counts, not the old one
    now = {str(g.id): g.capacity for g in event.groups}
    problem["groups"] = [{**grp, "capacity": now.get(grp["id"], grp["capacity"])}
                         for grp in problem["groups"]]
    themes = {grp["theme"] for grp in problem["groups"]}
    problem["participants"] = [*problem["participants"], solver_person(person, themes)]
    _with_their_rules(event, problem, person.id)
    prep = prepare(parse_problem(problem))
    i = prep.pindex[str(person.id)]
    base = [prep.gindex[str(rows[int(p.id)])] if int(p.id) in rows else -1
            for p in prep.problem.people]
    options = [g for g in range(len(prep.problem.groups))
               if not newly_broken(prep, base, [*base[:i], g, *base[i + 1:]])]
    return problem, prep, base, i, options


def _waiting_list_first(event: Event, run: Any, rows: dict[int, int],
                        person: Participant) -> None:
    """A freed seat goes to the waiting list first, in its order: refuse (409) to place
    someone while a person ahead of them on it (everyone on it, for a walk-in) could
    take a seat now."""
    for entry in waitlist.waiting(event, run, worded=False):
        if entry["participant_id"] == person.id:
            return
        ahead = entry["person"]
        if ahead.status in (run.include or ACTIVE) and _options(event, run, rows, ahead)[4]:
            conflict(f"{ahead.full_name} waits for a seat (waiting list, number "
                     f"{entry['position']}) and one is free for them: place them first.",
                     type_="/problems/waiting-list-first", waiting=ahead.id)


def _with_their_rules(event: Event, problem: dict[str, Any], person_id: int) -> None:
    """Add to the run's problem today's rules naming the late arrival (made since the run,
    perhaps for them), where the other person is in the run."""
    ids = {p["id"] for p in problem["participants"]}
    problem["pins"] = dict(problem.get("pins") or {})
    problem["apart"] = list(problem.get("apart") or [])
    problem["together"] = list(problem.get("together") or [])
    for rule in list_rules(event):
        if person_id not in (rule.participant_id, rule.other_id):
            continue
        if rule.kind == "pin":
            problem["pins"][str(person_id)] = str(rule.group_id)
            continue
        pair = [str(rule.participant_id), str(rule.other_id)]
        if set(pair) <= ids and pair not in problem[rule.kind]:
            problem[rule.kind].append(pair)


def _balance(prep: Any, where: list[int], g: int) -> int:
    """The sector balance excess of group g with this allocation (-1: not placed)."""
    members = [i for i, x in enumerate(where) if x == g]
    counts = Counter(prep.sector_of[i] for i in members if prep.sector_of[i] >= 0)
    return balance_excess(prep, counts, sum(counts.values()))

