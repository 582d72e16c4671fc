"""Who is placed when the seats are too few (``overflow: "waitlist"``), and who waits.

A selection before the engine: it decides *who* is placed; the unchanged engine then
places those people (:func:`placed_problem` is the problem it solves). Seats are counted
per theme, where people without a rule are interchangeable across a theme's groups, so a
set of people fits when they can be given seats in themes open to them (not vetoed);
that is a transversal matroid, and adding people greedily in priority order gives the
lexicographic maximum: as many as possible of the highest priority, then of the next...

1. Facilitators first: as many as the rooms hold with every group its
   ``floor(F/G)``/``ceil(F/G)`` share, by priority then id; a small min-cost flow puts
   them in groups (their vetoes and pins kept), which fixes the seats left for others.
2. Pinned people, with their together partners, by priority: in the pinned group while
   it has seats for all of them.
3. Everyone else, tier by tier of equal priority (highest first). A together unit needs
   its seats in *one* group of a theme all of them can take, with the people already
   chosen still fitting (they are moved between themes along augmenting paths), of such
   groups the one that leaves most seats to the tier's singles (a min cut over sets of
   themes, up to ten themes), then the cheapest; it is placed at the higher priority of
   its people, before the tier's singles. Units make the set system no matroid any
   more, so this part is a heuristic (brute force agrees on tiny problems). A tier of
   one single is placed along an augmenting path (directly when a theme open to them
   has a free seat); a larger tier is one min-cost flow that places as many as possible,
   then at the least preference cost (a theme they did not list costs more than any they
   listed): the issue's "ties broken deterministically by preference cost". People of
   one class (same open themes and costs) are taken by id.

The waiting list is ordered by priority (a unit's: its highest), then id. Everything is
counted, never timed, so the same problem gives the same selection. Apart pairs need
nothing here; minimum sizes, sector balance and even rooms are the engine's, among the
people placed; if it still finds the placed people infeasible, it says why as always.
Known limit: a facilitator with a together partner is seated by the facilitator flow
without seeing the partner's seat, so the best set can be missed there.
"""

from __future__ import annotations

from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

from allocator.solver.prepare import UNLISTED, VETOED, Prepared
from allocator.solver.problem import Problem
from allocator.solver.rules import HALL_ALL_THEMES

# a person as the seat count sees them: their open themes, and their cost in each theme
Kind = tuple[frozenset[int], tuple[int, ...]]


def _order(kind: Kind) -> tuple[list[int], tuple[int, ...]]:
    return sorted(kind[0]), kind[1]


@dataclass
class Selection:
    """Who is placed (person indices) and the waiting list, in order, as JSON entries."""

    placed: list[int]
    unplaced: list[dict[str, Any]] = field(default_factory=list)


def _flow() -> Any:
    from ortools.graph.python import min_cost_flow

    return min_cost_flow.SimpleMinCostFlow()


def _names(items: list[str]) -> str:
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


SEATS_WORDS = {1: "a seat", 2: "two seats", 3: "three seats", 4: "four seats"}


