"""The first complete answer, in a fraction of the time limit: every hard rule kept.

1. The hard rules (:class:`~allocator.solver.rules.RuleModel`, CP-SAT) place everyone a pin
   or a pair names and decide how many other participants and facilitators each group
   gets, steered towards the themes people ask for (a min-cost flow of demand) and an
   even split of each theme over its groups.
2. With every group's size fixed, its sector band is fixed too, and the participants
   without rules go to groups by one min-cost flow: class → (theme, sector) → (group,
   sector) → group. Seats inside a band's floor earn a bonus and seats above its ceiling
   cost a penalty larger than any rank difference, so balance comes first, then (in a
   stable re-run) staying in one's announced group, then ranks. Facilitators follow by a
   second, smaller flow.
3. Each class's share of a (theme, sector) is dealt to groups person by person in a
   fixed order (organisations spread, ties by id), so the answer is reproducible.

The staged models of :mod:`allocator.solver.engine` then improve it while time allows;
when there is no time at all, this answer is what the caller gets.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from allocator.solver.assign import apportion
from allocator.solver.budget import RULES_DETERMINISTIC_S, Clock
from allocator.solver.countmodel import make_classes
from allocator.solver.evaluate import band
from allocator.solver.prepare import Prepared
from allocator.solver.rules import Placement, UnitModel, hall_holds

# Seat costs of a proportional fill (``_spread_counts``): a full room costs this much.
FILL_SCALE = 10_000


def _flow():
    from ortools.graph.python import min_cost_flow

    return min_cost_flow.SimpleMinCostFlow()


def theme_demand(prep: Prepared, people: list[int], room: list[int]) -> list[int]:
    """How many of ``people`` each theme would take if only ranks and room mattered."""
    flow = _flow()
    classes = make_classes(prep, people, False, ranks_matter=True)
    n_themes = len(prep.themes)
    sink = len(classes) + n_themes
    arcs = []
    for k, klass in enumerate(classes):
        flow.set_node_supply(k, klass.size)
        for t in range(n_themes):
            if klass.open(t):
                arcs.append((flow.add_arc_with_capacity_and_unit_cost(
                    k, len(classes) + t, klass.size, klass.ranks[t]), t))
        if not any(klass.open(t) for t in range(n_themes)):  # vetoes every theme
            flow.add_arc_with_capacity_and_unit_cost(k, sink, klass.size, 0)
    for t in range(n_themes):
        flow.add_arc_with_capacity_and_unit_cost(len(classes) + t, sink, max(0, room[t]), 0)
    # room left over is not enough for everyone: an overflow arc keeps the flow feasible
    for t in range(n_themes):
        flow.add_arc_with_capacity_and_unit_cost(len(classes) + t, sink, len(people), 1000)
    flow.set_node_supply(sink, -len(people))
    if flow.solve() != flow.OPTIMAL:
        raise RuntimeError("the demand flow has no solution")
    demand = [0] * n_themes
    for arc, t in arcs:
        demand[t] += flow.flow(arc)
    return demand


def plan_sizes(prep: Prepared, clock: Clock) -> Placement | None | str:
    """Step 1: the hard rules, solved with an objective that asks for a good shape."""
    rules = UnitModel(prep)
    if rules.impossible:
        return None
    groups = prep.problem.groups
    ruled = set(rules.fixed) | {i for u in rules.free_units for i in prep.units[u]}
    free_participants = [i for i in range(prep.n_people)
                         if i not in ruled and prep.sector_of[i] >= 0]
    seats = [0] * len(prep.themes)
    for g, group in enumerate(groups):
        seats[prep.group_theme[g]] += group.capacity - prep.fac_bounds[0]
    # each group near its share of its theme's demand (by capacity); stayers where they were
    stayers: dict[int, int] = defaultdict(int)
    for i in free_participants:
        if prep.previous[i] is not None:
            stayers[prep.previous[i]] += 1
    newcomers = [i for i in free_participants if prep.previous[i] is None]
    demand = theme_demand(prep, newcomers, seats)
    targets = {g: stayers[g] + round(demand[prep.group_theme[g]] * groups[g].capacity
                                     / sum(groups[h].capacity
                                           for h in prep.theme_groups[prep.group_theme[g]]))
               for g in range(len(groups))}
    quick = greedy_placement(prep, rules, targets)
    if quick is not None:
        return quick
    # the greedy way did not work out: the exact model decides, steered the same way
    rules.build()
    model = rules.model
    terms = []
    # people with rules where they rank best (and stay where they were announced)
    for (u, g), var in rules.x.items():
        cost = 0
        for i in prep.units[u]:
            cost += prep.ranks[i][prep.group_theme[g]]
            if prep.previous[i] is not None and prep.previous[i] != g:
                cost += len(prep.themes) + 1
        terms.append(cost * var)
    for g, target in targets.items():
        dev = model.new_int_var(0, prep.n_people, f"dev{g}")
        model.add(rules.a[g] - target <= dev)
        model.add(target - rules.a[g] <= dev)
        terms.append(4 * dev)
    model.minimize(sum(terms))
    return rules.place(clock, RULES_DETERMINISTIC_S)


def greedy_placement(prep: Prepared, rules: UnitModel,
                     targets: dict[int, int]) -> Placement | None:
    """Units one by one where their people rank best and no apart partner is, then the
    others' counts by a flow towards ``targets``; None when that does not work out (the
    CP-SAT model then decides). Linear in units × groups: quick at any size."""
    groups = prep.problem.groups
    n_groups = len(groups)
    lo_f, hi_f = prep.fac_bounds if prep.facilitator_rule() else (0, prep.n_people)
    where = dict(rules.fixed)
    size = [0] * n_groups
    fac = [0] * n_groups
    for i, g in where.items():
        size[g] += 1
        fac[g] += prep.sector_of[i] < 0
    partners: dict[int, set[int]] = defaultdict(set)
    for ua, ub in prep.apart_units:
        partners[ua].add(ub)
        partners[ub].add(ua)
    placed_unit: dict[int, int] = {prep.unit_of[i]: g for i, g in where.items()
                                   if i in prep.unit_of}
    order = sorted(rules.free_units, key=lambda u: (-len(partners[u]),
                                                     -len(prep.units[u]), u))
    ruled_sector: dict[tuple[int, int], int] = defaultdict(int)
    for i, g in where.items():
        if prep.sector_of[i] >= 0:
            ruled_sector[g, prep.sector_of[i]] += 1
    for u in order:
        members = prep.units[u]
        n_fac = sum(1 for i in members if prep.sector_of[i] < 0)
        unit_sectors = Counter(prep.sector_of[i] for i in members if prep.sector_of[i] >= 0)
        best = None
        for g in range(n_groups):
            if g in rules.barred[u] or any(placed_unit.get(v) == g for v in partners[u]):
                continue
            reserve = max(0, lo_f - fac[g] - n_fac)  # seats kept for facilitators
            if size[g] + len(members) + reserve > groups[g].capacity or fac[g] + n_fac > hi_f:
                continue
            cost = sum(prep.ranks[i][prep.group_theme[g]]
                       + (len(prep.themes) + 1 if prep.previous[i] not in (None, g) else 0)
                       for i in members)
            # then where their sectors stay within the band a full room allows (the
            # units are placed before anyone else, so nobody can even them out later)
            over = sum(max(0, ruled_sector[g, s] + k - band(
                prep.n_participants, prep.sector_total[s], groups[g].capacity)[1])
                for s, k in unit_sectors.items())
            key = (cost, over, size[g] / groups[g].capacity, g)
            if best is None or key < best[0]:
                best = (key, g)
        if best is None:
            return None
        g = best[1]
        placed_unit[u] = g
        for i in members:
            where[i] = g
        for sector, k in unit_sectors.items():
            ruled_sector[g, sector] += k
        size[g] += len(members)
        fac[g] += n_fac
    ruled = set(where)
    free = [i for i in range(prep.n_people) if i not in ruled]
    n_fac_free = sum(1 for i in free if prep.sector_of[i] < 0)
    n_part_free = len(free) - n_fac_free
    f_counts = _spread_counts(n_fac_free, [max(0, lo_f - fac[g]) for g in range(n_groups)],
                              [max(0, hi_f - fac[g]) for g in range(n_groups)],
                              [1] * n_groups)
    if f_counts is None:
        return None
    room = [groups[g].capacity - size[g] - f_counts[g] for g in range(n_groups)]
    need = [max(0, groups[g].min_size - size[g] - f_counts[g]) for g in range(n_groups)]
    a_counts = _spread_counts(n_part_free, need, room,
                              [max(0, targets[g] - size[g]) for g in range(n_groups)],
                              fill=([size[g] + f_counts[g] for g in range(n_groups)],
                                    [groups[g].capacity for g in range(n_groups)]))
    if a_counts is None:
        return None
    # the counts must leave the free people with vetoes seats in themes they take
    if not (hall_holds(prep, [i for i in free if prep.sector_of[i] >= 0], a_counts)
            and hall_holds(prep, [i for i in free if prep.sector_of[i] < 0], f_counts)):
        return None
    return Placement(where, a_counts, f_counts)


def _spread_counts(total: int, lows: list[int], highs: list[int], targets: list[int],
                   fill: tuple[list[int], list[int]] | None = None) -> list[int] | None:
    """``total`` split over groups within [low, high] each, as near ``targets`` as a flow
    gets (seats up to the target cost less than any beyond it); None if impossible.

    With ``fill`` (each group's people already there, its capacity) a seat costs more the
    fuller its room would be, so groups fill in proportion to their capacity: a theme's
    rooms come out even (stage 4 then has nothing to do: at 240 people with rules the
    first answer had rooms of 30, 14 and 28 of 30 each, and re-splitting cost 0.06 s).
    """
    if any(lo > hi for lo, hi in zip(lows, highs, strict=True)) or \
            not sum(lows) <= total <= sum(highs):
        return None
    flow = _flow()
    n = len(lows)
    sink = n + 1
    flow.set_node_supply(0, total)
    arcs = []
    scale = FILL_SCALE if fill else 0
    beyond = scale + 1  # any seat beyond a target costs more than every seat within one
    penalty = 2 * beyond + 1  # and a seat below a group's low less than any
    for g in range(n):
        node = g + 1
        extra = highs[g] - lows[g]
        free = max(0, min(extra, targets[g] - lows[g]))
        if lows[g]:
            arcs.append((flow.add_arc_with_capacity_and_unit_cost(0, node, lows[g], -penalty), g))
        if fill:
            there, capacity = fill[0][g] + lows[g], max(1, fill[1][g])
            for j in range(extra):
                cost = (there + j + 1) * scale // capacity + (beyond if j >= free else 0)
                arcs.append((flow.add_arc_with_capacity_and_unit_cost(0, node, 1, cost), g))
        else:
            if free:
                arcs.append((flow.add_arc_with_capacity_and_unit_cost(0, node, free, 0), g))
            if extra - free:
                arcs.append((flow.add_arc_with_capacity_and_unit_cost(0, node, extra - free,
                                                                      1), g))
        flow.add_arc_with_capacity_and_unit_cost(node, sink, highs[g], 0)
    flow.set_node_supply(sink, -total)
    if flow.solve() != flow.OPTIMAL:
        return None
    counts = [0] * n
    for arc, g in arcs:
        counts[g] += flow.flow(arc)
    if any(c < lo for c, lo in zip(counts, lows, strict=True)):
        return None
    return counts


def first_answer(prep: Prepared, placement: Placement,
                 max_rank: int | None = None) -> list[int] | None:
    """Steps 2 and 3: everyone without a rule placed around the rule people; group index
    per person index. With ``max_rank``, nobody without a rule gets a worse rank (None if
    the flow cannot manage that: a hint for the worst-rank stage, not an answer)."""
    where: dict[int, int] = dict(placement.where)
    groups = prep.problem.groups
    n_groups = len(groups)
    free = [i for i in range(prep.n_people) if i not in where]
    participants = [i for i in free if prep.sector_of[i] >= 0]
    facilitators = [i for i in free if prep.sector_of[i] < 0]
    # participants per group, and those the rules already placed, by sector
    fixed_sector: dict[tuple[int, int], int] = defaultdict(int)
    fixed_n = [0] * n_groups
    for i, g in placement.where.items():
        if prep.sector_of[i] >= 0:
            fixed_sector[g, prep.sector_of[i]] += 1
            fixed_n[g] += 1
    sizes = [fixed_n[g] + placement.participants[g] for g in range(n_groups)]
    if not _place_participants(prep, participants, sizes, placement.participants,
                               fixed_sector, where, max_rank):
        return None
    _place_facilitators(prep, facilitators, placement.facilitators, where)
    answer = [where[i] for i in range(prep.n_people)]
    if max_rank is not None and any(prep.ranks[i][prep.group_theme[answer[i]]] > max_rank
                                    for i in range(prep.n_people)):
        return None
    return answer


def _place_participants(prep: Prepared, people: list[int], sizes: list[int],
                        demand: list[int], fixed_sector: dict[tuple[int, int], int],
                        where: dict[int, int], max_rank: int | None = None) -> bool:
    if not people:
        return True
    classes = make_classes(prep, people, False, ranks_matter=True)
    n_themes, n_sectors, n_groups = len(prep.themes), len(prep.sectors), len(sizes)
    worst = max(max((r for t, r in enumerate(k.ranks) if k.open(t)), default=1)
                for k in classes)
    stay_bonus = worst + 1
    penalty = 3 * (worst + 1) + stay_bonus
    flow = _flow()
    # nodes: classes | (theme, sector) | (group, sector) | groups
    ts0 = len(classes)
    gs0 = ts0 + n_themes * n_sectors
    g0 = gs0 + n_groups * n_sectors
    by_theme: list[tuple[int, int, int]] = []  # (arc, class, theme-sector node)
    stays: list[tuple[int, int, int]] = []  # (arc, class, group)
    for k, klass in enumerate(classes):
        flow.set_node_supply(k, klass.size)
        s = klass.sector
        for t in range(n_themes):
            if not klass.open(t) or max_rank is not None and klass.ranks[t] > max_rank:
                continue
            node = ts0 + t * n_sectors + s
            by_theme.append((flow.add_arc_with_capacity_and_unit_cost(
                k, node, klass.size, klass.ranks[t] + stay_bonus), k, node))
        if klass.prev is not None and klass.open(prep.group_theme[klass.prev]) and (
                max_rank is None or klass.ranks[prep.group_theme[klass.prev]] <= max_rank):
            g = klass.prev
            stays.append((flow.add_arc_with_capacity_and_unit_cost(
                k, gs0 + g * n_sectors + s, klass.size, klass.ranks[prep.group_theme[g]]),
                k, g))
    to_group: list[tuple[int, int, int]] = []  # (arc, theme-sector node, group)
    for g in range(n_groups):
        t = prep.group_theme[g]
        for s in range(n_sectors):
            node = ts0 + t * n_sectors + s
            to_group.append((flow.add_arc_with_capacity_and_unit_cost(
                node, gs0 + g * n_sectors + s, len(people), 0), node, g))
            lo, hi = band(prep.n_participants, prep.sector_total[s], sizes[g])
            have = fixed_sector.get((g, s), 0)
            lo, hi = max(0, lo - have), max(0, hi - have)
            cell = gs0 + g * n_sectors + s
            if lo:
                flow.add_arc_with_capacity_and_unit_cost(cell, g0 + g, lo, -penalty)
            if hi > lo:
                flow.add_arc_with_capacity_and_unit_cost(cell, g0 + g, hi - lo, 0)
            flow.add_arc_with_capacity_and_unit_cost(cell, g0 + g, len(people), penalty)
    for g in range(n_groups):
        flow.set_node_supply(g0 + g, -demand[g])
    if flow.solve() != flow.OPTIMAL:
        if max_rank is not None:
            return False
        raise RuntimeError("the first-answer flow has no solution for a valid plan")
    # who stays; who goes to which (theme, sector); how many each group takes from there
    pools: dict[int, list[int]] = defaultdict(list)
    members = {k: list(klass.members) for k, klass in enumerate(classes)}
    for arc, k, g in stays:
        n = flow.flow(arc)
        if n:
            ranked = sorted(members[k], key=lambda i: (prep.ranks[i][prep.group_theme[g]], i))
            for i in ranked[:n]:
                where[i] = g
            members[k] = [i for i in members[k] if i not in set(ranked[:n])]
    for arc, k, node in by_theme:
        n = flow.flow(arc)
        if n:
            pools[node] += members[k][:n]
            members[k] = members[k][n:]
    quotas: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for arc, node, g in to_group:
        n = flow.flow(arc)
        if n:
            quotas[node].append((g, n))
    for node, people_here in pools.items():
        for g, chosen in apportion(prep, sorted(people_here), quotas[node]).items():
            for i in chosen:
                where[i] = g
    return True


def _place_facilitators(prep: Prepared, people: list[int], demand: list[int],
                        where: dict[int, int]) -> None:
    if not people:
        return
    ordered = sorted(people)
    flow = _flow()
    n_groups = len(demand)
    arcs = []
    for n, i in enumerate(ordered):
        flow.set_node_supply(n, 1)
        for g in range(n_groups):
            if not prep.open_to(i, g):
                continue
            cost = prep.ranks[i][prep.group_theme[g]]
            if prep.previous[i] is not None and prep.previous[i] != g:
                cost += len(prep.themes) + 1
            arcs.append((flow.add_arc_with_capacity_and_unit_cost(
                n, len(ordered) + g, 1, cost), i, g))
    for g in range(n_groups):
        flow.set_node_supply(len(ordered) + g, -demand[g])
    if flow.solve() != flow.OPTIMAL:
        raise RuntimeError("the facilitator flow has no solution for a valid plan")
    for arc, i, g in arcs:
        if flow.flow(arc):
            where[i] = g


def seats_allow(prep: Prepared, level: int) -> bool:
    """Whether the rooms could seat everyone with nobody worse off than ``level``.

    A relaxation of the worst-rank stage (rooms by theme, pins; no bands, sizes or pairs):
    when even this max-flow fails, the level is refuted without building or solving a
    model. When it passes, the model still decides.
    """
    flow = _flow()
    people = make_classes(prep, [i for i in range(prep.n_people) if prep.pin[i] is None],
                          False, level)
    n_themes = len(prep.themes)
    sink = len(people) + n_themes
    seats = [0] * n_themes
    for g, group in enumerate(prep.problem.groups):
        seats[prep.group_theme[g]] += group.capacity
    for i, g in enumerate(prep.pin):
        if g is not None:
            if prep.ranks[i][prep.group_theme[g]] > level or not prep.open_to(i, g):
                return False
            seats[prep.group_theme[g]] -= 1
    if any(s < 0 for s in seats):
        return False
    total = 0
    for k, klass in enumerate(people):
        flow.set_node_supply(k, klass.size)
        total += klass.size
        for t in range(n_themes):
            if klass.ranks[t] <= level and klass.open(t):
                flow.add_arc_with_capacity_and_unit_cost(k, len(people) + t, klass.size, 0)
    for t in range(n_themes):
        flow.add_arc_with_capacity_and_unit_cost(len(people) + t, sink, seats[t], 0)
    flow.set_node_supply(sink, -total)
    return flow.solve_max_flow_with_min_cost() == flow.OPTIMAL and flow.maximum_flow() == total
