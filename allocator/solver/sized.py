"""A start for the preference solves from group sizes, and often their proof, for small models.

Once the balance stage holds every sector within its band, what makes the preference
stages hard is the group sizes: with every group's size fixed, the bands are constants
and choosing who goes where is a min-cost flow, whose LP is integral. The count model
states the band against a variable size (``|N·x - N_s·n| <= N - 1``), and its LP
relaxation is weak there (``rules`` seed 0: 1,227.2 against the optimum 1,229); HiGHS
then needs its sub-MIP heuristics to find the optimum (0.5-0.8 s of the 240-person
``rules`` benchmark), though given the optimum as a start it proves it in 0.06 s
(docs/benchmarks.md, issue 28).

Here each group's size is chosen by one binary per possible size, with the band's floor
and ceiling at that size as constants (``band``). That LP is much tighter (1,228.3 at
``rules`` seed 0, so the optimum 1,229 is its bound rounded up). Its sizes guide a
restricted MIP in which every group keeps a size within the floor and ceiling of its LP
size: a small MIP that HiGHS solves at its root. Where its value is the LP bound rounded
up, the stage is proven without the full MIP; otherwise it is the full MIP's start. Both
solves run on a copy of the model that has the size binaries; the model itself never gets
them: they made HiGHS's full MIP slower (0.55 -> 0.9 s at ``rules``, 1.1 -> 3 s at 1,200
people).

The LP's answer does not depend on the machine's load (a simplex run to its end), the
restricted MIP's work is a node limit; where the clock cuts the LP, the stage says so.
"""

from __future__ import annotations

import math
import time

from allocator.solver import lp
from allocator.solver.budget import Clock
from allocator.solver.countmodel import CountModel, Outcome
from allocator.solver.hint import band
from allocator.solver.lp import Lin, Mip

# Models of more than the first and at most the second number of variables get the sized
# start (the 83-person ``workshop`` benchmark has 159, the 240-person ``rules`` 885, the
# 1,200-person ``forum`` 4,593). Measured on seeds 0-7 of ``rules`` and 0-4 of ``forum``:
# it proves 5 of 8 ``rules`` stages (0.1 s instead of 0.5-0.8 s) but only 1 of 5 ``forum``
# stages, and over those five seeds ``forum`` took as long with it as without (13.6 s in
# all: its LP costs 0.13 s a try); at the workshop's size HiGHS proves the full model at
# its root in 0.01 s.
SIZED_RANGE = (300, 2_000)
# HiGHS nodes for the restricted MIP: it is solved at its root on every benchmark seed.
SIZED_NODES = 200


def sized_solve(model: CountModel, objective: Lin, clock: Clock, stage: str) -> Outcome | None:
    """Minimise ``objective`` (a whole-number expression) over the model with every band
    held at zero excess: ``optimal`` when the restricted MIP reaches the sized LP's bound,
    ``infeasible`` when that LP has no solution (a proof: it relaxes the model),
    ``feasible`` (a start for the full solve, its bound the LP's) or None when neither
    solve found anything. The caller must hold the balance stage at zero.

    Both solves run on a copy of the model with the size binaries added (its proto,
    extended), so the model itself is left as it was."""
    start = time.monotonic()
    if clock.working_left() <= 0.01:
        return None
    mip, choices = _with_size_choices(model)
    relaxed = lp.solve(mip.proto(objective),
                       time_limit_s=max(0.01, 0.85 * clock.working_left()), relaxation=True)
    if relaxed.time_cut:
        clock.cut_stage(stage)  # the full MIP then starts from another hint
    if relaxed.reason == "infeasible":
        return Outcome("infeasible", None, None, wall_s=time.monotonic() - start)
    if relaxed.reason != "optimal" or relaxed.objective is None:
        return None
    bound = _ceil(relaxed.objective)
    for ys in choices.values():
        mean = sum(k * relaxed.values[y] for k, y in ys)
        for k, y in ys:
            if not math.floor(mean + 1e-6) <= k <= math.ceil(mean - 1e-6):
                mip.ub[y] = 0
    out = model.solve(objective, clock, stage, node_limit=SIZED_NODES,
                      on=mip.proto(objective))
    if out.status not in ("optimal", "feasible"):
        return None
    own = model.mip.n_vars
    values = {v: x for v, x in out.values.items() if v < own}
    status = "optimal" if out.objective <= bound else "feasible"
    return Outcome(status, out.objective, max(bound, 0) if status == "feasible"
                   else out.objective, values, time.monotonic() - start, out.cut_by_clock)


def _with_size_choices(model: CountModel) -> tuple[Mip, dict[int, list[tuple[int, int]]]]:
    """A copy of the model with one binary per possible number of participants of each
    group and the sector bands at that number as constant bounds on the group's sector
    counts; the binaries by group, as (count, variable number)."""
    prep = model.prep
    mip = model.mip.copy()
    by_group: dict[int, list[tuple[int, int]]] = {}
    for g in model.groups:
        n_var = model.n_var[g]
        sizes = range(round(mip.lb[n_var]), round(mip.ub[n_var]) + 1)
        ys = [(k, mip.var(0, 1)) for k in sizes]
        by_group[g] = ys
        mip.row([(1, y) for _, y in ys], 1, 1)
        mip.row([(1, n_var)] + [(-k, y) for k, y in ys], 0, 0)
        for s in range(len(prep.sectors)):
            x = model.x[g, s]
            bands = [band(prep, s, k) for k in sizes]
            # x >= sum(low_k y_k);  x <= sum(high_k y_k)
            mip.constrain(x + Lin.of((-low, y) for (low, _), (_, y)
                                     in zip(bands, ys, strict=True)), 0, lp.INF)
            mip.constrain(x + Lin.of((-high, y) for (_, high), (_, y)
                                     in zip(bands, ys, strict=True)), -lp.INF, 0)
    return mip, by_group


def _ceil(x: float) -> int:
    """The least whole number at or above an LP value, less a relative tolerance for the
    solver's round-off (a smaller bound is only weaker, never wrong)."""
    return math.ceil(x - 1e-6 * max(1.0, abs(x)))
