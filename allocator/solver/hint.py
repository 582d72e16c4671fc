"""An allocation with balance 0 by one min-cost flow, so that the balance stage needs no MIP.

Where the first answer leaves sector-band cells outside (the 240-person ``rules``
benchmark: 2), the balance stage was one HiGHS MIP (867 variables, 674 simplex iterations,
0.18-0.5 s); but zero is a bound, so any allocation with balance 0 that keeps every hard
rule proves the stage without a solve (docs/benchmarks.md, issue 28, "Pace, second pass").

The flow keeps everything the later stages hold apart from who sits where: every group's
size and number of facilitators as in the incumbent (so evenness, capacities, minimum
sizes and the facilitator rule are kept), pinned people and rule units where the caller
placed them (so pins, together and apart rules are kept), and it puts every sector's count
in every group within its band. It moves the other people, who differ only by sector and
wishes, at the cost ``weight·unlisted + rank`` (a good start for the preference stages),
within ``level`` and their vetoes. Where no such flow exists there is no hint, and the
stage is solved as before; nothing is refuted by a missing flow.
"""

from __future__ import annotations

from collections import defaultdict

from allocator.solver.prepare import UNLISTED, Prepared


def band(prep: Prepared, s: int, participants: int) -> tuple[int, int]:
    """The fewest and most people of sector ``s`` a group of ``participants`` may hold
    with no balance excess: |N·x - N_s·n| <= N - 1 (the count model's band)."""
    n_all, share = prep.n_participants, prep.sector_total[s]
    low = -(-(share * participants - n_all + 1) // n_all)
    high = (share * participants + n_all - 1) // n_all
    return max(0, low), high


def flow_allocation(prep: Prepared, sizes: dict[int, int], facilitators: dict[int, int],
                    placed: dict[int, int], movable: list[int], level: int,
                    weight: int) -> dict[int, int] | None:
    """Groups for ``movable`` people: the sizes and facilitator counts given, ``placed``
    people where they are, every sector within its band, ranks within ``level``; the least
    ``weight·unlisted + rank`` (None where no allocation keeps all that)."""
    from ortools.graph.python import min_cost_flow

    kind_of = prep.sector_of  # a sector, or -1 for a facilitator
    fixed_count: dict[tuple[int, int], int] = defaultdict(int)
    fixed_in: dict[int, int] = defaultdict(int)
    for i, g in placed.items():
        fixed_count[g, kind_of[i]] += 1
        fixed_in[g] += 1
    # people who differ only by kind and wishes are one source
    sources: dict[tuple, list[int]] = defaultdict(list)
    for i in movable:
        sources[kind_of[i], tuple(prep.ranks[i]), tuple(prep.marks[i])].append(i)
    keys = sorted(sources)
    groups = sorted(sizes)
    flow = min_cost_flow.SimpleMinCostFlow()
    supply: dict[int, int] = defaultdict(int)
    slot: dict[tuple[int, int], int] = {}  # (group, kind) -> node
    n_nodes = len(keys)
    group_node = {g: n_nodes + m for m, g in enumerate(groups)}
    n_nodes += len(groups)
    kinds = sorted({k[0] for k in keys} | {kind_of[i] for i in placed})
    for g in groups:
        free = sizes[g] - fixed_in[g]
        if free < 0:
            return None
        supply[group_node[g]] -= free
        participants = sizes[g] - facilitators[g]
        for kind in kinds:
            if kind < 0:
                low = high = facilitators[g]
            else:
                low, high = band(prep, kind, participants)
            low -= fixed_count[g, kind]
            high -= fixed_count[g, kind]
            if high < 0:
                return None
            low = max(0, low)
            node = slot[g, kind] = n_nodes
            n_nodes += 1
            # a lower bound as supplies: ``low`` is sent for certain, the rest may be
            supply[node] -= low
            supply[group_node[g]] += low
            if high > low:
                flow.add_arc_with_capacity_and_unit_cost(node, group_node[g], high - low, 0)
    arcs: list[tuple[int, int, int]] = []  # (arc, source, group)
    theme_of = prep.group_theme
    for n, key in enumerate(keys):
        kind, ranks, marks = key
        supply[n] += len(sources[key])
        for g in groups:
            t = theme_of[g]
            if ranks[t] > level or not prep.open_to(sources[key][0], g):
                continue
            cost = ranks[t] + (weight if marks[t] == UNLISTED else 0)
            arcs.append((flow.add_arc_with_capacity_and_unit_cost(
                n, slot[g, kind], len(sources[key]), cost), n, g))
    for node in range(n_nodes):
        flow.set_node_supply(node, supply.get(node, 0))
    if flow.solve() != flow.OPTIMAL:
        return None
    out: dict[int, int] = {}
    left = {n: list(sources[key]) for n, key in enumerate(keys)}
    for arc, n, g in arcs:
        for _ in range(flow.flow(arc)):
            out[left[n].pop()] = g
    return out