class _Seats:
    """Seats per theme for people without a fixed group, and who of them is where.

    ``at[t]`` counts the chosen people in theme t by their *kind*: their open themes and
    their cost in each theme; ``opens[t]`` the same by open themes alone, which is all
    an augmenting path needs. Moving one along a path keeps everyone in a theme open to
    them; of the people a step could move, the one it costs least is moved.
    """

    def __init__(self, room: list[int]) -> None:
        self.room = room  # per theme: seats for people without a fixed group
        self.used = [0] * len(room)
        self.at: list[Counter] = [Counter() for _ in room]
        self.opens: list[Counter] = [Counter() for _ in room]
        self.reach: list[frozenset[int]] = [frozenset() for _ in room]

    def free(self, t: int) -> int:
        """Seats of theme t nobody has taken."""
        return self.room[t] - self.used[t]

    def put(self, t: int, kind: Kind, n: int = 1) -> None:
        """Count ``n`` more (or fewer) people of ``kind`` in theme t."""
        self.at[t][kind] += n
        before = self.opens[t][kind[0]]
        self.opens[t][kind[0]] += n
        self.used[t] += n
        if before <= 0 < before + n:
            self.reach[t] |= kind[0]
        elif before > 0 >= before + n:
            self._reached(t)

    def _reached(self, t: int) -> None:
        """Recompute the themes people in theme t could move to."""
        self.reach[t] = frozenset().union(*(o for o, n in self.opens[t].items() if n > 0))

    def _path(self, starts: list[int]) -> list[int] | None:
        """A theme with a free seat reachable from ``starts`` by moving chosen people
        between themes open to them: the themes of the path, start first."""
        parent: dict[int, int | None] = {}
        queue: deque[int] = deque()
        for t in starts:
            if t not in parent:
                parent[t] = None
                queue.append(t)
        while queue:
            t = queue.popleft()
            if self.free(t) > 0:
                path = [t]
                while (step := parent[path[-1]]) is not None:
                    path.append(step)
                path.reverse()
                return path
            for u in sorted(self.reach[t]):
                if u not in parent:
                    parent[u] = t
                    queue.append(u)
        return None

    def _move(self, t: int, u: int) -> None:
        """Move one person from theme t to theme u (open to them): the one whose cost
        grows least (then by kind)."""
        kind = min((k for k, n in self.at[t].items() if n > 0 and u in k[0]),
                   key=lambda k: (k[1][u] - k[1][t], _order(k)))
        self.put(t, kind, -1)
        self.put(u, kind)

    def _shift(self, path: list[int]) -> int:
        """Move one person along each step of ``path``, from the end backwards; the
        start theme has a free seat then (returned)."""
        for t, u in reversed(list(zip(path, path[1:], strict=False))):
            self._move(t, u)
        return path[0]

    def add(self, kind: Kind) -> bool:
        """Seat one person of ``kind`` if the chosen people can make room; cheapest free
        theme first, else along the shortest augmenting path."""
        if sum(self.room) <= sum(self.used):
            return False  # every seat taken: no path can help
        costs = kind[1]
        free = [t for t in sorted(kind[0]) if self.free(t) > 0]
        if free:
            t = min(free, key=lambda t: (costs[t], t))
        else:
            path = self._path(sorted(kind[0], key=lambda t: (costs[t], t)))
            if path is None:
                return False
            t = self._shift(path)
        self.put(t, kind)
        return True

    def take(self, t: int, seats: int) -> bool:
        """Take ``seats`` seats of theme t for a fixed group, moving chosen people out
        of t if need be; False (nothing changed but moves) when that cannot be done."""
        while self.free(t) < seats:
            if not self._move_out(t):
                return False
        self.room[t] -= seats
        return True

    def _move_out(self, t: int) -> bool:
        """Move one chosen person out of theme t along an augmenting path, if any."""
        saved = self.room[t]
        self.room[t] = self.used[t]  # t itself has no free seat for the search
        try:
            for opens in sorted((o for o, n in self.opens[t].items() if n > 0), key=sorted):
                path = self._path([u for u in sorted(opens) if u != t])
                if path is None:
                    continue
                start = self._shift(path)
                self._move(t, start)
                return True
            return False
        finally:
            self.room[t] = saved


