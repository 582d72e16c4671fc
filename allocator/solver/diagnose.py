"""Why a problem has no answer: the smallest set of rules that conflict, in words."""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict

from ortools.math_opt.python import mathopt

from allocator.solver.prepare import Prepared
from allocator.solver.problem import Conflict


def _names(ids: list[str]) -> str:
    if len(ids) <= 2:
        return " and ".join(ids)
    shown = ids[:5]
    more = f" and {len(ids) - 5} more" if len(ids) > 5 else ""
    return ", ".join(shown[:-1]) + (f", {shown[-1]}" if more else f" and {shown[-1]}") + more


def obvious_conflicts(prep: Prepared) -> list[Conflict]:
    """Count checks that need no solver: seats, minimum sizes, facilitators, pins, pairs."""
    problem = prep.problem
    groups, people = problem.groups, problem.people
    gid = [g.id for g in groups]
    label = [g.label for g in groups]
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
    # units: pins inside, size, apart inside
    unit_pin: dict[int, int | None] = {}
    for u, members in enumerate(prep.units):
        pins = sorted({prep.pin[i] for i in members if prep.pin[i] is not None})
        unit_pin[u] = pins[0] if len(pins) == 1 else None
        if len(pins) > 1:
            pinned = [i for i in members if prep.pin[i] is not None]
            where = " and ".join(sorted({label[prep.pin[i]] for i in pinned}))
            found.append(Conflict(
                "together", f"{_names([pid[i] for i in pinned])} must be together but are "
                f"pinned to {where}", people=[pid[i] for i in members],
                groups=[gid[g] for g in pins]))
        largest = max((g.capacity for g in groups), default=0)
        if len(members) > 1 and len(members) > largest:
            found.append(Conflict(
                "together", f"{_names([pid[i] for i in members])} must be together but no "
                f"group holds {len(members)}", people=[pid[i] for i in members]))
    for a, b in problem.apart:
        ua, ub = prep.unit_of[prep.pindex[a]], prep.unit_of[prep.pindex[b]]
        if ua == ub:
            found.append(Conflict(
                "apart", f"{a} and {b} must be apart but must also be together "
                f"({' – '.join(pid[i] for i in prep.units[ua])})", people=[a, b]))
        elif unit_pin.get(ua) is not None and unit_pin.get(ua) == unit_pin.get(ub):
            found.append(Conflict(
                "apart", f"{a} and {b} must be apart but are both pinned to "
                f"{label[unit_pin[ua]]}", people=[a, b], groups=[gid[unit_pin[ua]]]))
    # pins per group: capacity and facilitators
    forced: dict[int, list[int]] = defaultdict(list)
    for i in range(len(people)):
        g = prep.pin[i]
        if g is None and i in prep.unit_of:
            g = unit_pin.get(prep.unit_of[i])
        if g is not None:
            forced[g].append(i)
    lo_f, hi_f = prep.fac_bounds
    for g, members in sorted(forced.items()):
        if len(members) > groups[g].capacity:
            found.append(Conflict(
                "capacity", f"{label[g]} holds {groups[g].capacity} but {len(members)} people "
                "are pinned to it (or must be with someone pinned there)",
                people=[pid[i] for i in members], groups=[gid[g]]))
        fac = [i for i in members if prep.sector_of[i] < 0]
        if prep.facilitator_rule() and len(fac) > hi_f:
            found.append(Conflict(
                "facilitators", f"{len(fac)} facilitators are pinned to {label[g]}, but with "
                f"{prep.n_facilitators} facilitators for {len(groups)} groups each group gets "
                f"at most {hi_f}", people=[pid[i] for i in fac], groups=[gid[g]]))
    if prep.facilitator_rule() and any(g.capacity < lo_f for g in groups):
        small = [g for g in groups if g.capacity < lo_f]
        found.append(Conflict("facilitators", f"{_names([g.label for g in small])} cannot "
                              f"seat the {lo_f} facilitators each group gets",
                              groups=[g.id for g in small]))
    return found


# --- the deletion filter ---------------------------------------------------------------

Rule = tuple[str, int]  # (kind, index): capacity/min_size per group, pin per person, pairs


