"""Spread for large problems: organisations by min-cost flow, then genders and countries.

Used when the fine model is too big to solve globally. The coarse answer fixes who
goes to which theme, who stays in their previous group, and how many people of each
sector every group receives; within those numbers each (theme, sector) block is a
transportation problem from organisations to groups. A seat up to the organisation's
fair share in a group costs nothing and each seat above it costs one, so the flow
minimises the block's organisation excess exactly. Individuals are then chosen to
spread genders and countries, and improved by swaps that keep everything else equal.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from allocator.solver.assign import spread_order
from allocator.solver.budget import CLASS_SWAP_PAIRS, SPREAD_PASSES, Clock
from allocator.solver.evaluate import fair_cap
from allocator.solver.prepare import Prepared


class _Counts:
    """Organisation, gender and country counts per group, kept up to date."""

    def __init__(self, prep: Prepared, sizes: dict[int, int]) -> None:
        self.prep = prep
        self.people = prep.n_people
        self.sizes = sizes
        self.of = (prep.org_of, prep.gender_of, prep.country_of)
        self.totals = (prep.org_total, prep.gender_total, prep.country_total)
        self.count: list[Counter] = [Counter(), Counter(), Counter()]
        self._caps: dict[tuple[int, int, int], int] = {}

    def add(self, i: int, g: int, sign: int = 1) -> None:
        for a in range(3):
            value = self.of[a][i]
            if value >= 0:
                self.count[a][g, value] += sign

    def cap(self, a: int, value: int, g: int) -> int:
        key = (a, value, g)
        cap = self._caps.get(key)
        if cap is None:  # sizes are fixed while spreading, so caps are too
            cap = self._caps[key] = fair_cap(self.people, self.totals[a][value], self.sizes[g])
        return cap

    def excess(self, a: int, value: int, g: int, extra: int = 0) -> int:
        return max(0, self.count[a][g, value] + extra - self.cap(a, value, g))


def spread_by_flow(prep: Prepared, placed: dict[int, int], movers_by_theme: dict[int, list[int]],
                   slots: dict[tuple[int, int], int], clock: Clock,
                   keep: dict[int, int] | None = None) -> dict[int, int]:
    """Place the movers of every theme into the slots; ``placed`` is everyone else.

    Every (theme, sector) block is one min-cost flow, all of them before any swap. With
    ``keep`` (an allocation that already fills exactly these slots, such as the first
    answer), a block the time limit leaves no time for keeps it, and the clock says so.
    The swaps that improve genders and countries make a fixed number of passes
    (``budget.SPREAD_PASSES``); the clock only stops them when the time limit is near,
    and says so.
    """
    sizes: dict[int, int] = Counter(placed.values())
    for (g, _), n in slots.items():
        sizes[g] += n
    counts = _Counts(prep, sizes)
    where = dict(placed)
    for i, g in placed.items():
        counts.add(i, g)
    for theme, movers in sorted(movers_by_theme.items()):
        by_sector: dict[int, list[int]] = defaultdict(list)
        for i in movers:
            by_sector[prep.sector_of[i]].append(i)
        for sector in sorted(by_sector):
            people = sorted(by_sector[sector])
            if keep is not None and clock.working_left() <= 0:
                clock.cut("the organisation flows")
                for i in people:
                    where[i] = keep[i]
                    counts.add(i, keep[i])
                continue
            targets = {g: n for (g, s), n in slots.items()
                       if s == sector and n > 0 and prep.group_theme[g] == theme}
            _place_block(prep, people, targets, counts, where)
    clock.mark("flows_done")
    for _theme, movers in sorted(movers_by_theme.items()):
        _improve(prep, list(movers), counts, where, clock)
    return where


def _place_block(prep: Prepared, people: list[int], targets: dict[int, int],
                 counts: _Counts, where: dict[int, int]) -> None:
    by_org: dict[int, list[int]] = defaultdict(list)
    for i in people:
        by_org[prep.org_of[i]].append(i)
    orgs = sorted(by_org)
    groups = sorted(targets)
    from ortools.graph.python import min_cost_flow

    flow = min_cost_flow.SimpleMinCostFlow()
    arcs: list[tuple[int, int, int]] = []  # (arc, org, group)
    for n, org in enumerate(orgs):
        supply = len(by_org[org])
        flow.set_node_supply(n, supply)
        for m, g in enumerate(groups):
            node = len(orgs) + m
            if org < 0:
                arcs.append((flow.add_arc_with_capacity_and_unit_cost(n, node, supply, 0), org, g))
                continue
            free = max(0, counts.cap(0, org, g) - counts.count[0][g, org])
            if free:
                arcs.append((flow.add_arc_with_capacity_and_unit_cost(
                    n, node, min(free, supply), 0), org, g))
            arcs.append((flow.add_arc_with_capacity_and_unit_cost(n, node, supply, 1), org, g))
    for m, g in enumerate(groups):
        flow.set_node_supply(len(orgs) + m, -targets[g])
    if flow.solve() != flow.OPTIMAL:
        raise RuntimeError("organisation flow has no solution for a valid plan")
    quota: dict[tuple[int, int], int] = Counter()
    for arc, org, g in arcs:
        quota[org, g] += flow.flow(arc)
    for org in orgs:
        for i in spread_order(prep, by_org[org]):
            options = [g for g in groups if quota[org, g] > 0]
            g = min(options, key=lambda g: (_crowding(counts, i, g), g))
            quota[org, g] -= 1
            where[i] = g
            counts.add(i, g)


def _crowding(counts: _Counts, i: int, g: int) -> tuple[int, int, int]:
    """How far above fair share person i's gender and country would be in group g."""
    over = 0
    load = 0
    for a in (1, 2):
        value = counts.of[a][i]
        if value >= 0:
            over += counts.excess(a, value, g, extra=1)
            load += counts.count[a][g, value]
    return over, load, counts.sizes[g]