def select(prep: Prepared) -> Selection:
    """Decide who is placed and who waits (see the module docstring)."""
    problem = prep.problem
    people, groups = problem.people, problem.groups
    n_groups, n_themes = len(groups), len(prep.themes)
    room = [g.capacity for g in groups]
    placed: set[int] = set()
    reasons: dict[int, list[dict[str, Any]]] = {}
    opens: dict[tuple[int, ...], frozenset[int]] = {}
    for m in set(prep.marks):
        opens[m] = frozenset(t for t in range(n_themes) if m[t] != VETOED)
    open_kind = [opens[m] for m in prep.marks]
    together = [u for u in prep.units if len(u) > 1]  # (apart rules make units of one)
    unit_of = {i: n for n, members in enumerate(together) for i in members}
    priority = [p.priority for p in people]
    for members in together:
        top = max(priority[i] for i in members)
        for i in members:
            priority[i] = top

    def cost(i: int, t: int) -> int:
        # listed themes by rank; one not listed after every listed theme of anyone
        return prep.ranks[i][t] + (n_themes + 1 if prep.marks[i][t] == UNLISTED else 0)

    seen_kinds: dict[tuple, Kind] = {}
    kinds = []
    for i in range(prep.n_people):
        key = (prep.ranks[i], prep.marks[i])
        if key not in seen_kinds:
            seen_kinds[key] = (open_kind[i], tuple(cost(i, t) for t in range(n_themes)))
        kinds.append(seen_kinds[key])
    kind_of = kinds.__getitem__

    # someone who vetoes every theme waits, whatever else (pins, pairs, role) they have
    for i in range(prep.n_people):
        if not open_kind[i]:
            reasons[i] = [_no_seat(prep, i)]
            for j in together[unit_of[i]] if i in unit_of else []:
                if j != i and open_kind[j]:
                    reasons[j] = [_together(prep, j, together[unit_of[i]], waiting=True)]
    # 1. facilitators
    fixed_group: dict[int, int] = {}
    facilitators = sorted((i for i in range(prep.n_people)
                           if prep.sector_of[i] < 0 and i not in reasons),
                          key=lambda i: (-priority[i], i))
    if len(facilitators) >= n_groups:
        count = len(facilitators)
        while count > n_groups and not _facilitators_fit(count, room):
            count -= 1
        chosen = facilitators[:count] if _facilitators_fit(count, room) else []
        # seats pinned people need (they come next) are the facilitators' last resort
        pinned_need = Counter(prep.pin[j] for j in range(prep.n_people)
                              if prep.pin[j] is not None and prep.sector_of[j] >= 0
                              and j not in reasons)
        spare = [max(0, room[g] - pinned_need[g]) for g in range(n_groups)]
        fac_units = {i: together[unit_of[i]] for i in chosen if i in unit_of}
        split = None
        if _facilitators_fit(len(chosen), spare):
            split = _facilitator_groups(prep, chosen, spare, fac_units, strict=True)
        for i, g in (split or _facilitator_groups(prep, chosen, room, fac_units) or {}).items():
            fixed_group[i] = g
            room[g] -= 1
            placed.add(i)
        for i in facilitators:
            if i not in placed:
                reasons[i] = [_no_seat(prep, i)]
    # (none, or fewer than groups: then they are placed like everyone else, and the
    # engine says that the facilitators are too few, as without a waiting list)
    def seat(need: list[int], anchor: int) -> bool:
        """Give ``need`` seats in group ``anchor`` if it has them all; say whether it did."""
        if room[anchor] < len(need):
            return False
        room[anchor] -= len(need)
        placed.update(need)
        fixed_group.update({i: anchor for i in need})
        return True

    # units with a facilitator chosen in step 1 go with them; with one left out, wait
    for members in together:
        need = [i for i in members if i not in placed and i not in reasons]
        if not need:
            continue
        if any(i in reasons for i in members):
            for i in need:
                reasons[i] = [_together(prep, i, members, waiting=True)]
            continue
        anchor = next((fixed_group[i] for i in members if i in fixed_group), None)
        if anchor is None:
            continue
        if not seat(need, anchor):
            for i in need:
                reasons[i] = [_together(prep, i, members, waiting=False)]
    # 2. pinned people and their together partners
    pinned_units: list[list[int]] = []
    seen: set[int] = set()
    for i in range(prep.n_people):
        if prep.pin[i] is None or i in seen:
            continue
        members = together[unit_of[i]] if i in unit_of else [i]
        seen.update(members)
        pinned_units.append(members)
    for members in sorted(pinned_units, key=lambda m: (-priority[m[0]], m[0])):
        pins = [i for i in members if prep.pin[i] is not None]
        g = prep.pin[pins[0]]
        assert g is not None
        anchor = next((fixed_group[i] for i in members if i in fixed_group), g)
        need = [i for i in members if i not in placed and i not in reasons]
        if any(i in reasons for i in members):  # a facilitator of it had no seat
            for i in need:
                reasons[i] = [_together(prep, i, members, waiting=True)]
            continue
        if not seat(need, anchor):
            for i in need:
                reasons[i] = [_pin(prep, i, g, len(need)) if prep.pin[i] is not None
                              else _together(prep, i, members, waiting=True,
                                             pinned=pins[0])]
    # 3. everyone else, tier by tier
    theme_room = [0] * n_themes
    for g in range(n_groups):
        theme_room[prep.group_theme[g]] += room[g]
    seats = _Seats(theme_room)
    left = [i for i in range(prep.n_people) if i not in placed and i not in reasons]
    tiers: dict[int, list[int]] = defaultdict(list)
    for i in left:
        tiers[priority[i]].append(i)
    for level in sorted(tiers, reverse=True):
        tier = tiers[level]
        units = sorted({unit_of[i] for i in tier if i in unit_of})
        singles = [i for i in tier if i not in unit_of]
        rivals = Counter(kind_of(i) for i in singles) if units else Counter()
        for u in units:
            members = together[u]
            if _place_unit(prep, members, room, seats, cost, rivals):
                placed.update(members)
            else:
                for i in members:
                    reasons[i] = [_together(prep, i, members, waiting=False)]
        if len(singles) == 1:
            i = singles[0]
            if seats.add(kind_of(i)):
                placed.add(i)
            else:
                reasons[i] = [_no_seat(prep, i)]
        elif singles:
            chosen = _tier_flow(singles, seats, kind_of)
            for i in singles:
                if i in chosen:
                    placed.add(i)
                else:
                    reasons[i] = [_no_seat(prep, i)]
    # a together unit is placed whole or not at all (a facilitator of it placed in step
    # 1 whose partners found no seat waits with them)
    for members in together:
        if any(i in placed for i in members) and not all(i in placed for i in members):
            for i in members:
                if i in placed:
                    placed.discard(i)
                    reasons[i] = [_together(prep, i, members, waiting=True)]
    order = sorted(reasons, key=lambda i: (-priority[i], i))
    unplaced = [{"id": people[i].id, "position": n, "reasons": reasons[i]}
                for n, i in enumerate(order, start=1)]
    return Selection(sorted(placed), unplaced)


