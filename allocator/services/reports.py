"""Reading and adjusting a run: the organisers' report, and moving one person by hand."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import select

from allocator.extensions import db
from allocator.models import (
    ACTIVE,
    AllocationRun,
    Assignment,
    Event,
    Participant,
    WorkingGroup,
    utcnow,
)
from allocator.services import audit, conflict, find, invalid, needed, not_found, waitlist
from allocator.services.events import require_open
from allocator.services.participants import refuse_erased
from allocator.services.wording import Words, duty_words, reason_message
from allocator.solver import parse_problem
from allocator.solver.evaluate import Broken, band, group_members, newly_broken, scores
from allocator.solver.explain import explain, explain_moves, measure
from allocator.solver.prepare import Prepared, prepare


def load_state(run: AllocationRun) -> tuple[Prepared, list[int], dict[int, Assignment]]:
    """The run's problem, prepared, and where everyone is now (manual moves included)."""
    prep = prepare(parse_problem(run.problem))
    rows = {a.participant_id: a for a in db.session.scalars(
        select(Assignment).where(Assignment.run_id == run.id))}
    where = [prep.gindex[str(rows[int(p.id)].group_id)] for p in prep.problem.people]
    return prep, where, rows


def refresh_figures(run: AllocationRun, prep: Prepared, where: list[int]) -> None:
    """Recompute the run's metrics and explanations for its current assignments."""
    run.metrics = measure(prep, where)
    run.reasons = explain(prep, where)
    run.moves = explain_moves(prep, where) if prep.problem.previous else {}


def _require_answer(run: AllocationRun) -> None:
    if run.status != "succeeded":
        conflict(f"Run {run.id} has no allocation (status {run.status}).",
                 type_="/problems/no-allocation")


