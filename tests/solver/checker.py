"""An independent checker: the policy of docs/solver.md, computed from the raw problem.

It shares no code with the solver, on purpose: the solver's own figures are not
evidence that its answer is right.
"""

from __future__ import annotations

import itertools
from collections import Counter
from fractions import Fraction
from math import ceil, floor


def rank(person: dict, theme: str) -> int:
    prefs = person.get("preferences") or []
    return prefs.index(theme) + 1 if theme in prefs else len(prefs) + 1


def violations(problem: dict, assignment: dict[str, str]) -> list[str]:
    """Every broken hard rule (empty when the answer is valid)."""
    found = []
    groups = {g["id"]: g for g in problem["groups"]}
    people = problem["participants"]
    ids = [p["id"] for p in people]
    if sorted(assignment) != sorted(ids):
        found.append("not everyone placed exactly once")
        return found
    for pid, gid in assignment.items():
        if gid not in groups:
            found.append(f"{pid} in unknown group {gid}")
    sizes = Counter(assignment.values())
    for gid, g in groups.items():
        if sizes[gid] > g["capacity"]:
            found.append(f"{gid} over capacity")
        if sizes[gid] < g.get("min_size", 0):
            found.append(f"{gid} under min size")
    facilitators = [p["id"] for p in people if p.get("role") == "facilitator"]
    if len(facilitators) >= len(groups):
        per = Counter(assignment[f] for f in facilitators)
        lo, hi = len(facilitators) // len(groups), ceil(len(facilitators) / len(groups))
        for gid in groups:
            if not lo <= per[gid] <= hi:
                found.append(f"{gid} has {per[gid]} facilitators")
    elif facilitators:
        found.append("fewer facilitators than groups")
    for pid, gid in (problem.get("pins") or {}).items():
        if assignment[pid] != gid:
            found.append(f"{pid} not at pin")
    for a, b in problem.get("together") or []:
        if assignment[a] != assignment[b]:
            found.append(f"{a},{b} not together")
    for a, b in problem.get("apart") or []:
        if assignment[a] == assignment[b]:
            found.append(f"{a},{b} not apart")
    for p in people:
        if groups[assignment[p["id"]]]["theme"] in (p.get("vetoes") or []):
            found.append(f"{p['id']} in a theme they veto")
    return found


def _excess_over_fair_share(counts: Counter, totals: Counter, size: int, total: int) -> int:
    return sum(max(0, c - ceil(Fraction(totals[key] * size, total))) for key, c in counts.items())


def stage_values(problem: dict, assignment: dict[str, str]) -> dict[str, int]:
    """The value of every policy stage for a valid assignment."""
    groups = {g["id"]: g for g in problem["groups"]}
    people = problem["participants"]
    participants = [p for p in people if p.get("role", "participant") != "facilitator"]
    sector_totals = Counter(p["sector"] for p in participants)
    n_total = len(participants)
    balance = 0
    org_excess = diversity = 0
    everyone = len(people)

    def org(p):
        return " ".join(p["organization"].casefold().split()) if p.get("organization") else None

    org_totals = Counter(org(p) for p in people if org(p))
    gender_totals = Counter(p["gender"] for p in people if p.get("gender"))
    country_totals = Counter(p["country"] for p in people if p.get("country"))
    for gid in groups:
        members = [p for p in people if assignment[p["id"]] == gid]
        in_group = [p for p in participants if assignment[p["id"]] == gid]
        n = len(in_group)
        counts = Counter(p["sector"] for p in in_group)
        for sector, total in sector_totals.items():
            share = Fraction(total * n, n_total)
            c = counts[sector]
            balance += max(0, c - ceil(share)) + max(0, floor(share) - c)
        size = len(members)
        org_excess += _excess_over_fair_share(Counter(org(p) for p in members if org(p)),
                                              org_totals, size, everyone)
        diversity += _excess_over_fair_share(
            Counter(p["gender"] for p in members if p.get("gender")), gender_totals, size,
            everyone)
        diversity += _excess_over_fair_share(
            Counter(p["country"] for p in members if p.get("country")), country_totals, size,
            everyone)
    ranks = [rank(p, groups[assignment[p["id"]]]["theme"]) for p in people]
    unlisted = sum(1 for p in people if p.get("preferences")
                   and groups[assignment[p["id"]]]["theme"] not in p["preferences"])
    previous = problem.get("previous") or {}
    sizes = Counter(assignment.values())
    evenness = 0
    for theme in {g["theme"] for g in groups.values()}:
        members = [g for g in groups.values() if g["theme"] == theme]
        seats = sum(g["capacity"] for g in members)
        people_here = sum(sizes[g["id"]] for g in members)
        for g in members:
            share = Fraction(people_here * g["capacity"], seats)
            evenness += max(0, sizes[g["id"]] - ceil(share)) + max(0, floor(share) - sizes[g["id"]])
    return {
        "balance": balance,
        "moves": sum(1 for pid, gid in previous.items() if assignment[pid] != gid),
        "worst_rank": max(ranks, default=0),
        "unlisted": unlisted,
        "rank_sum": sum(ranks),
        "evenness": evenness,
        "organization": org_excess,
        "diversity": diversity,
    }