def _feasible(prep: Prepared, rules: set[Rule], seconds: float) -> bool | None:
    """Do the hard rules in ``rules`` admit an allocation? None when undecided in time."""
    groups = prep.problem.groups
    model = mathopt.Model()
    people_with_rules = sorted(set(prep.unit_of) | {i for i, g in enumerate(prep.pin)
                                                    if g is not None})
    ruled = set(people_with_rules)
    x = {(i, g): model.add_binary_variable() for i in people_with_rules
         for g in range(len(groups))}
    free_p = sum(1 for i in range(prep.n_people) if i not in ruled and prep.sector_of[i] >= 0)
    free_f = sum(1 for i in range(prep.n_people) if i not in ruled and prep.sector_of[i] < 0)
    a = [model.add_integer_variable(lb=0, ub=free_p) for _ in groups]
    af = [model.add_integer_variable(lb=0, ub=free_f) for _ in groups]
    model.add_linear_constraint(mathopt.fast_sum(a) == free_p)
    model.add_linear_constraint(mathopt.fast_sum(af) == free_f)
    for i in people_with_rules:
        model.add_linear_constraint(mathopt.fast_sum(x[i, g] for g in range(len(groups))) == 1)
        if prep.pin[i] is not None and ("pin", i) in rules:
            model.add_linear_constraint(x[i, prep.pin[i]] == 1)
    lo_f, hi_f = prep.fac_bounds
    for g, group in enumerate(groups):
        size = a[g] + af[g] + mathopt.fast_sum(x[i, g] for i in people_with_rules)
        if ("capacity", g) in rules:
            model.add_linear_constraint(size <= group.capacity)
        if ("min_size", g) in rules:
            model.add_linear_constraint(size >= group.min_size)
        if ("facilitators", 0) in rules and prep.facilitator_rule():
            fac = af[g] + mathopt.fast_sum(x[i, g] for i in people_with_rules
                                           if prep.sector_of[i] < 0)
            model.add_linear_constraint(fac >= lo_f)
            model.add_linear_constraint(fac <= hi_f)
    pindex = prep.pindex
    for n, (p, q) in enumerate(prep.problem.together):
        if ("together", n) in rules:
            for g in range(len(groups)):
                model.add_linear_constraint(x[pindex[p], g] == x[pindex[q], g])
    for n, (p, q) in enumerate(prep.problem.apart):
        if ("apart", n) in rules:
            for g in range(len(groups)):
                model.add_linear_constraint(x[pindex[p], g] + x[pindex[q], g] <= 1)
    params = mathopt.SolveParameters(time_limit=dt.timedelta(seconds=max(0.05, seconds)),
                                     random_seed=prep.problem.seed)
    result = mathopt.solve(model, mathopt.SolverType.HIGHS, params=params)
    reason = result.termination.reason
    if reason in (mathopt.TerminationReason.OPTIMAL, mathopt.TerminationReason.FEASIBLE):
        return True
    if reason == mathopt.TerminationReason.INFEASIBLE:
        return False
    return None


def _describe(prep: Prepared, rules: list[Rule]) -> Conflict:
    problem = prep.problem
    gid = [g.id for g in problem.groups]
    label = [g.label for g in problem.groups]
    pid = [p.id for p in problem.people]
    parts: list[str] = []
    people: list[str] = []
    groups: list[str] = []
    for kind, n in rules:
        if kind == "capacity":
            parts.append(f"{label[n]} holds at most {problem.groups[n].capacity}")
            groups.append(gid[n])
        elif kind == "min_size":
            parts.append(f"{label[n]} needs at least {problem.groups[n].min_size}")
            groups.append(gid[n])
        elif kind == "pin":
            parts.append(f"{pid[n]} is pinned to {label[prep.pin[n]]}")
            people.append(pid[n])
        elif kind == "together":
            p, q = problem.together[n]
            parts.append(f"{p} and {q} must be together")
            people += [p, q]
        elif kind == "apart":
            p, q = problem.apart[n]
            parts.append(f"{p} and {q} must be apart")
            people += [p, q]
        elif kind == "facilitators":
            lo, hi = prep.fac_bounds
            parts.append(f"each group gets {lo}" + (f" or {hi}" if hi != lo else "")
                         + " facilitator" + ("s" if hi > 1 else ""))
    message = "These rules cannot all hold: " + "; ".join(parts) + "."
    return Conflict("combination", message, people=sorted(set(people)),
                    groups=sorted(set(groups)))


def minimal_conflict(prep: Prepared, seconds: float) -> Conflict | None:
    """A minimal set of hard rules that has no allocation (deletion filter), or None."""
    deadline = time.monotonic() + seconds
    rules: list[Rule] = [("facilitators", 0)] if prep.facilitator_rule() else []
    rules += [("pin", i) for i, g in enumerate(prep.pin) if g is not None]
    rules += [("together", n) for n in range(len(prep.problem.together))]
    rules += [("apart", n) for n in range(len(prep.problem.apart))]
    rules += [("min_size", g) for g, grp in enumerate(prep.problem.groups) if grp.min_size]
    rules += [("capacity", g) for g in range(len(prep.problem.groups))]
    active = set(rules)
    if _feasible(prep, active, deadline - time.monotonic()) is not False:
        return None
    for rule in rules:
        if time.monotonic() > deadline:
            break
        active.discard(rule)
        if _feasible(prep, active, deadline - time.monotonic()) is not False:
            active.add(rule)
    return _describe(prep, [r for r in rules if r in active])