def report(event: Event, run: AllocationRun) -> dict[str, Any]:
    """Per group: members, facilitators, sector counts against shares, spread; ranks;
    the worst-off people; each person's reasons; and the moves of a stable run."""
    _require_answer(run)
    prep, where, rows = load_state(run)
    people = {p.id: p for p in db.session.scalars(
        select(Participant).where(Participant.id.in_(list(rows))))}
    groups = {g.id: g for g in db.session.scalars(
        select(WorkingGroup).where(WorkingGroup.event_id == event.id))}
    metrics = run.metrics or measure(prep, where)
    reasons = run.reasons or {}
    words = Words(event)
    words.want(rows)
    rank_of = {int(p.id): prep.ranks[i][prep.group_theme[where[i]]]
               for i, p in enumerate(prep.problem.people)}

    def chose(pid: int) -> bool:
        return bool(people[pid].preferences) and rank_of[pid] <= len(people[pid].preferences)

    def person(pid: int) -> dict[str, Any]:
        p = people[pid]
        row = rows[pid]
        # a theme the person did not list is "not a theme they listed", not a choice n+1
        return {"participant_id": pid, "full_name": p.full_name, "organization": p.organization,
                "sector": p.sector, "country": p.country, "gender": p.gender, "role": p.role,
                "status": p.status, "rank": rank_of[pid] if chose(pid) else None,
                "unlisted": bool(p.preferences) and not chose(pid),
                "moved_by_organiser": row.moved_at is not None}

    out_groups = []
    for g, members in enumerate(group_members(prep, where)):
        group_id = int(prep.problem.groups[g].id)
        group = groups.get(group_id)
        figures = metrics["groups"][str(group_id)]
        listed = sorted((int(prep.problem.people[i].id) for i in members),
                        key=lambda pid: (people[pid].role != "facilitator",
                                         people[pid].search_key, pid))
        out_groups.append({
            "id": group_id, "name": group.name if group else str(group_id),
            "theme": prep.problem.groups[g].theme,
            "theme_title": words.theme(prep.problem.groups[g].theme),
            "room": group.room if group else "",
            "capacity": prep.problem.groups[g].capacity, "size": len(members),
            "facilitators": [person(pid) for pid in listed
                             if people[pid].role == "facilitator"],
            "members": [person(pid) for pid in listed],
            "sectors": figures["sectors"], "genders": figures["genders"],
            "countries": figures["countries"], "organizations": figures["organizations"],
        })
    ranked = [pid for pid in rank_of if people[pid].preferences]
    worst = max((rank_of[pid] for pid in ranked if chose(pid)), default=None)
    # worst off: anyone in a theme they did not list; else those at the worst choice
    outside = [pid for pid in ranked if not chose(pid)]
    worst_ids = outside or [pid for pid in ranked
                            if worst is not None and worst > 1 and rank_of[pid] == worst]
    worst_off = [dict(person(pid), group_id=rows[pid].group_id, reasons=[
        dict(e, theme_title=words.theme(e["theme"]), message=reason_message(e, words))
        for e in reasons.get(str(pid), [])]) for pid in worst_ids]
    return {
        "run_id": run.id,
        "status": run.status,
        "solver_status": run.solver_status,
        "published": run.published,
        "edited": any(r.moved_at is not None for r in rows.values()),
        "groups": out_groups,
        "ranks": {"counts": metrics["rank_counts"], "worst": worst,
                  "unlisted": sum(1 for pid in ranked if not chose(pid)),
                  "first_choice_share": metrics["first_choice_share"],
                  "without_preferences": len(rank_of) - len(ranked)},
        "balance_excess": metrics.get("balance_excess", 0),
        "worst_off": worst_off,
        "reasons": [dict(person(int(pid)), group_id=rows[int(pid)].group_id, entries=[
                        dict(e, theme_title=words.theme(e["theme"]),
                             message=reason_message(e, words)) for e in entries])
                    for pid, entries in sorted(reasons.items(), key=lambda kv: int(kv[0]))],
        "moves": [dict(person(int(pid)), from_group_id=int(m["from"]),
                       to_group_id=int(m["to"]), rules=m["rules"],
                       message=reason_message(m, words, back=True))
                  for pid, m in sorted((run.moves or {}).items(), key=lambda kv: int(kv[0]))],
        "ignored_rules": run.ignored_rules or [],
        "left_out": needed.worded(event, run.left_out or []),
        "waiting_list": waitlist.waiting_rows(event, run),
        "programme_people": programme_people(event),
    }


def programme_people(event: Event) -> list[dict[str, Any]]:
    """Who leads the programme (a duty and no group to facilitate), by name: placed in no
    working group, counted in none."""
    people = db.session.scalars(select(Participant).where(
        Participant.event_id == event.id, Participant.status.in_(ACTIVE))
        .order_by(Participant.search_key, Participant.id))
    return [{"participant_id": p.id, "full_name": p.full_name,
             "organization": p.organization, "duties": list(p.duties),
             "duty_words": duty_words(p.duties), "status": p.status}
            for p in people if p.leads_programme]


def _band_warnings(prep: Prepared, where: list[int], groups: list[int],
                   words: Words) -> list[str]:
    members = group_members(prep, where)
    notes = []
    for g in groups:
        counts = Counter(prep.sector_of[i] for i in members[g] if prep.sector_of[i] >= 0)
        n = sum(counts.values())
        for s, sector in enumerate(prep.sectors):
            lo, hi = band(prep.n_participants, prep.sector_total[s], n)
            c = counts.get(s, 0)
            name = words.group(prep.problem.groups[g].id)
            label = words.sector(sector)
            if c > hi:
                notes.append(f"{name} now has {c} from {label}, above its share "
                             f"(at most {hi})")
            elif c < lo:
                notes.append(f"{name} now has {c} from {label}, below its share "
                             f"(at least {lo})")
    return notes