def _swap(counts: _Counts, where: list[int], i: int, j: int) -> None:
    """Exchange the groups of people ``i`` and ``j``, keeping ``counts`` current."""
    gi, gj = where[i], where[j]
    counts.add(i, gi, -1)
    counts.add(j, gj, -1)
    where[i], where[j] = gj, gi
    counts.add(i, gj)
    counts.add(j, gi)


def _diversity_delta(counts: _Counts, i: int, j: int, gi: int, gj: int) -> int:
    """Change in gender + country excess if i (in gi) and j (in gj) swap groups."""
    return _delta(counts, (1, 2), i, j, gi, gj)


def _improve(prep: Prepared, movers: list[int], counts: _Counts, where: dict[int, int],
             clock: Clock) -> None:
    """Swap people of the same sector and organisation while diversity improves."""
    buckets: dict[tuple[int, int], list[int]] = defaultdict(list)
    for i in movers:
        # people of one organisation, or of none counted (alone in theirs), are
        # interchangeable for the organisation stage
        buckets[prep.sector_of[i], prep.org_of[i]].append(i)
    improved = True
    passes = 0
    tried = 0
    while improved and passes < SPREAD_PASSES:
        if clock.working_left() <= 0:
            clock.cut("the gender and country swaps")
            return
        passes += 1
        improved = False
        for people in buckets.values():
            if len(people) < 2:
                continue
            for x in range(len(people)):
                tried += len(people) - x
                if tried > 20_000:  # look at the clock now and then, not per pair
                    tried = 0
                    if clock.working_left() <= 0:
                        clock.cut("the gender and country swaps")
                        return
                for y in range(x + 1, len(people)):
                    i, j = people[x], people[y]
                    gi, gj = where[i], where[j]
                    if gi == gj or _diversity_delta(counts, i, j, gi, gj) >= 0:
                        continue
                    _swap(counts, where, i, j)
                    improved = True


def _delta(counts: _Counts, attrs: tuple[int, ...], i: int, j: int, gi: int, gj: int) -> int:
    """Change in the excess of ``attrs`` (0 organisation, 1 gender, 2 country) if i (in gi)
    and j (in gj) swap groups.

    One person of a value leaving a group lowers its excess by one exactly when the group
    is above its cap, and one arriving raises it by one exactly when the group is at or
    above it: two lookups per move, where recomputing both excesses before and after cost
    four (the swaps were most of the spread stages' 3 s at 10,000 people).
    """
    delta = 0
    caps = counts._caps
    for a in attrs:
        of = counts.of[a]
        vi, vj = of[i], of[j]
        if vi == vj:
            continue
        count = counts.count[a]
        for value, g_from, g_to in ((vi, gi, gj), (vj, gj, gi)):
            if value < 0:
                continue
            cap_to = caps.get((a, value, g_to))
            if cap_to is None:
                cap_to = counts.cap(a, value, g_to)
            cap_from = caps.get((a, value, g_from))
            if cap_from is None:
                cap_from = counts.cap(a, value, g_from)
            delta += (count[g_to, value] >= cap_to) - (count[g_from, value] > cap_from)
    return delta


def swap_within_classes(prep: Prepared, where: list[int], classes: list[list[int]],
                        clock: Clock) -> list[int]:
    """``where`` improved by swapping interchangeable people between groups.

    People of one class (same role, sector, ranks and previous group) are alike for every
    stage before the spread, so swapping two of them keeps balance, moves, evenness and
    every rank; a swap is made when it lowers the organisation excess, or keeps it and
    lowers the gender and country excess. Passes over every pair until none improves,
    at most ``SPREAD_PASSES`` of them and ``CLASS_SWAP_PAIRS`` pairs in all (a count of
    work, so the answer does not depend on the machine); the clock only stops them near
    the time limit, and says so.
    """
    where = list(where)
    counts = _Counts(prep, Counter(where))
    for i, g in enumerate(where):
        counts.add(i, g)
    budget = CLASS_SWAP_PAIRS
    for _ in range(SPREAD_PASSES):
        improved = False
        for people in classes:
            for x in range(len(people)):
                budget -= len(people) - x - 1
                if budget < 0:
                    return where
                if x % 64 == 0 and clock.working_left() <= 0:
                    clock.cut("the gender and country swaps")
                    return where
                i = people[x]
                for y in range(x + 1, len(people)):
                    j = people[y]
                    gi, gj = where[i], where[j]
                    if gi == gj:
                        continue
                    org = _delta(counts, (0,), i, j, gi, gj)
                    if org > 0 or (org == 0 and _delta(counts, (1, 2), i, j, gi, gj) >= 0):
                        continue
                    _swap(counts, where, i, j)
                    improved = True
        if not improved:
            break
    return where