def _facilitators_fit(count: int, room: list[int]) -> bool:
    """Whether ``count`` facilitators fit with every group its floor/ceil share."""
    n = len(room)
    lo, hi = count // n, -(-count // n)
    return all(r >= lo for r in room) and sum(min(r, hi) for r in room) >= count


def _facilitator_groups(prep: Prepared, chosen: list[int], room: list[int],
                        units: dict[int, list[int]],
                        strict: bool = False) -> dict[int, int] | None:
    """The chosen facilitators in groups, each its floor/ceil share, vetoes and pins kept
    where a min-cost flow manages (else by room alone, for the engine to find what
    clashes; with ``strict``, None)."""
    n = len(room)
    if not chosen:
        return {}
    lo, hi = len(chosen) // n, -(-len(chosen) // n)
    flow = _flow()
    sink = len(chosen) + n
    most = max(room)
    big = (len(prep.themes) + 2) * (most + 1) * (len(chosen) + 1)
    arcs = []
    for k, i in enumerate(chosen):
        flow.set_node_supply(k, 1)
        # with together partners: a group with seats for all of them that all can take,
        # and the one a partner is pinned to, if any
        members = units.get(i, [i])
        pins = {prep.pin[j] for j in members if prep.pin[j] is not None}
        options = sorted(pins) if pins else range(n)
        for g in options:
            if all(prep.open_to(j, g) for j in members) and room[g] >= len(
                    [j for j in members if j == i or prep.sector_of[j] >= 0]):
                # by rank, then where the most seats are left for everyone else
                cost = prep.ranks[i][prep.group_theme[g]] * (most + 1) + most - room[g]
                arcs.append((flow.add_arc_with_capacity_and_unit_cost(
                    k, len(chosen) + g, 1, cost), i, g))
    for g in range(n):
        low, high = min(lo, room[g]), min(hi, room[g])
        if low:
            flow.add_arc_with_capacity_and_unit_cost(len(chosen) + g, sink, low, -big)
        if high > low:
            flow.add_arc_with_capacity_and_unit_cost(len(chosen) + g, sink, high - low, 0)
    flow.set_node_supply(sink, -len(chosen))
    if flow.solve() == flow.OPTIMAL:
        where = {i: g for arc, i, g in arcs if flow.flow(arc)}
        counts = Counter(where.values())
        if all(counts[g] >= lo for g in range(n)):
            return where
    if strict:
        return None
    # vetoes or pins leave no such split: seats by room alone (the engine names the clash)
    where = {}
    left = list(room)
    for i in chosen:
        g = max(range(n), key=lambda g: (left[g], -g))
        where[i] = g
        left[g] -= 1
    return where