def _rule_words(prep: Prepared, broken: Broken, mover: int, where: list[int],
                words: Words) -> str:
    """A rule a move (or a placement) of person index ``mover`` would break, as the
    organiser reads it; ``where`` is the allocation before it."""
    groups = prep.problem.groups
    group = groups[broken.group] if broken.group is not None else None
    name = words.group(group.id) if group is not None else ""
    size = sum(1 for x in where if x == broken.group)
    lo, hi = prep.fac_bounds
    each = f"{lo}" + (f" or {hi}" if hi > lo else "")
    others = [words.person(prep.problem.people[p].id) for p in broken.people if p != mover]
    if broken.rule == "capacity":
        return f"{name} is full ({size}/{group.capacity})."
    if broken.rule == "min_size":
        return f"Their group would fall below its minimum of {group.min_size}."
    if broken.rule == "pin":
        return "An organiser's rule pins them to their group."
    if broken.rule == "veto":
        theme = words.theme(group.theme) if group is not None else ""
        return f"They cannot take part in {theme} (they said so)."
    if broken.rule == "together":
        return f"They must stay with {', '.join(others)}."
    if broken.rule == "apart":
        return f"They must be kept apart from {', '.join(others)}, who is in {name}."
    if broken.over:
        return (f"{name} already has its {hi} facilitator{'s' if hi > 1 else ''} (each "
                f"group gets {each}).")
    return f"Their group would be left without its facilitator (each group gets {each})."


def move_person(event: Event, run: AllocationRun, participant_id: int,
                group_id: int) -> dict[str, Any]:
    """Move one person in a draft run. Hard rules are enforced (409 names the rule);
    sector balance is only warned about."""
    require_open(event)
    _require_answer(run)
    if run.published:
        conflict("A published allocation is not changed by hand; adjust a new run and "
                 "publish it.", type_="/problems/published")
    row = find(Assignment, (run.id, participant_id))
    if row is None:
        not_found(f"Participant {participant_id} in run {run.id}")
    refuse_erased(db.session.get(Participant, participant_id))
    target = find(WorkingGroup, group_id)
    if target is None or target.event_id != event.id:
        invalid({"group_id": [f"The event has no working group {group_id}."]})
    before = row.group_id
    if before == target.id:
        return {"participant_id": participant_id, "from_group_id": before,
                "group_id": before, "warnings": [], "rank_before": None, "rank_after": None}
    prep, where, rows = load_state(run)
    words = Words(event)
    if str(target.id) not in prep.gindex:
        conflict("This group was added after the run; run the allocation again to use it.")
    i = prep.pindex[str(participant_id)]
    g, h = where[i], prep.gindex[str(target.id)]
    after = list(where)
    after[i] = h
    broken = newly_broken(prep, where, after)
    if broken:
        conflict("This move breaks a rule: " + " ".join(
            _rule_words(prep, b, i, where, words) for b in broken),
            type_="/problems/move-breaks-rule", rules=[b.rule for b in broken])
    old_scores = scores(prep, where)
    rank_before = prep.ranks[i][prep.group_theme[g]]
    where[i] = h
    new_scores = scores(prep, where)
    warnings = _band_warnings(prep, where, [g, h], words) \
        if new_scores.balance > old_scores.balance else []
    rank_after = prep.ranks[i][prep.group_theme[h]]
    if prep.problem.people[i].preferences and rank_after > rank_before:
        listed = len(prep.problem.people[i].preferences)

        def choice(rank: int) -> str:
            return f"choice {rank}" if rank <= listed else "a theme they did not list"

        warnings.append(f"{words.person(prep.problem.people[i].id)} now has "
                        f"{choice(rank_after)} "
                        f"(was {choice(rank_before)})")
    row.group_id, row.moved_at, row.moved_by = target.id, utcnow(), audit.actor_name()
    refresh_figures(run, prep, where)
    audit.record("allocation.person_moved", event_id=event.id, subject=("allocation", run.id),
                 details={"participant_id": participant_id, "from": before, "to": target.id})
    db.session.commit()
    return {"participant_id": participant_id, "from_group_id": before, "group_id": target.id,
            "warnings": warnings, "rank_before": rank_before, "rank_after": rank_after}
