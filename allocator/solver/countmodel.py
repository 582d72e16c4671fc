"""The count model: people who are interchangeable for a stage are one integer variable.

Two granularities share this code. The *coarse* model keys people by (role, sector,
ranks, previous group) and lets them choose a theme (its groups are interchangeable
for these stages); per-group sector counts are separate variables linked theme by
theme. The *fine* model adds organisation, gender and country to the key and chooses
groups directly, for the spread stages. People with pair rules are individual units.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from dataclasses import dataclass, field

from ortools.math_opt.python import mathopt

from allocator.solver.prepare import Prepared

OPTIMAL = mathopt.TerminationReason.OPTIMAL
FEASIBLE = mathopt.TerminationReason.FEASIBLE
INFEASIBLE = mathopt.TerminationReason.INFEASIBLE


@dataclass
class Klass:
    """People who are interchangeable in the model (members sorted by id)."""

    members: list[int]
    sector: int  # -1: facilitators
    ranks: tuple[int, ...]
    prev: int | None
    attrs: tuple[int, int, int] = (-1, -1, -1)  # organisation, gender, country

    @property
    def size(self) -> int:
        """How many people the class holds."""
        return len(self.members)


def make_classes(prep: Prepared, people: list[int], fine: bool,
                 rank_limit: int | None = None, ranks_matter: bool = True) -> list[Klass]:
    """Group ``people`` (none pinned, none in a unit) into interchangeable classes.

    With ``rank_limit``, ranks beyond it are all alike (those themes are not options),
    so people who differ only there share a class. Without ``ranks_matter`` (the
    stability stage) only sector and previous group count.
    """
    by_key: dict[tuple, list[int]] = defaultdict(list)
    indifferent = (1,) * len(prep.themes)
    for i in people:
        ranks = prep.ranks[i] if ranks_matter else indifferent
        if rank_limit is not None:
            ranks = tuple(r if r <= rank_limit else rank_limit + 1 for r in ranks)
        key: tuple = (prep.sector_of[i], ranks, prep.previous[i])
        if fine:
            key += (prep.org_of[i], prep.gender_of[i], prep.country_of[i])
        by_key[key].append(i)
    classes = []
    for key, members in by_key.items():
        members.sort()
        attrs = key[3:6] if fine else (-1, -1, -1)
        classes.append(Klass(members, key[0], key[1], key[2], attrs))
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


class CountModel:
    """A MathOpt model over a set of groups, classes, units and fixed people."""

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
        self.model = mathopt.Model()
        m = self.model
        theme_of = prep.group_theme
        in_model = set(groups)
        n_sectors = len(prep.sectors)
        # expressions as term lists: (coefficient, variable)
        sec_terms: dict[tuple[int, int], list] = defaultdict(list)  # (g, s)
        fac_terms: dict[int, list] = defaultdict(list)
        attr_terms: list[dict[tuple[int, int], list]] = [defaultdict(list) for _ in range(3)]
        rank_terms: list = []
        move_terms: list = []
        self.ranked: list[tuple[mathopt.Variable, int]] = []
        self.const_rank = 0
        self.const_moves = 0
        const_sec: dict[tuple[int, int], int] = defaultdict(int)
        const_fac: dict[int, int] = defaultdict(int)
        const_attr: list[dict[tuple[int, int], int]] = [defaultdict(int) for _ in range(3)]
        attr_of = (prep.org_of, prep.gender_of, prep.country_of)

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
            if prep.previous[i] is not None and prep.previous[i] != g:
                self.const_moves += 1
        self.fixed_worst = max((prep.ranks[i][theme_of[g]] for i, g in fixed.items()),
                               default=0)

        # Classes. People without a previous group choose a pool ("take"). People with
        # one either stay or leave; everyone who leaves joins a mover pool with the
        # people of the same key from other previous groups, and the pool then chooses
        # like a class. Moves are few, so pooling them keeps stable re-runs small.
        self.take: dict[tuple[int, int], mathopt.Variable] = {}  # (class, pool)
        self.stay: dict[int, mathopt.Variable] = {}
        self.mover_of: dict[int, int] = {}  # class -> mover pool
        self.movers: list[list[int]] = []  # mover pool -> classes
        self.move_take: dict[tuple[int, int], mathopt.Variable] = {}  # (mover pool, pool)
        pool_sector_terms: dict[tuple[int, int], list] = defaultdict(list)  # (pool, s)
        mover_index: dict[tuple, int] = {}

        def choose_pools(owner: Klass, total, most: int, into: dict, key: int) -> None:
            terms = []
            for p, pool in enumerate(pools):
                rank = owner.ranks[theme_of[pool[0]]]
                if rank > max_rank:
                    continue
                v = m.add_integer_variable(lb=0, ub=most)
                into[key, p] = v
                terms.append(v)
                self.ranked.append((v, rank))
                rank_terms.append((rank, v))
                if len(pool) == 1:
                    self._add_to_group(owner, pool[0], v, sec_terms, fac_terms, attr_terms)
                else:
                    pool_sector_terms[p, owner.sector].append(v)
            m.add_linear_constraint(mathopt.fast_sum(terms) == total)

        leaving: dict[int, list] = defaultdict(list)
        for k, klass in enumerate(classes):
            if klass.prev is None:
                choose_pools(klass, klass.size, klass.size, self.take, k)
                continue
            mover_key = (klass.sector, klass.ranks, klass.attrs)
            mi = mover_index.setdefault(mover_key, len(self.movers))
            if mi == len(self.movers):
                self.movers.append([])
            self.movers[mi].append(k)
            self.mover_of[k] = mi
            stay = None
            if klass.prev in in_model:
                rank = klass.ranks[theme_of[klass.prev]]
                if rank <= max_rank:
                    stay = m.add_integer_variable(lb=0, ub=klass.size)
                    self.stay[k] = stay
                    self.ranked.append((stay, rank))
                    rank_terms.append((rank, stay))
                    self._add_to_group(klass, klass.prev, stay, sec_terms, fac_terms,
                                       attr_terms)
            leaving[mi].append((klass.size, stay))
        for mi, parts in enumerate(leaving[i] for i in range(len(self.movers))):
            total = sum(size for size, _ in parts) - mathopt.fast_sum(
                [v for _, v in parts if v is not None])
            move_terms += [(-1, v) for _, v in parts if v is not None]
            most = sum(size for size, _ in parts)
            self.const_moves += most
            choose_pools(classes[self.movers[mi][0]], total, most, self.move_take, mi)

        # pools of several groups: per-group sector counts, linked per pool and sector
        self.zvars: dict[tuple[int, int], mathopt.Variable] = {}
        for p, pool in enumerate(pools):
            if len(pool) == 1:
                continue
            for s in list(range(n_sectors)) + [-1]:
                supply = pool_sector_terms.get((p, s))
                if not supply:
                    continue
                zs = []
                for g in pool:
                    z = m.add_integer_variable(lb=0, ub=prep.n_people)
                    self.zvars[g, s] = z
                    zs.append(z)
                    if s >= 0:
                        sec_terms[g, s].append((1, z))
                    else:
                        fac_terms[g].append((1, z))
                m.add_linear_constraint(mathopt.fast_sum(supply) == mathopt.fast_sum(zs))

        # units: one binary per allowed group
        self.unit_var: dict[tuple[int, int], mathopt.Variable] = {}
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
                if g in barred[u]:
                    continue
                v = m.add_binary_variable()
                self.unit_var[u, g] = v
                choices.append(v)
                self.ranked.append((v, worst))
                rank_terms.append((sum(prep.ranks[i][theme_of[g]] for i in members), v))
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
            m.add_linear_constraint(mathopt.fast_sum(choices) == 1)
        for ua, ub in prep.apart_units:
            if ua in units and ub in units:
                for g in groups:
                    if (ua, g) in self.unit_var and (ub, g) in self.unit_var:
                        m.add_linear_constraint(self.unit_var[ua, g] + self.unit_var[ub, g] <= 1)

        # per group: sizes, facilitators, sector balance band with excess
        lo_f, hi_f = prep.fac_bounds
        N, totals = prep.n_participants, prep.sector_total
        self.excess_terms = []
        self.size: dict[int, mathopt.Variable] = {}
        self.n_var: dict[int, mathopt.Variable] = {}
        self.band: dict[tuple[int, int], tuple[mathopt.Variable, mathopt.Variable]] = {}
        self.x: dict[tuple[int, int], mathopt.LinearExpression] = {}
        for g in groups:
            group = prep.problem.groups[g]
            xs = []
            for s in range(n_sectors):
                expr = _expr(sec_terms.get((g, s), []), const_sec.get((g, s), 0))
                self.x[g, s] = expr
                xs.append(expr)
            # Named sizes keep the band and fair-share rows sparse: each refers to one
            # variable instead of repeating every term of the group.
            n_g = m.add_integer_variable(lb=0, ub=group.capacity)
            self.n_var[g] = n_g
            m.add_linear_constraint(n_g == mathopt.fast_sum(xs))
            fac = _expr(fac_terms.get(g, []), const_fac.get(g, 0))
            size = m.add_integer_variable(lb=0, ub=group.capacity)
            m.add_linear_constraint(size == n_g + fac)
            self.size[g] = size
            m.add_linear_constraint(size <= group.capacity)
            if group.min_size:
                m.add_linear_constraint(size >= group.min_size)
            if prep.facilitator_rule():
                m.add_linear_constraint(fac >= lo_f)
                m.add_linear_constraint(fac <= hi_f)
            if N == 0:
                continue
            for s in range(n_sectors):
                # floor(p n) <= x <= ceil(p n)  <=>  |N x - N_s n| <= N - 1  (x integer)
                over = m.add_integer_variable(lb=0, ub=prep.n_people)
                under = m.add_integer_variable(lb=0, ub=prep.n_people)
                m.add_linear_constraint(N * (self.x[g, s] - over) - totals[s] * n_g <= N - 1)
                m.add_linear_constraint(totals[s] * n_g - N * (self.x[g, s] + under) <= N - 1)
                self.excess_terms += [over, under]
                self.band[g, s] = (over, under)
        self.balance = mathopt.fast_sum(self.excess_terms)
        self.rank_sum = _expr(rank_terms, self.const_rank)
        self.moves = _expr(move_terms, self.const_moves)

        # spread: excess over the fair share of organisations, genders and countries
        self.org_excess = mathopt.LinearExpression()
        self.div_excess = mathopt.LinearExpression()
        if spread:
            T = prep.n_people
            totals_by_attr = (prep.org_total, prep.gender_total, prep.country_total)
            parts: list[list] = [[], [], []]
            for a in range(3):
                present = {key for key in attr_terms[a]} | {key for key, c in
                                                           const_attr[a].items() if c}
                for g, value in sorted(present):
                    count = _expr(attr_terms[a].get((g, value), []),
                                  const_attr[a].get((g, value), 0))
                    total = totals_by_attr[a][value]
                    e = m.add_integer_variable(lb=0, ub=prep.n_people)
                    # count - e <= ceil(total * size / T)  <=>  T (count - e) - total size <= T-1
                    m.add_linear_constraint(T * (count - e) - total * self.size[g] <= T - 1)
                    parts[a].append(e)
            self.org_excess = mathopt.fast_sum(parts[0])
            self.div_excess = mathopt.fast_sum(parts[1] + parts[2])
        self._upper = {v: v.upper_bound for v, _ in self.ranked}

    def _add_to_group(self, klass: Klass, g: int, v: mathopt.Variable, sec_terms: dict,
                      fac_terms: dict, attr_terms: list) -> None:
        if klass.sector >= 0:
            sec_terms[g, klass.sector].append((1, v))
        else:
            fac_terms[g].append((1, v))
        for a in range(3):
            if klass.attrs[a] >= 0:
                attr_terms[a][g, klass.attrs[a]].append((1, v))

    # --- solving ---------------------------------------------------------------------

    def hold_balance_at_zero(self, hold: bool) -> None:
        """Forbid (or allow again) any excess over the sector bands."""
        for v in self.excess_terms:
            v.upper_bound = 0 if hold else self.prep.n_people

    def limit_rank(self, worst: int) -> None:
        """Allow no one a rank worse than ``worst`` (reversible: a larger value frees again)."""
        for v, rank in self.ranked:
            v.upper_bound = 0 if rank > worst else self._upper[v]


    def cap(self, expr: mathopt.LinearExpression, value: float, name: str) -> None:
        """Keep an earlier stage's objective at the value it reached."""
        self.model.add_linear_constraint(expr <= value)

    def solve(self, objective: mathopt.LinearExpression | None, seconds: float,
              hint: dict | None = None) -> Outcome:
        """Minimise ``objective`` (or just find a solution) within ``seconds``."""
        start = time.monotonic()
        self.model.minimize(objective if objective is not None else 0)
        params = mathopt.SolveParameters(
            time_limit=dt.timedelta(seconds=max(0.05, seconds)),
            random_seed=self.prep.problem.seed,
            relative_gap_tolerance=0.0,
            absolute_gap_tolerance=0.999,  # every objective is a whole number
        )
        model_params = None
        if hint:
            model_params = mathopt.ModelSolveParameters(
                solution_hints=[mathopt.SolutionHint(variable_values=hint)])
        result = mathopt.solve(self.model, mathopt.SolverType.HIGHS, params=params,
                               model_params=model_params)
        wall = time.monotonic() - start
        reason = result.termination.reason
        if reason == INFEASIBLE:
            return Outcome("infeasible", None, None, wall_s=wall)
        if not result.has_primal_feasible_solution():
            return Outcome("unknown", None, None, wall_s=wall)
        values = result.variable_values()
        value = round(result.objective_value()) if objective is not None else 0
        bound = result.termination.objective_bounds.dual_bound
        if reason == OPTIMAL:
            status, bound = "optimal", value
        else:
            status = "feasible"
            bound = max(0, _ceil(bound)) if bound is not None and bound > -1e18 else 0
        return Outcome(status, value, bound, values, wall)

    def translate(self, other: CountModel, values: dict) -> dict:
        """This model's variables at the allocation ``other`` found (same groups and pools).

        Group-level figures carry over one to one. Each class of ``other`` is split among
        this model's finer classes, giving each destination the members who rank it
        best (ids break ties), so the result is feasible here too.
        """
        prep = self.prep
        theme_of = prep.group_theme
        hint: dict = {}
        for key, var in self.zvars.items():
            hint[var] = round(values.get(other.zvars.get(key), 0))
        for key, var in self.unit_var.items():
            hint[var] = round(values.get(other.unit_var.get(key), 0))
        for table in ("size", "n_var"):
            mine, theirs = getattr(self, table), getattr(other, table)
            for g, var in mine.items():
                hint[var] = round(values[theirs[g]])
        for key, pair in self.band.items():
            for var, twin in zip(pair, other.band[key], strict=True):
                hint[var] = round(values[twin])
        for table in (self.take, self.stay, self.move_take):
            for var in table.values():
                hint[var] = 0
        class_of = {i: k for k, klass in enumerate(self.classes) for i in klass.members}

        def send(people: list[int], theme: int, n: int, place) -> list[int]:
            people.sort(key=lambda i: (prep.ranks[i][theme], i))
            for i in people[:n]:
                if i in class_of:  # people fixed in this model are constants
                    hint[place(i)] += 1
            return people[n:]

        leavers: dict[int, list[int]] = defaultdict(list)
        for k, klass in enumerate(other.classes):
            left = list(klass.members)
            if klass.prev is None:
                for p, pool in enumerate(other.pools):
                    var = other.take.get((k, p))
                    n = round(values[var]) if var is not None else 0
                    left = send(left, theme_of[pool[0]], n,
                                lambda i, p=p: self.take[class_of[i], p])
                continue
            n = round(values[other.stay[k]]) if k in other.stay else 0
            left = send(left, theme_of[klass.prev], n, lambda i: self.stay[class_of[i]])
            leavers[other.mover_of[k]] += left
        for mi, left in leavers.items():
            for p, pool in enumerate(other.pools):
                var = other.move_take.get((mi, p))
                n = round(values[var]) if var is not None else 0
                left = send(left, theme_of[pool[0]], n,
                            lambda i, p=p: self.move_take[self.mover_of[class_of[i]], p])
        return hint

    def value(self, expr: mathopt.LinearExpression, values: dict) -> int:
        """Evaluate an expression at a solution."""
        return round(expr.evaluate(values))


def _expr(terms: list, constant: int = 0) -> mathopt.LinearExpression:
    return mathopt.fast_sum([c * v for c, v in terms]) + constant if terms else (
        mathopt.LinearExpression() + constant)


def _ceil(x: float) -> int:
    r = round(x)
    return r if abs(x - r) < 1e-6 else int(x) + (1 if x > int(x) else 0)
