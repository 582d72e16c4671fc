"""Why a problem has no answer.

Shortages of the whole event come first, by counting: more people than seats, fewer
people than the groups' minimum sizes, fewer facilitators than groups, rooms too small
for their facilitators. Everything else (pins, pairs and sizes that clash) is found by
the solver as minimal sets of rules (:mod:`allocator.solver.rules`) and worded as chains
(:mod:`allocator.solver.conflicts`).
"""

from __future__ import annotations

from allocator.solver.budget import Clock
from allocator.solver.conflicts import to_conflict
from allocator.solver.prepare import Prepared
from allocator.solver.problem import Conflict
from allocator.solver.rules import RuleModel


def _names(ids: list[str]) -> str:
    if len(ids) <= 2:
        return " and ".join(ids)
    shown = ids[:5]
    more = f" and {len(ids) - 5} more" if len(ids) > 5 else ""
    return ", ".join(shown[:-1]) + (f", {shown[-1]}" if more else f" and {shown[-1]}") + more


def shortages(prep: Prepared) -> list[Conflict]:
    """Count checks of the whole event: seats, minimum sizes, facilitators."""
    problem = prep.problem
    groups, people = problem.groups, problem.people
    gid = [g.id for g in groups]
    pid = [p.id for p in people]
    found: list[Conflict] = []
    seats = sum(g.capacity for g in groups)
    if prep.n_people > seats:
        found.append(Conflict("capacity", f"{prep.n_people} people but {seats} seats",
                              groups=gid))
    minimum = sum(g.min_size for g in groups)
    if prep.n_people < minimum:
        found.append(Conflict("min_size", f"{prep.n_people} people but the groups' minimum "
                              f"sizes add up to {minimum}", groups=gid))
    if 0 < prep.n_facilitators < len(groups):
        found.append(Conflict(
            "facilitators",
            f"{prep.n_facilitators} facilitator{'s' if prep.n_facilitators != 1 else ''} for "
            f"{len(groups)} groups: every working group needs one",
            people=[pid[i] for i in range(len(people)) if prep.sector_of[i] < 0], groups=gid))
    for i, person in enumerate(people):
        if person.vetoes and all(not prep.open_to(i, g) for g in range(len(groups))):
            found.append(Conflict(
                "vetoes", f"{person.id} cannot take part in any theme: they veto "
                f"{_names(list(person.vetoes))}", people=[person.id],
                rules=[{"rule": "veto", "people": [person.id], "groups": gid,
                        "themes": list(person.vetoes)}]))
    lo_f = prep.fac_bounds[0]
    if prep.facilitator_rule() and any(g.capacity < lo_f for g in groups):
        small = [g for g in groups if g.capacity < lo_f]
        found.append(Conflict("facilitators", f"{_names([g.label for g in small])} cannot "
                              f"seat the {lo_f} facilitators each group gets",
                              groups=[g.id for g in small]))
    return found


def rule_conflicts(prep: Prepared, clock: Clock | None = None,
                   model: RuleModel | None = None) -> list[Conflict]:
    """Every independent minimal set of clashing rules, each worded as a chain."""
    model = model or RuleModel(prep)
    return [to_conflict(prep, rules) for rules in model.conflicts(clock)]