def _place_unit(prep: Prepared, members: list[int], room: list[int], seats: _Seats,
                cost: Any, rivals: Counter) -> bool:
    """A together unit in one group with seats for all of them, of a theme all of them
    can take, the people already chosen still seated. Of such groups, the one that leaves
    the most seats usable by ``rivals`` (the singles of the same priority, by open themes)
    first, then the cheapest."""
    options = []
    seated = _seatable(seats, rivals)
    for g in range(len(room)):
        if room[g] < len(members) or not all(prep.open_to(i, g) for i in members):
            continue
        t = prep.group_theme[g]
        left = seated(t, len(members)) if seated else 0
        options.append((-left, sum(cost(i, t) for i in members), g))
    for _, _, g in sorted(options):
        # a failed take leaves everyone seated (it only moves people between themes)
        if seats.take(prep.group_theme[g], len(members)):
            room[g] -= len(members)
            return True
    return False


def _seatable(seats: _Seats, rivals: Counter) -> Any:
    """With few themes, a function (theme, seats taken there) -> how many of the chosen
    people and ``rivals`` could be seated then: the max flow, as the min cut
    ``min over theme sets A of seats(A) + people with an open theme outside A``. None
    with many themes (then units go where they are cheapest)."""
    import numpy as np

    n = len(seats.room)
    if n > HALL_ALL_THEMES or not rivals:
        return None
    masks = np.arange(1 << n)
    caps = np.zeros(1 << n, dtype=np.int64)
    for t in range(n):
        caps += np.where(masks & (1 << t), max(0, seats.room[t]), 0)
    kinds: Counter = Counter(rivals)
    for t in range(n):
        for kind, k in seats.at[t].items():
            kinds[kind] += k
    base = caps.copy()
    for kind, k in kinds.items():
        bits = sum(1 << t for t in kind[0])
        base += np.where(bits & ~masks, k, 0)
    without = [int(base[(masks & (1 << t)) == 0].min()) for t in range(n)]
    within = [int(base[(masks & (1 << t)) != 0].min()) for t in range(n)]
    return lambda t, taken: min(without[t], within[t] - taken)


def _tier_flow(singles: list[int], seats: _Seats, kind_of: Any) -> set[int]:
    """One tier of equal priority: as many of ``singles`` as fit with everyone chosen
    before still seated, then at the least preference cost of everyone (the chosen before
    may move to other themes open to them); ``seats`` updated."""
    n_themes = len(seats.room)
    before: Counter = Counter()  # chosen before, by kind, wherever they are now
    for t in range(n_themes):
        for kind, n in seats.at[t].items():
            if n > 0:
                before[kind] += n
    classes: dict[Kind, list[int]] = defaultdict(list)
    for i in singles:
        classes[kind_of(i)].append(i)
    keys = sorted(classes, key=lambda k: classes[k][0])
    kinds = sorted(before, key=_order)
    flow = _flow()
    hubs = sorted({k[0] for k in list(keys) + kinds}, key=sorted)
    hub0 = len(kinds) + len(keys)
    theme0 = hub0 + len(hubs)
    sink = theme0 + n_themes
    top = max((c for key in list(keys) + kinds for c in key[1]), default=1)
    # placing one more beats any saving of cost along the path that makes room for them
    skip = (top + 1) * (n_themes + 1) + 1
    total = 0
    direct = []  # (arc, kind, theme, newly chosen)
    via: dict[frozenset[int], list] = defaultdict(list)  # hub -> [(arc, kind, new)]

    def options(node: int, kind: Kind, size: int, new: bool) -> None:
        # a person's listed themes directly; every other theme open to them costs the
        # same (after all they listed), so they go through one hub per set of open themes
        other = max(kind[1][t] for t in kind[0])
        for t in sorted(kind[0]):
            if kind[1][t] < other:
                direct.append((flow.add_arc_with_capacity_and_unit_cost(
                    node, theme0 + t, size, kind[1][t]), kind, t, new))
        hub = hub0 + hubs.index(kind[0])
        via[kind[0]].append((flow.add_arc_with_capacity_and_unit_cost(
            node, hub, size, other), kind, new))

    for node, kind in enumerate(kinds):
        flow.set_node_supply(node, before[kind])
        total += before[kind]
        options(node, kind, before[kind], False)
    for c, key in enumerate(keys):
        node = len(kinds) + c
        size = len(classes[key])
        flow.set_node_supply(node, size)
        total += size
        options(node, key, size, True)
        flow.add_arc_with_capacity_and_unit_cost(node, sink, size, skip)
    out_of_hub: dict[frozenset[int], list] = defaultdict(list)
    for h, opens in enumerate(hubs):
        for t in sorted(opens):
            out_of_hub[opens].append((flow.add_arc_with_capacity_and_unit_cost(
                hub0 + h, theme0 + t, total, 0), t))
    for t in range(n_themes):
        flow.add_arc_with_capacity_and_unit_cost(theme0 + t, sink, max(0, seats.room[t]), 0)
    flow.set_node_supply(sink, -total)
    if flow.solve() != flow.OPTIMAL:
        raise RuntimeError("the waiting-list flow has no solution")
    at: list[Counter] = [Counter() for _ in range(n_themes)]
    used = [0] * n_themes
    taken: Counter = Counter()

    def count(kind: Kind, t: int, n: int, new: bool) -> None:
        at[t][kind] += n
        used[t] += n
        if new:
            taken[kind] += n

    for arc, kind, t, new in direct:
        n = flow.flow(arc)
        if n:
            count(kind, t, n, new)
    for opens, inflows in via.items():
        # who came through the hub goes to the themes it sent people to, in order
        outs = [[t, flow.flow(arc)] for arc, t in out_of_hub[opens]]
        for arc, kind, new in inflows:
            n = flow.flow(arc)
            for out in outs:
                if not n:
                    break
                step = min(n, out[1])
                if step:
                    count(kind, out[0], step, new)
                    out[1] -= step
                    n -= step
    chosen: set[int] = set()
    for key, n in taken.items():
        chosen.update(classes[key][:n])  # within a class, by id
    seats.at, seats.used = at, used
    seats.opens = [Counter() for _ in range(n_themes)]
    for t in range(n_themes):
        for kind, n in at[t].items():
            seats.opens[t][kind[0]] += n
        seats._reached(t)
    return chosen