def stage_order(problem: dict) -> list[str]:
    """Stages in priority order (stability before preferences when a previous allocation
    exists; even rooms, part of balance, before preferences too; a theme the person did
    not list only as a last resort: right after the worst rank, before the rank sum)."""
    head = ["balance", "moves"] if problem.get("previous") else ["balance"]
    return head + ["evenness", "worst_rank", "unlisted", "rank_sum", "organization",
                   "diversity"]


def brute_force(problem: dict) -> tuple[tuple[int, ...] | None, int]:
    """The lexicographic optimum over every assignment, and how many are valid."""
    ids = [p["id"] for p in problem["participants"]]
    gids = [g["id"] for g in problem["groups"]]
    order = stage_order(problem)
    best = None
    valid = 0
    for combo in itertools.product(gids, repeat=len(ids)):
        assignment = dict(zip(ids, combo, strict=True))
        if violations(problem, assignment):
            continue
        valid += 1
        values = stage_values(problem, assignment)
        key = tuple(values[name] for name in order)
        if best is None or key < best:
            best = key
    return best, valid


# --- overflow: "waitlist" ------------------------------------------------------------

def restricted(problem: dict, placed: set[str]) -> dict:
    """The problem for the people placed alone (their pins, pairs and previous groups)."""
    out = {k: v for k, v in problem.items() if k != "overflow"}
    out["participants"] = [p for p in problem["participants"] if p["id"] in placed]
    for key in ("pins", "previous"):
        if key in problem:
            out[key] = {a: g for a, g in problem[key].items() if a in placed}
    for key in ("apart", "together"):
        if key in problem:
            out[key] = [pair for pair in problem[key] if set(pair) <= placed]
    return out


def _units(problem: dict) -> list[set[str]]:
    """People a together rule joins (components), and everyone else alone."""
    unit = {p["id"]: {p["id"]} for p in problem["participants"]}
    for a, b in problem.get("together") or []:
        joined = unit[a] | unit[b]
        for x in joined:
            unit[x] = joined
    return list({id(u): u for u in unit.values()}.values())


def effective_priority(problem: dict) -> dict[str, int]:
    """Each person's priority; a together unit's is the highest of its people."""
    own = {p["id"]: p.get("priority", 0) for p in problem["participants"]}
    out = {}
    for unit in _units(problem):
        top = max(own[x] for x in unit)
        out.update({x: top for x in unit})
    return out


def selection_vector(problem: dict, placed: set[str]) -> tuple[int, ...]:
    """What the waiting list maximises, lexicographically: facilitators placed; then
    people pinned (or together with someone pinned) placed, by priority; then everyone
    else placed, by priority (highest first)."""
    people = problem["participants"]
    pins = problem.get("pins") or {}
    priority = effective_priority(problem)
    pinned_units = set()
    for unit in _units(problem):
        if unit & set(pins):
            pinned_units |= unit
    levels = sorted(set(priority.values()), reverse=True)
    facilitators = sum(1 for p in people if p.get("role") == "facilitator" and p["id"] in placed)
    vector = [facilitators]
    for group in (pinned_units, None):
        for level in levels:
            vector.append(sum(1 for p in people if p["id"] in placed
                              and p.get("role") != "facilitator"
                              and ((p["id"] in pinned_units) == (group is not None))
                              and priority[p["id"]] == level))
    return tuple(vector)


def feasible(problem: dict) -> bool:
    """Whether any assignment keeps every hard rule."""
    ids = [p["id"] for p in problem["participants"]]
    gids = [g["id"] for g in problem["groups"]]
    return any(not violations(problem, dict(zip(ids, combo, strict=True)))
               for combo in itertools.product(gids, repeat=len(ids)))


def best_selection(problem: dict) -> tuple[int, ...] | None:
    """The best selection vector over every set of people that can be placed."""
    units = sorted(_units(problem), key=lambda u: sorted(u))
    best = None
    for chosen in itertools.product([False, True], repeat=len(units)):
        placed = set().union(*(u for u, c in zip(units, chosen, strict=True) if c))
        vector = selection_vector(problem, placed)
        if best is not None and vector <= best:
            continue
        if feasible(restricted(problem, placed)):
            best = vector
    return best
