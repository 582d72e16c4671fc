"""Stage 4, theme by theme: even out group sizes without touching who goes to which theme.

Evenness ranks before the preference stages, so this re-split starts from the answer
so far (the first answer, or the stability stage's) and keeps who goes to which theme:
it can only improve that answer, and the joint model (``CountModel.evenness``) may still
move people between themes. It looks at how each theme's people split over its groups. For
each theme with several groups a small model re-splits the people who are free to move
between its groups (not pinned, not staying in an announced group, not in a pair), by
sector, so that every group's size lies within the floor and ceiling of its share of the
theme (by capacity), keeping each group's capacity, minimum size, facilitators and
sector bands (the theme's balance excess may not grow). Each theme's model is tiny, so
this is quick at any size; a theme where it reaches zero is proven even. Where it does
not, the joint model (``CountModel.evenness``) can still look further.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from allocator.solver.budget import NODE_LIMIT, Clock
from allocator.solver.countmodel import CountModel
from allocator.solver.evaluate import band


def even_out(model: CountModel, values: dict, clock: Clock) -> dict:
    """``values`` with each theme's movable people re-split to even out sizes."""
    import datetime as dt

    from ortools.math_opt.python import mathopt

    prep = model.prep
    groups = prep.problem.groups
    values = dict(values)
    sectors = list(range(len(prep.sectors)))
    lo_f, hi_f = prep.fac_bounds
    N = prep.n_participants
    for pool in model.pools:
        if len(pool) < 2:
            continue
        z = {key: var for key, var in model.zvars.items() if key[0] in pool}
        if not z:
            continue
        supply: dict[int, int] = defaultdict(int)
        const_sec: dict[tuple[int, int], int] = {}
        const_fac: dict[int, int] = {}
        for g in pool:
            for s in sectors:
                moved = round(values[z[g, s]]) if (g, s) in z else 0
                supply[s] += moved
                const_sec[g, s] = model.value(model.x[g, s], values) - moved
            fac_moved = round(values[z[g, -1]]) if (g, -1) in z else 0
            supply[-1] += fac_moved
            fac_total = round(values[model.size[g]]) - round(values[model.n_var[g]])
            const_fac[g] = fac_total - fac_moved
        before = _theme_balance(prep, pool, const_sec, {
            (g, s): round(values[z[g, s]]) if (g, s) in z else 0 for g in pool for s in sectors})
        m = mathopt.Model()
        zz = {key: m.add_integer_variable(lb=0, ub=prep.n_people) for key in z}
        for s in [*sectors, -1]:
            keys = [(g, s) for g in pool if (g, s) in zz]
            if keys:
                m.add_linear_constraint(mathopt.fast_sum(zz[k] for k in keys) == supply[s])
        n = {g: m.add_integer_variable(lb=0, ub=groups[g].capacity) for g in pool}
        size = {g: m.add_integer_variable(lb=0, ub=groups[g].capacity) for g in pool}
        balance_parts: list[Any] = []
        for g in pool:
            xs = {s: const_sec[g, s] + (zz[g, s] if (g, s) in zz else 0) for s in sectors}
            m.add_linear_constraint(n[g] == mathopt.fast_sum(xs.values()))
            fac = const_fac[g] + (zz[g, -1] if (g, -1) in zz else 0)
            m.add_linear_constraint(size[g] == n[g] + fac)
            if groups[g].min_size:
                m.add_linear_constraint(size[g] >= groups[g].min_size)
            if prep.facilitator_rule() and (g, -1) in zz:  # else fixed, and already right
                m.add_linear_constraint(fac >= lo_f)
                m.add_linear_constraint(fac <= hi_f)
            for s in sectors:
                balance_parts += _excess(m, N, prep.sector_total[s], xs[s], n[g], prep.n_people)
        m.add_linear_constraint(mathopt.fast_sum(balance_parts) <= before)
        seats = sum(groups[g].capacity for g in pool)
        people = mathopt.fast_sum(size.values())
        even_parts: list[Any] = []
        for g in pool:
            even_parts += _excess(m, seats, groups[g].capacity, size[g], people, prep.n_people)
        m.minimize(mathopt.fast_sum(even_parts))
        params = mathopt.SolveParameters(
            time_limit=dt.timedelta(seconds=max(0.01, clock.working_left())),
            node_limit=NODE_LIMIT, random_seed=prep.problem.seed,
            relative_gap_tolerance=0.0, absolute_gap_tolerance=0.999)
        result = mathopt.solve(m, mathopt.SolverType.HIGHS, params=params)
        if result.termination.limit == mathopt.Limit.TIME:
            clock.cut_stage("evenness")
        if not result.has_primal_feasible_solution():
            continue
        found = result.variable_values()
        current = sum(max(0, round(values[model.size[g]]) - _share(groups, pool, values,
                                                                    model, g)[1])
                      + max(0, _share(groups, pool, values, model, g)[0]
                            - round(values[model.size[g]])) for g in pool)
        if round(result.objective_value()) >= current:
            continue
        for key, var in z.items():
            values[var] = round(found[zz[key]])
        for g in pool:
            values[model.size[g]] = round(found[size[g]])
            values[model.n_var[g]] = round(found[n[g]])
    excess = {e.var for e in model.excesses}
    return model.complete({k: v for k, v in values.items() if k not in excess})


def _share(groups, pool: list[int], values: dict, model: CountModel, g: int) -> tuple[int, int]:
    seats = sum(groups[h].capacity for h in pool)
    people = sum(round(values[model.size[h]]) for h in pool)
    return band(seats, groups[g].capacity, people)


def _theme_balance(prep, pool: list[int], const_sec: dict, moved: dict) -> int:
    total = 0
    for g in pool:
        counts = {s: const_sec[g, s] + moved[g, s] for s in range(len(prep.sectors))}
        n = sum(counts.values())
        for s, c in counts.items():
            lo, hi = band(prep.n_participants, prep.sector_total[s], n)
            total += max(0, c - hi) + max(0, lo - c)
    return total


def _excess(m: Any, scale: int, share: int, count: Any, size: Any, most: int) -> list[Any]:
    over = m.add_integer_variable(lb=0, ub=most)
    under = m.add_integer_variable(lb=0, ub=most)
    m.add_linear_constraint(scale * (count - over) - share * size <= scale - 1)
    m.add_linear_constraint(share * size - scale * (count + under) <= scale - 1)
    return [over, under]