def _themes_open(prep: Prepared, i: int) -> list[str]:
    return [t for n, t in enumerate(prep.themes) if prep.marks[i][n] != VETOED]


def _no_seat(prep: Prepared, i: int) -> dict[str, Any]:
    themes = _themes_open(prep, i)
    vetoes = list(prep.problem.people[i].vetoes)
    if themes:
        message = f"no seat left in any theme they can take ({', '.join(themes)})"
    else:
        message = f"they cannot take part in any theme (they veto {_names(vetoes)})"
    return {"rule": "no_seat", "message": message, "themes": themes, "vetoes": vetoes}


def _pin(prep: Prepared, i: int, g: int, need: int) -> dict[str, Any]:
    group = prep.problem.groups[g]
    seats = SEATS_WORDS.get(need, f"{need} seats")
    left = "has no seat left" if need == 1 else f"had not {seats} left for them and the " \
        "people who must be with them"
    return {"rule": "pin", "message": f"pinned to {group.label}, which {left}",
            "groups": [group.id]}


def _together(prep: Prepared, i: int, members: list[int], *, waiting: bool,
              pinned: int | None = None) -> dict[str, Any]:
    people = prep.problem.people
    partners = [people[j].id for j in members if j != i]
    if pinned is not None:
        group = prep.problem.groups[prep.pin[pinned]]  # type: ignore[index]
        why = (f"who {'is' if len(partners) == 1 else 'are'} not placed: "
               f"{people[pinned].id} is pinned to {group.label}, which had no room for them")
        message = f"must be in the same group as {_names(partners)}, {why}"
    elif waiting:
        message = f"must be in the same group as {_names(partners)}, who " \
            f"{'is' if len(partners) == 1 else 'are'} not placed"
    else:
        seats = SEATS_WORDS.get(len(members), f"{len(members)} seats")
        message = (f"must be in the same group as {_names(partners)}, and no group had "
                   f"{seats} left")
    return {"rule": "together", "message": message, "people": partners}


def placed_problem(problem: Problem, ids: set[str]) -> Problem:
    """The problem the engine solves for the people placed: only they, and only the pins,
    pairs and previous groups that name them alone (``overflow`` back to "refuse")."""
    from dataclasses import replace

    return replace(
        problem,
        people=tuple(p for p in problem.people if p.id in ids),
        pins={p: g for p, g in problem.pins.items() if p in ids},
        apart=tuple(pair for pair in problem.apart if pair[0] in ids and pair[1] in ids),
        together=tuple(pair for pair in problem.together
                       if pair[0] in ids and pair[1] in ids),
        previous={p: g for p, g in problem.previous.items() if p in ids},
        overflow="refuse",
    )
