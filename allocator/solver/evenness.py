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

from allocator.solver import lp
from allocator.solver.budget import NODE_LIMIT, Clock
from allocator.solver.countmodel import CountModel
from allocator.solver.evaluate import band
from allocator.solver.lp import INF, Lin, Mip


def even_out(model: CountModel, values: dict, clock: Clock) -> dict:
    """``values`` with each theme's movable people re-split to even out sizes."""
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
        m = Mip()
        zz = {key: m.var(0, prep.n_people) for key in z}
        for s in [*sectors, -1]:
            keys = [(g, s) for g in pool if (g, s) in zz]
            if keys:
                m.row([(1, zz[k]) for k in keys], supply[s], supply[s])
        n = {g: m.var(0, groups[g].capacity) for g in pool}
        size = {g: m.var(0, groups[g].capacity) for g in pool}
        balance_parts: list[int] = []
        for g in pool:
            xs = {s: Lin({zz[g, s]: 1} if (g, s) in zz else {}, const_sec[g, s])
                  for s in sectors}
            participants = Lin({n[g]: 1})
            for x in xs.values():
                participants = participants + x * -1
            m.constrain(participants, 0, 0)
            fac = Lin({zz[g, -1]: 1} if (g, -1) in zz else {}, const_fac[g])
            m.constrain(Lin({size[g]: 1, n[g]: -1}) + fac * -1, 0, 0)
            if groups[g].min_size:
                m.row([(1, size[g])], groups[g].min_size, INF)
            if prep.facilitator_rule() and (g, -1) in zz:  # else fixed, and already right
                m.constrain(fac, lo_f, INF)
                m.constrain(fac, -INF, hi_f)
            for s in sectors:
                balance_parts += _excess(m, N, prep.sector_total[s], xs[s], Lin({n[g]: 1}),
                                         prep.n_people)
        m.row([(1, v) for v in balance_parts], -INF, before)
        seats = sum(groups[g].capacity for g in pool)
        people = Lin({size[g]: 1 for g in pool})
        even_parts: list[int] = []
        for g in pool:
            even_parts += _excess(m, seats, groups[g].capacity, Lin({size[g]: 1}), people,
                                  prep.n_people)
        result = lp.solve(m.proto(Lin.of((1, v) for v in even_parts)),
                          time_limit_s=max(0.01, clock.working_left()),
                          seed=prep.problem.seed, gaps=(0.0, 0.999), node_limit=NODE_LIMIT)
        if result.time_cut:
            clock.cut_stage("evenness")
        if not result.has_solution:
            continue
        found = result.values
        current = sum(max(0, round(values[model.size[g]]) - _share(groups, pool, values,
                                                                    model, g)[1])
                      + max(0, _share(groups, pool, values, model, g)[0]
                            - round(values[model.size[g]])) for g in pool)
        if round(result.objective) >= current:
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


def _excess(m: Mip, scale: int, share: int, count: Lin, size: Lin, most: int) -> list[int]:
    over = m.var(0, most)
    under = m.var(0, most)
    m.constrain(count * scale + Lin({over: -scale}) + size * -share, -INF, scale - 1)
    m.constrain(size * share + count * -scale + Lin({under: -scale}), -INF, scale - 1)
    return [over, under]
