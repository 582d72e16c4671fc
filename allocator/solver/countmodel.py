"""The count model: people who are interchangeable for a stage are one integer variable.

Two granularities share this code. The *coarse* model keys people by (role, sector,
ranks, previous group) and lets them choose a theme (its groups are interchangeable
for these stages); per-group sector counts are separate variables linked theme by
theme. The *fine* model adds organisation, gender and country to the key and chooses
groups directly, for the spread stages. People with pair rules are individual units.

A model is built once and serves every stage it can: each stage minimises one
expression with the earlier ones capped (:meth:`CountModel.cap`), worst-rank levels
are tried by changing variable bounds (:meth:`CountModel.limit_rank`), and any
allocation of people to groups can seed a solve (:meth:`CountModel.values_from`).
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from allocator.solver import lp
from allocator.solver.budget import (
    NODE_LIMIT,
    ROOT_S_PER_VARIABLE,
    SPREAD_DETERMINISTIC_S,
    Clock,
)
from allocator.solver.evaluate import ceil_div, fair_cap
from allocator.solver.lp import Lin, Mip
from allocator.solver.prepare import LISTED, UNLISTED, VETOED, Prepared

# HiGHS solves count models of more than the first and at most the second number of
# variables without its presolve (see ``solve``): measured, not derived.
PRESOLVE_OFF = (2_000, 20_000)


def backends_imported() -> bool:
    """True once this process has loaded the solvers (the first solve does)."""
    return lp.imported()


@dataclass
class Klass:
    """People who are interchangeable in the model (members sorted by id)."""

    members: list[int]
    sector: int  # -1: facilitators
    ranks: tuple[int, ...]
    prev: int | None
    attrs: tuple[int, int, int] = (-1, -1, -1)  # organisation, gender, country
    # per theme: LISTED, UNLISTED or VETOED (not an option: vetoed, or beyond a rank limit)
    marks: tuple[int, ...] = ()

    @property
    def size(self) -> int:
        """How many people the class holds."""
        return len(self.members)

    def open(self, t: int) -> bool:
        """Whether theme t is an option for the class (not vetoed, within the rank limit)."""
        return self.marks[t] != VETOED


def make_classes(prep: Prepared, people: list[int], fine: bool,
                 rank_limit: int | None = None, ranks_matter: bool = True) -> list[Klass]:
    """Group ``people`` (none pinned, none in a unit) into interchangeable classes.

    With ``rank_limit``, ranks beyond it are all alike (those themes are not options),
    so people who differ only there share a class. Without ``ranks_matter`` (the
    stability stage) only sector, previous group and vetoes count. Ranks alone cannot
    tell a listed last theme from an unlisted one (prefs [A, B] and [A, B, C] both rank
    C third), so the key holds each theme's mark too: listed, unlisted or not an option.
    """
    by_key: dict[tuple, list[int]] = defaultdict(list)
    indifferent = (1,) * len(prep.themes)
    for i in people:
        ranks = prep.ranks[i] if ranks_matter else indifferent
        marks = prep.marks[i]
        if not ranks_matter:
            marks = tuple(VETOED if m == VETOED else LISTED for m in marks)
        if rank_limit is not None:
            marks = tuple(VETOED if m == VETOED or r > rank_limit else m
                          for r, m in zip(ranks, marks, strict=True))
            ranks = tuple(r if m != VETOED else rank_limit + 1
                          for r, m in zip(ranks, marks, strict=True))
        key: tuple = (prep.sector_of[i], ranks, prep.previous[i], marks)
        if fine:
            key += (prep.org_of[i], prep.gender_of[i], prep.country_of[i])
        by_key[key].append(i)
    classes = []
    for key, members in by_key.items():
        members.sort()
        attrs = key[4:7] if fine else (-1, -1, -1)
        classes.append(Klass(members, key[0], key[1], key[2], attrs, key[3]))
    classes.sort(key=lambda k: k.members[0])
    return classes


@dataclass
class Outcome:
    """What one solve returned."""

    status: str  # optimal | feasible | infeasible | unknown
    objective: float | None
    bound: float | None
    values: dict = field(default_factory=dict)
    wall_s: float = 0.0
    cut_by_clock: bool = False


@dataclass
class _Excess:
    """An excess variable and what it measures: ``scale·(count - e) - share·size <= scale - 1``
    (``over``) or ``share·size - scale·(count + e) <= scale - 1`` (``under``)."""

    var: int
    scale: int
    share: int
    count: Lin
    size: Lin
    over: bool


class CountModel:
    """A MIP over a set of groups, classes, units and fixed people (``lp.Mip``), solved by
    HiGHS (or CP-SAT) through MathOpt's core. Its variables are numbers; its expressions
    (``x``, ``balance``, ``rank_sum``, ...) are :class:`lp.Lin`; a solution is a dict from
    variable number to value."""

    def __init__(
        self,
        prep: Prepared,
        *,
        groups: list[int],
        classes: list[Klass],
        units: list[int],
        fixed: dict[int, int],
        pools: list[list[int]],
        max_rank: int,
        spread: bool,
    ) -> None:
        self.prep = prep
        self.groups = groups
        self.classes = classes
        self.units = units
        self.pools = pools
        self.fixed = dict(fixed)
        self.mip = Mip()
        theme_of = prep.group_theme
        in_model = set(groups)
        n_sectors = len(prep.sectors)
        # expressions as term lists: (coefficient, variable index)
        sec_terms: dict[tuple[int, int], list] = defaultdict(list)  # (g, s)
        fac_terms: dict[int, list] = defaultdict(list)
        attr_terms: list[dict[tuple[int, int], list]] = [defaultdict(list) for _ in range(3)]
        rank_terms: list = []
        unlisted_terms: list = []
        move_terms: list = []
        ranked: list[tuple[int, int]] = []  # (variable index, rank)
        self.const_rank = 0
        self.const_unlisted = 0
        self.const_moves = 0
        const_sec: dict[tuple[int, int], int] = defaultdict(int)
        const_fac: dict[int, int] = defaultdict(int)
        const_attr: list[dict[tuple[int, int], int]] = [defaultdict(int) for _ in range(3)]
        attr_of = (prep.org_of, prep.gender_of, prep.country_of)
        self.excesses: list[_Excess] = []
        new_var = self.mip.var

        for i, g in fixed.items():
            s = prep.sector_of[i]
            if s >= 0:
                const_sec[g, s] += 1
            else:
                const_fac[g] += 1
            for a in range(3):
                if attr_of[a][i] >= 0:
                    const_attr[a][g, attr_of[a][i]] += 1
            self.const_rank += prep.ranks[i][theme_of[g]]
            self.const_unlisted += prep.marks[i][theme_of[g]] == UNLISTED
            if prep.previous[i] is not None and prep.previous[i] != g:
                self.const_moves += 1
        self.fixed_worst = max((prep.ranks[i][theme_of[g]] for i, g in fixed.items()),
                               default=0)

        # Classes. People without a previous group choose a pool ("take"). People with
        # one either stay or leave; everyone who leaves joins a mover pool with the
        # people of the same key from other previous groups, and the pool then chooses
        # like a class. Moves are few, so pooling them keeps stable re-runs small.
        take: dict[tuple[int, int], int] = {}  # (class, pool)
        stay: dict[int, int] = {}
        self.mover_of: dict[int, int] = {}  # class -> mover pool
        self.movers: list[list[int]] = []  # mover pool -> classes
        move_take: dict[tuple[int, int], int] = {}  # (mover pool, pool)
        pool_sector_terms: dict[tuple[int, int], list] = defaultdict(list)  # (pool, s)
        mover_index: dict[tuple, int] = {}

        def choose_pools(owner: Klass, also: list, total: int, most: int, into: dict,
                         key: int) -> None:
            # the pools' counts and ``also`` (coefficient, index) sum to ``total``
            terms = list(also)
            for p, pool in enumerate(pools):
                rank = owner.ranks[theme_of[pool[0]]]
                if rank > max_rank or not owner.open(theme_of[pool[0]]):
                    continue
                v = new_var(0, most)
                into[key, p] = v
                terms.append((1, v))
                ranked.append((v, rank))
                rank_terms.append((rank, v))
                if owner.marks[theme_of[pool[0]]] == UNLISTED:
                    unlisted_terms.append((1, v))
                if len(pool) == 1:
                    self._add_to_group(owner, pool[0], v, sec_terms, fac_terms, attr_terms)
                else:
                    pool_sector_terms[p, owner.sector].append(v)
            self._row(terms, total, total)

        leaving: dict[int, list] = defaultdict(list)
        for k, klass in enumerate(classes):
            if klass.prev is None:
                choose_pools(klass, [], klass.size, klass.size, take, k)
                continue
            mover_key = (klass.sector, klass.ranks, klass.attrs, klass.marks)
            mi = mover_index.setdefault(mover_key, len(self.movers))
            if mi == len(self.movers):
                self.movers.append([])
            self.movers[mi].append(k)
            self.mover_of[k] = mi
            stayed = None
            if klass.prev in in_model:
                rank = klass.ranks[theme_of[klass.prev]]
                if rank <= max_rank and klass.open(theme_of[klass.prev]):
                    stayed = new_var(0, klass.size)
                    stay[k] = stayed
                    ranked.append((stayed, rank))
                    rank_terms.append((rank, stayed))
                    if klass.marks[theme_of[klass.prev]] == UNLISTED:
                        unlisted_terms.append((1, stayed))
                    self._add_to_group(klass, klass.prev, stayed, sec_terms, fac_terms,
                                       attr_terms)
            leaving[mi].append((klass.size, stayed))
        for mi, parts in enumerate(leaving[i] for i in range(len(self.movers))):
            stayers = [v for _, v in parts if v is not None]
            move_terms += [(-1, v) for v in stayers]
            most = sum(size for size, _ in parts)
            self.const_moves += most
            # the movers are the class sizes less those who stay
            choose_pools(classes[self.movers[mi][0]], [(1, v) for v in stayers], most, most,
                         move_take, mi)

        # pools of several groups: per-group sector counts, linked per pool and sector
        zvars: dict[tuple[int, int], int] = {}
        for p, pool in enumerate(pools):
            if len(pool) == 1:
                continue
            for s in list(range(n_sectors)) + [-1]:
                supply = pool_sector_terms.get((p, s))
                if not supply:
                    continue
                zs = []
                for g in pool:
                    z = new_var(0, prep.n_people)
                    zvars[g, s] = z
                    zs.append(z)
                    if s >= 0:
                        sec_terms[g, s].append((1, z))
                    else:
                        fac_terms[g].append((1, z))
                self._row([(1, v) for v in supply] + [(-1, z) for z in zs], 0, 0)

        # units: one binary per allowed group
        unit_var: dict[tuple[int, int], int] = {}
        # groups a free unit may not join: an apart partner is fixed there
        barred: dict[int, set[int]] = defaultdict(set)
        for ua, ub in prep.apart_units:
            for free, other in ((ua, ub), (ub, ua)):
                first = prep.units[other][0]
                if free in units and first in fixed:
                    barred[free].add(fixed[first])
        for u in units:
            members = prep.units[u]
            choices = []
            for g in groups:
                worst = max(prep.ranks[i][theme_of[g]] for i in members)
                if worst > max_rank or len(members) > prep.problem.groups[g].capacity:
                    continue
                if g in barred[u] or not all(prep.open_to(i, g) for i in members):
                    continue
                v = new_var(0, 1)
                unit_var[u, g] = v
                choices.append((1, v))
                ranked.append((v, worst))
                rank_terms.append((sum(prep.ranks[i][theme_of[g]] for i in members), v))
                unlisted = sum(1 for i in members if prep.marks[i][theme_of[g]] == UNLISTED)
                if unlisted:
                    unlisted_terms.append((unlisted, v))
                moved = sum(1 for i in members
                            if prep.previous[i] is not None and prep.previous[i] != g)
                if moved:
                    move_terms.append((moved, v))
                for i in members:
                    s = prep.sector_of[i]
                    if s >= 0:
                        sec_terms[g, s].append((1, v))
                    else:
                        fac_terms[g].append((1, v))
                    for a in range(3):
                        if attr_of[a][i] >= 0:
                            attr_terms[a][g, attr_of[a][i]].append((1, v))
            self._row(choices, 1, 1)
        for ua, ub in prep.apart_units:
            if ua in units and ub in units:
                for g in groups:
                    if (ua, g) in unit_var and (ub, g) in unit_var:
                        self._row([(1, unit_var[ua, g]), (1, unit_var[ub, g])], -math.inf, 1)

        # per group: sizes, facilitators, sector balance band with excess
        lo_f, hi_f = prep.fac_bounds
        N, totals = prep.n_participants, prep.sector_total
        size_var: dict[int, int] = {}
        n_var: dict[int, int] = {}
        self.x: dict[tuple[int, int], Lin] = {}
        balance_parts: list = []
        for g in groups:
            group = prep.problem.groups[g]
            for s in range(n_sectors):
                self.x[g, s] = Lin.of(sec_terms.get((g, s), []), const_sec.get((g, s), 0))
            # Named sizes keep the band and fair-share rows sparse: each refers to one
            # variable instead of repeating every term of the group.
            n_g = new_var(0, group.capacity)
            n_var[g] = n_g
            participants = Lin({n_g: 1})
            for s in range(n_sectors):
                participants = participants + self.x[g, s] * -1
            self._constrain(participants, 0, 0)
            fac = Lin.of(fac_terms.get(g, []), const_fac.get(g, 0))
            size = new_var(0, group.capacity)
            self._constrain(Lin({size: 1, n_g: -1}) + fac * -1, 0, 0)
            size_var[g] = size
            if group.min_size:
                self._row([(1, size)], group.min_size, math.inf)
            if prep.facilitator_rule():
                self._constrain(fac, lo_f, math.inf)
                self._constrain(fac, -math.inf, hi_f)
            if N == 0:
                continue
            for s in range(n_sectors):
                # floor(p n) <= x <= ceil(p n)  <=>  |N x - N_s n| <= N - 1  (x integer)
                balance_parts += self._band(N, totals[s], self.x[g, s], Lin({n_g: 1}))
        self.balance = Lin.of((1, v) for v in balance_parts)
        self.rank_sum = Lin.of(rank_terms, self.const_rank)
        # people placed in a theme they did not list (the stage after the worst rank)
        self.unlisted = Lin.of(unlisted_terms, self.const_unlisted)
        self.unlisted_free = bool(unlisted_terms)  # whether the model can change it
        self.moves = Lin.of(move_terms, self.const_moves)

        self._evenness: Lin | None = None
        # spread: excess over the fair share of organisations, genders and countries
        self.org_excess = Lin()
        self.div_excess = Lin()
        # group -> [(size, binary that is 1 when the group has that size)] (spread only)
        sized: dict[int, list[tuple[int, int]]] = {}
        if spread:
            T = prep.n_people
            # One indicator per possible size of each group: a fair share is then a
            # constant per size, and every excess row is a plain cap on a count, which
            # CP-SAT propagates and HiGHS relaxes far more tightly than a product.
            for g in groups:
                group = prep.problem.groups[g]
                sizes = range(group.min_size or 0, group.capacity + 1)
                choices = [(k, new_var(0, 1)) for k in sizes]
                sized[g] = choices
                self._row([(1, y) for _, y in choices], 1, 1)
                self._row([(1, size_var[g])] + [(-k, y) for k, y in choices], 0, 0)
            totals_by_attr = (prep.org_total, prep.gender_total, prep.country_total)
            parts: list[list] = [[], [], []]
            for a in range(3):
                present = {key for key in attr_terms[a]} | {key for key, c in
                                                           const_attr[a].items() if c}
                for g, value in sorted(present):
                    count = Lin.of(attr_terms[a].get((g, value), []),
                                   const_attr[a].get((g, value), 0))
                    parts[a].append(self._capped(T, totals_by_attr[a][value], count, g,
                                                 sized[g], size_var[g]))
            self.org_excess = Lin.of((1, v) for v in parts[0])
            self.div_excess = Lin.of((1, v) for v in parts[1] + parts[2])
        self.variables = (len(ranked) + len(zvars) + len(self.excesses)
                          + sum(map(len, sized.values())) + 2 * len(groups))
        self.take, self.stay, self.move_take = take, stay, move_take
        self.zvars, self.unit_var = zvars, unit_var
        self.n_var, self.size, self.sized = n_var, size_var, sized
        self.ranked = ranked
        self._upper = {v: self.mip.ub[v] for v, _ in ranked}
        self.caps: dict[str, int] = {}  # stage -> the row holding its value

    # --- building ------------------------------------------------------------------------

    def _row(self, pairs: Any, lb: float, ub: float) -> int:
        """``lb <= sum(c·x_i) <= ub`` over ``(c, i)`` pairs; the row's number."""
        return self.mip.row(pairs, lb, ub)

    def _constrain(self, expr: Lin, lb: float, ub: float) -> int:
        """``lb <= expr <= ub`` (its constant moved to the bounds); the row's number."""
        return self.mip.constrain(expr, lb, ub)

    @property
    def evenness(self) -> Lin:
        """People beyond an even split of each theme over its groups (by capacity): each
        group's size within the floor and ceiling of its share of its theme's people.

        Its rows are added when a stage first asks for it: during the earlier stages they
        would only make every relaxation larger.
        """
        if self._evenness is None:
            in_model = set(self.groups)
            parts: list = []
            for theme_groups in self.prep.theme_groups:
                members = [g for g in theme_groups if g in in_model]
                if len(members) < 2 or len(members) != len(theme_groups):
                    continue
                seats = sum(self.prep.problem.groups[g].capacity for g in members)
                people = Lin({self.size[g]: 1 for g in members})
                for g in members:
                    parts += self._band(seats, self.prep.problem.groups[g].capacity,
                                        Lin({self.size[g]: 1}), people)
            self._evenness = Lin.of((1, v) for v in parts)
        return self._evenness

    def _band(self, scale: int, share: int, count: Lin, size: Lin,
              under: bool = True) -> list[int]:
        """Excess variables keeping ``count`` within floor/ceil of ``share/scale·size``."""
        out = []
        over_v = self.mip.var(0, self.prep.n_people)
        # scale·(count - over) - share·size <= scale - 1
        self._constrain(count * scale + Lin({over_v: -scale}) + size * -share,
                        -math.inf, scale - 1)
        self._excess(_Excess(over_v, scale, share, count, size, True))
        out.append(over_v)
        if under:
            under_v = self.mip.var(0, self.prep.n_people)
            # share·size - scale·(count + under) <= scale - 1
            self._constrain(size * share + count * -scale + Lin({under_v: -scale}),
                            -math.inf, scale - 1)
            self._excess(_Excess(under_v, scale, share, count, size, False))
            out.append(under_v)
        return out

    def _excess(self, excess: _Excess) -> None:
        self.excesses.append(excess)

    def _capped(self, scale: int, share: int, count: Lin, g: int,
                choices: list[tuple[int, int]], size: int) -> int:
        """An excess variable over ``count``'s fair share (``fair_cap``) of group g at each of
        its sizes (``choices``: (size, binary)); what ``_band(..., under=False)`` measures."""
        over = self.mip.var(0, self.prep.n_people)
        caps = [(fair_cap(scale, share, k), y) for k, y in choices]
        # count - over <= sum(cap_k · y_k)
        self._constrain(count + Lin({over: -1}) + Lin.of((-c, y) for c, y in caps if c),
                        -math.inf, 0)
        self._excess(_Excess(over, scale, share, count, Lin({size: 1}), True))
        return over

    def _add_to_group(self, klass: Klass, g: int, v: Any, sec_terms: dict,
                      fac_terms: dict, attr_terms: list) -> None:
        if klass.sector >= 0:
            sec_terms[g, klass.sector].append((1, v))
        else:
            fac_terms[g].append((1, v))
        for a in range(3):
            if klass.attrs[a] >= 0:
                attr_terms[a][g, klass.attrs[a]].append((1, v))

    # --- solving ---------------------------------------------------------------------

    def limit_rank(self, worst: int) -> None:
        """Allow no one a rank worse than ``worst`` (reversible: a larger value frees again)."""
        ub = self.mip.ub
        for v, rank in self.ranked:
            ub[v] = 0 if rank > worst else self._upper[v]

    def cap(self, expr: Lin, value: float, name: str) -> None:
        """Keep an earlier stage's objective at the value it reached."""
        self.caps[name] = self._constrain(expr, -math.inf, value)

    def capped(self, name: str) -> float | None:
        """The value stage ``name`` is held at (None when it is not held)."""
        row = self.caps.get(name)
        if row is None or self.mip.rows[row] is None:
            return None
        return self.mip.rows[row][2]

    def release(self, name: str) -> None:
        """Drop the cap of stage ``name`` (if any): its value is no longer held."""
        row = self.caps.pop(name, None)
        if row is not None:
            self.mip.delete_row(row)

    def solve(self, objective: Lin | None, clock: Clock, stage: str,
              hint: dict | None = None, node_limit: int = NODE_LIMIT,
              backend: str = "highs", deterministic_s: float = SPREAD_DETERMINISTIC_S,
              on: Any = None) -> Outcome:
        """Minimise ``objective`` within a work budget that decides the answer: ``node_limit``
        HiGHS nodes, or with ``backend="cp-sat"`` one CP-SAT worker for ``deterministic_s``
        deterministic seconds. The clock's time left is only a safety net, and cutting
        with it is recorded on the clock as a cut of ``stage``. With ``on``, another model
        proto (``sized.py``: this one with rows of its own, minimising ``objective``)."""
        start = time.monotonic()
        # Solvers look at their clock now and then, not continuously: a margin keeps
        # their overshoot inside the time left
        seconds = max(0.01, 0.85 * clock.working_left())
        if seconds < ROOT_S_PER_VARIABLE * self.variables:
            clock.cut_stage(stage)  # it would overrun the limit for nothing
            return Outcome("unknown", None, None, cut_by_clock=True)
        # HiGHS's presolve took 7-9 s to refute each worst-rank level of the 1,200-person
        # stable re-run (10,865 variables; 1.2 s without it) and turned the 1,200-person
        # rank sum into 9,911 simplex iterations (1,743 without); at 10,000 people
        # (40,992 variables) it pays for itself (5.5 s with, 25 s without), and at 240
        # with rules (831) it was as quick or quicker (benchmarks.md, issue 28).
        presolve_off = backend != "cp-sat" and PRESOLVE_OFF[0] < self.variables <= PRESOLVE_OFF[1]
        result = lp.solve(on if on is not None else self.mip.proto(objective),
                          backend=backend, time_limit_s=seconds, seed=self.prep.problem.seed,
                          gaps=(0.0, 0.999),  # every objective is a whole number
                          node_limit=node_limit if backend != "cp-sat" else None,
                          presolve_off=presolve_off, deterministic_s=deterministic_s,
                          hint=hint)
        wall = time.monotonic() - start
        cut = result.time_cut
        if backend == "cp-sat":
            # CP-SAT names no limit ("undetermined") for its deterministic budget and the
            # wall clock alike: an unproven solve that ran to the wall-clock limit was
            # cut by it
            cut = result.reason not in ("optimal", "infeasible") and wall >= 0.95 * seconds
        if cut:
            clock.cut_stage(stage)
        if result.reason == "infeasible":
            return Outcome("infeasible", None, None, wall_s=wall)
        if not result.has_solution:
            return Outcome("unknown", None, None, wall_s=wall, cut_by_clock=cut)
        value = round(result.objective) if objective is not None else 0
        bound = result.dual_bound
        if result.reason == "optimal":
            status, bound = "optimal", value
        else:
            status = "feasible"
            bound = max(0, _ceil(bound)) if bound is not None and bound > -1e18 else 0
        return Outcome(status, value, bound, result.values, wall, cut)

    def values_from(self, where: list[int]) -> dict:
        """Every variable's value at an allocation of people to groups (a hint or
        incumbent for any stage). The allocation must keep the model's fixed people and
        put no one of the model in a group outside it."""
        prep = self.prep
        pool_of = {g: p for p, pool in enumerate(self.pools) for g in pool}
        values: dict = {}
        for table in (self.take, self.stay, self.move_take, self.zvars, self.unit_var):
            for var in table.values():
                values[var] = 0
        leavers: dict[int, list[int]] = defaultdict(list)
        for k, klass in enumerate(self.classes):
            for i in klass.members:
                g = where[i]
                if klass.prev is not None and g == klass.prev and k in self.stay:
                    values[self.stay[k]] += 1
                    continue
                if klass.prev is not None:
                    leavers[self.mover_of[k]].append(i)
                    continue
                self._count(values, self.take, (k, pool_of[g]), g, klass.sector)
        for mi, people in leavers.items():
            for i in people:
                g = where[i]
                self._count(values, self.move_take, (mi, pool_of[g]), g, prep.sector_of[i])
        for (u, g), var in self.unit_var.items():
            values[var] = 1 if where[prep.units[u][0]] == g else 0
        sizes: dict[int, int] = defaultdict(int)
        participants: dict[int, int] = defaultdict(int)
        for i, g in enumerate(where):
            sizes[g] += 1
            participants[g] += prep.sector_of[i] >= 0
        for g in self.groups:
            values[self.size[g]] = sizes[g]
            values[self.n_var[g]] = participants[g]
        for g, choices in self.sized.items():
            for k, y in choices:
                values[y] = 1 if sizes[g] == k else 0
        return self.complete(values)

    def complete(self, values: dict) -> dict:
        """``values`` with every excess variable set to what its counts imply (rows added
        since the values were found, such as evenness, included)."""
        values = dict(values)
        for excess in self.excesses:
            if excess.var in values:
                continue
            count = self._evaluate(excess.count, values)
            size = self._evaluate(excess.size, values)
            gap = (excess.scale * count - excess.share * size if excess.over
                   else excess.share * size - excess.scale * count)
            values[excess.var] = max(0, ceil_div(round(gap) - excess.scale + 1, excess.scale))
        return values

    def _count(self, values: dict, table: dict, key: tuple[int, int], g: int,
               sector: int) -> None:
        values[table[key]] += 1
        if (g, sector) in self.zvars:
            values[self.zvars[g, sector]] += 1

    def value(self, expr: Lin, values: dict) -> int:
        """Evaluate an expression at a solution."""
        return round(self._evaluate(expr, values))

    def _evaluate(self, expr: Lin, values: dict) -> float:
        """An expression's value at ``values`` (KeyError where one of its variables has
        none)."""
        return expr.value(values)


def _ceil(x: float) -> int:
    r = round(x)
    return r if abs(x - r) < 1e-6 else int(x) + (1 if x > int(x) else 0)
