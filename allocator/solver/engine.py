"""The stages, in priority order, each solved to proof when time allows.

1. hard rules (constraints throughout)       2. sector balance excess
3. moves against ``previous`` (when given)   4. worst rank, then 5. rank sum
6. organisation excess, then 7. gender and country excess

Stages 2-5 run on the coarse count model; 6-7 on the fine one when it is small
enough, and otherwise by min-cost flows within the numbers stages 2-5 fixed (see
``spread``).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Hashable

from allocator.solver.assign import apportion, extract_fine
from allocator.solver.countmodel import CountModel, Outcome, make_classes
from allocator.solver.diagnose import minimal_conflict, obvious_conflicts
from allocator.solver.evaluate import hard_violations, scores
from allocator.solver.explain import explain, explain_moves, measure
from allocator.solver.prepare import Prepared, prepare
from allocator.solver.problem import Conflict, Problem, Solution, Stage
from allocator.solver.spread import spread_by_flow

# Stable re-runs of events larger than this fix the people who stay before the
# preference stages (see _stayers): the exact model stalls HiGHS at 10,000 people.
STABLE_EXACT_LIMIT = 3_000

# The exact spread model's time per stage: spread is the lowest priority and the
# min-cost-flow answer is always at hand, so a request does not wait long for it.
SPREAD_STAGE_MAX_S = 2.0

# A fine model with more class variables than this is not tried: on 2 cores HiGHS proves
# ~1,100 in half a second and needs seconds, or fails, beyond (benchmarks/fine_model.py).
FINE_GLOBAL_LIMIT = 1_500


class Clock:
    """The time left of the problem's limit, shared out between stages."""

    def __init__(self, seconds: float) -> None:
        self.start = time.monotonic()
        self.total = seconds
        self.deadline = self.start + seconds

    def left(self) -> float:
        """Seconds until the deadline (never negative)."""
        return max(0.0, self.deadline - time.monotonic())

    def share(self, fraction: float, floor: float = 0.05) -> float:
        """A fraction of what is left, at least ``floor`` seconds."""
        return max(floor, self.left() * fraction)


def _fixed_and_units(prep: Prepared) -> tuple[dict[int, int], list[int]]:
    fixed: dict[int, int] = {}
    free_units: list[int] = []
    for u, members in enumerate(prep.units):
        pins = sorted({prep.pin[i] for i in members if prep.pin[i] is not None})
        if pins:
            fixed.update({i: pins[0] for i in members})
        else:
            free_units.append(u)
    for i, g in enumerate(prep.pin):
        if g is not None and i not in prep.unit_of:
            fixed[i] = g
    return fixed, free_units


def _infeasible(prep: Prepared, conflicts: list[Conflict], clock: Clock) -> Solution:
    return Solution(status="infeasible", assignments={}, conflicts=conflicts,
                    wall_s=time.monotonic() - clock.start)


def _stage(name: str, out: Outcome, detail: str = "") -> Stage:
    return Stage(name, out.objective, out.bound, out.status, out.wall_s, detail)


def _worst_of(model: CountModel, values: dict) -> int:
    used = [rank for v, rank in model.ranked if values.get(v, 0) > 0.5]
    return max(used + [model.fixed_worst])


def solve(problem: Problem) -> Solution:
    """Allocate everyone; see the module docstring for the policy."""
    clock = Clock(problem.time_limit_s)
    prep = prepare(problem)
    conflicts = obvious_conflicts(prep)
    if conflicts:
        return _infeasible(prep, conflicts, clock)
    if not problem.people:
        nothing = [Stage(name, 0, 0, "optimal") for name in
                   ("balance", "worst_rank", "rank_sum", "organization", "diversity")]
        return Solution(status="optimal", assignments={}, stages=nothing,
                        metrics=measure(prep, []), wall_s=time.monotonic() - clock.start)
    fixed, free_units = _fixed_and_units(prep)
    in_unit_or_fixed = set(fixed) | set(prep.unit_of)
    anonymous = [i for i in range(prep.n_people) if i not in in_unit_or_fixed]
    worst_possible = max(max(r) for r in prep.ranks)
    all_groups = list(range(len(problem.groups)))

    def coarse_model(level: int) -> CountModel:
        return CountModel(prep, groups=all_groups,
                          classes=make_classes(prep, anonymous, False, level),
                          units=free_units, fixed=fixed, pools=prep.theme_groups,
                          max_rank=level, spread=False)

    stages: list[Stage] = []
    lower = max(max((prep.ranks[i][prep.group_theme[g]] for i, g in fixed.items()),
                    default=1), 1)
    found = None
    if not problem.previous:
        # 2. Sector balance is usually perfect: try that first, with the excess held at
        # zero, and go straight on to stages 4-5 (see _preferences).
        found = _preferences(coarse_model, lower, worst_possible, clock, hold_zero=True)
        if found is not None:
            stages.append(Stage("balance", 0, 0, "optimal", 0.0))
    if found is None:
        settled = _balance_and_moves(prep, anonymous, free_units, fixed, stages, clock,
                                     worst_possible)
        if settled is None:
            conflict = minimal_conflict(prep, max(1.0, clock.left()))
            return _infeasible(prep, [conflict or Conflict(
                "combination", "The pins, pairs, sizes and facilitator rules cannot all hold.")],
                clock)
        caps, simple, values = settled
        if problem.previous and prep.n_people > STABLE_EXACT_LIMIT:
            # Keep the people stage 3 keeps in place fixed; optimise the rest exactly.
            stayers = _stayers(prep, simple, values)
            fixed = {**fixed, **stayers}
            anonymous = [i for i in anonymous if i not in stayers]
            lower = max(lower, max((prep.ranks[i][prep.group_theme[g]]
                                    for i, g in stayers.items()), default=1))
        full = coarse_model(worst_possible)
        for name, value in caps.items():
            full.cap(getattr(full, name), value, name)
        incumbent = full.translate(simple, values)
        found = _preferences(coarse_model, lower, _worst_of(full, incumbent), clock,
                             caps=caps, last=(full, incumbent))
        if found is None:  # cannot happen: the incumbent satisfies its own worst rank
            raise AssertionError("no allocation at the incumbent's worst rank")
        if problem.previous and prep.n_people > STABLE_EXACT_LIMIT:
            for stage in found[0]:
                stage.status, stage.best_bound = "feasible", None
                stage.detail = ("large stable re-run: the people the stability stage keeps "
                                "in place were fixed first; only newcomers and movers were "
                                "optimised, so no bound is claimed")
    pref_stages, coarse, incumbent = found
    stages += pref_stages
    worst = pref_stages[0].objective
    coarse.cap(coarse.rank_sum, pref_stages[1].objective, "rank_sum")

    # 6-7. spread
    where, spread_stages = _spread(prep, coarse, incumbent, fixed, free_units, anonymous,
                                   worst, stages, clock)
    stages += spread_stages
    assignment = [where[i] for i in range(prep.n_people)]
    broken = hard_violations(prep, assignment)
    if broken:
        raise AssertionError("solver produced an invalid allocation: " + "; ".join(broken))
    achieved = scores(prep, assignment)
    _check_consistent(stages, achieved)
    status = "optimal" if all(s.status == "optimal" for s in stages) else "feasible"
    gid = [g.id for g in problem.groups]
    assignments = {p.id: gid[assignment[i]] for i, p in enumerate(problem.people)}
    return Solution(
        status=status,
        assignments=assignments,
        stages=stages,
        metrics=measure(prep, assignment),
        reasons=explain(prep, assignment),
        moves=explain_moves(prep, assignment) if problem.previous else {},
        wall_s=time.monotonic() - clock.start,
    )


def _balance_and_moves(prep: Prepared, anonymous: list[int], free_units: list[int],
                       fixed: dict[int, int], stages: list[Stage], clock: Clock,
                       worst_possible: int) -> tuple[dict[str, int], CountModel, dict] | None:
    """Stages 2-3 on a model that ignores preferences (they come later).

    People differ here only by sector, role and previous group, so the model is small.
    Balance is tried at zero first: if the fewest moves are found with it held there,
    both stages are proven at once. ``None`` when the hard rules admit no allocation.
    """
    model = CountModel(prep, groups=list(range(len(prep.problem.groups))),
                       classes=make_classes(prep, anonymous, False, ranks_matter=False),
                       units=free_units, fixed=fixed, pools=prep.theme_groups,
                       max_rank=worst_possible, spread=False)
    caps: dict[str, int] = {}
    with_moves = bool(prep.problem.previous)
    if with_moves:
        model.hold_balance_at_zero(True)
        out = model.solve(model.moves, clock.share(0.4))
        if out.status in ("optimal", "feasible"):
            stages.append(Stage("balance", 0, 0, "optimal", 0.0))
            stages.append(_stage("moves", out))
            return {"balance": 0, "moves": out.objective}, model, out.values
        model.hold_balance_at_zero(False)
    out = model.solve(model.balance, clock.share(0.4))
    if out.status == "infeasible":
        return None
    if out.status == "unknown":
        raise TimeoutError("no allocation found within the time limit; allow more time")
    stages.append(_stage("balance", out))
    caps["balance"] = out.objective
    if with_moves:
        model.cap(model.balance, out.objective, "balance")
        incumbent = out.values
        out = model.solve(model.moves, clock.share(0.5), hint=incumbent)
        out = _keep_incumbent(model, model.moves, out, incumbent)
        stages.append(_stage("moves", out))
        caps["moves"] = out.objective
    return caps, model, out.values


def _stayers(prep: Prepared, model: CountModel, values: dict) -> dict[int, int]:
    """Who stays in their previous group: as many per class as stage 3 keeps, chosen
    among those who rank that group's theme best (a move would cost them most)."""
    stayers: dict[int, int] = {}
    for k, klass in enumerate(model.classes):
        if k not in model.stay:
            continue
        n = round(values[model.stay[k]])
        theme = prep.group_theme[klass.prev]
        best = sorted(klass.members, key=lambda i: (prep.ranks[i][theme], i))[:n]
        stayers.update({i: klass.prev for i in best})
    return stayers


def _preferences(build, lower: int, upper: int, clock: Clock, *, hold_zero: bool = False,
                 caps: dict[str, int] | None = None,
                 last: tuple[CountModel, dict] | None = None
                 ) -> tuple[list[Stage], CountModel, dict] | None:
    """Stages 4-5: the smallest worst rank, then the smallest rank sum under it.

    Worst ranks are tried from the lowest possible upwards, each on a model that only
    has the options that level allows: a level too low is usually refuted at once by
    the LP relaxation, and the first level that admits an allocation is solved for the
    rank sum directly. ``last`` is a model and solution already known to work at
    ``upper``. ``None`` if no level up to ``upper`` admits an allocation.
    """
    start = time.monotonic()
    all_refuted = True
    for worst in range(lower, upper + 1):
        hint = None
        if last is not None and worst < upper and clock.left() < 0.1 * clock.total:
            # Nearly out of time: settle for the level the known allocation reaches.
            all_refuted = False
            continue
        if last is not None and worst == upper:
            model, hint = last
            model.limit_rank(worst)
        else:
            model = build(worst)
            model.hold_balance_at_zero(hold_zero)
            for name, value in (caps or {}).items():
                model.cap(getattr(model, name), value, name)
        out = model.solve(model.rank_sum, clock.share(0.6), hint=hint)
        if out.status == "infeasible":
            continue
        if out.status == "unknown":
            if worst < upper:
                all_refuted = False  # undecided in time: try the next level
                continue
            if hint is None:
                return None
            out = _keep_incumbent(model, model.rank_sum, out, hint)
        stage_w = Stage("worst_rank", worst, worst if all_refuted else lower,
                        "optimal" if all_refuted else "feasible", time.monotonic() - start)
        return [stage_w, _stage("rank_sum", out)], model, out.values
    return None


def _keep_incumbent(model: CountModel, expr, out: Outcome, incumbent: dict) -> Outcome:
    """A stage that found nothing in time keeps the previous stage's solution."""
    if out.status in ("optimal", "feasible"):
        return out
    value = model.value(expr, incumbent)
    return Outcome("feasible", value, None, incumbent, out.wall_s)


def _check_consistent(stages: list[Stage], achieved) -> None:
    for stage in stages:
        actual = getattr(achieved, stage.name)
        if stage.objective is not None and actual != stage.objective:
            raise AssertionError(
                f"stage {stage.name}: model says {stage.objective}, allocation has {actual}")


# --- spread ---------------------------------------------------------------------------

def _spread(prep: Prepared, coarse: CountModel, incumbent: dict, fixed: dict[int, int],
            free_units: list[int], anonymous: list[int], worst: int, stages: list[Stage],
            clock: Clock) -> tuple[dict[int, int], list[Stage]]:
    """Stages 6-7. The min-cost-flow answer always; the exact fine model when small.

    The better of the two (organisation excess, then diversity) is kept. The fine
    model's bounds hold for the whole problem, so they are reported with either.
    """
    start = time.monotonic()
    plan = _coarse_plan(prep, coarse, incumbent, fixed)
    placed = dict(plan.placed)
    placed.update(plan.stay)
    movers = {theme: [i for i in people if i not in plan.stay]
              for theme, people in plan.theme_people.items()}
    best = spread_by_flow(prep, placed, movers, dict(plan.slots), clock.share(0.3))
    best_scores = scores(prep, [best[i] for i in range(prep.n_people)])
    flow_wall = time.monotonic() - start
    bounds: dict[str, float | None] = {"organization": None, "diversity": None}
    proven = {"organization": False, "diversity": False}
    walls = {"organization": flow_wall / 2, "diversity": flow_wall / 2}
    detail = ("organisations spread by min-cost flow and genders and countries by swaps, "
              "within the group sizes and sector counts of the preference stages")
    classes = make_classes(prep, anonymous, True, worst)
    groups = list(range(len(prep.problem.groups)))
    estimate = sum(sum(1 for g in groups if k.ranks[prep.group_theme[g]] <= worst)
                   for k in classes)
    if estimate <= FINE_GLOBAL_LIMIT:
        fine = CountModel(prep, groups=groups, classes=classes, units=free_units, fixed=fixed,
                          pools=[[g] for g in groups], max_rank=worst, spread=True)
        for stage in stages:
            expr = {"balance": fine.balance, "moves": fine.moves, "rank_sum": fine.rank_sum}
            if stage.name in expr:
                fine.cap(expr[stage.name], stage.objective, stage.name)
        org = fine.solve(fine.org_excess, min(SPREAD_STAGE_MAX_S, clock.share(0.5)))
        walls["organization"] += org.wall_s
        if org.status in ("optimal", "feasible"):
            bounds["organization"] = org.bound
            proven["organization"] = org.status == "optimal"
            fine.cap(fine.org_excess, org.objective, "organization")
            div = fine.solve(fine.div_excess, min(SPREAD_STAGE_MAX_S, clock.share(0.9)),
                             hint=org.values)
            walls["diversity"] += div.wall_s
            values = div.values if div.status in ("optimal", "feasible") else org.values
            if div.status in ("optimal", "feasible"):
                bounds["diversity"] = div.bound
                proven["diversity"] = div.status == "optimal"
            exact = dict(fixed)
            exact.update(extract_fine(fine, values))
            exact_scores = scores(prep, [exact[i] for i in range(prep.n_people)])
            key = (exact_scores.organization, exact_scores.diversity)
            if key <= (best_scores.organization, best_scores.diversity):
                best, best_scores = exact, exact_scores
                detail = "exact fine model (organisation, gender and country per group)"
    out = []
    org_optimal = False
    for name in ("organization", "diversity"):
        value = getattr(best_scores, name)
        bound = bounds[name]
        # Diversity is only proven under a proven organisation optimum.
        optimal = proven[name] and bound == value and (name == "organization" or org_optimal)
        org_optimal = org_optimal or (name == "organization" and optimal)
        out.append(Stage(name, value, bound, "optimal" if optimal else "feasible",
                         walls[name], "" if optimal else detail))
    return best, out


class _Plan:
    """The coarse answer: where units and pinned people are, and who goes to which theme."""

    def __init__(self) -> None:
        self.placed: dict[int, int] = {}
        self.theme_people: dict[int, list[int]] = defaultdict(list)
        self.stay: dict[int, int] = {}  # person -> previous group, kept
        self.slots: dict[tuple[int, int], int] = defaultdict(int)


def _coarse_plan(prep: Prepared, coarse: CountModel, values: dict,
                 fixed: dict[int, int]) -> _Plan:
    """Who goes to which theme, who stays, and how many of each sector each group gets."""
    plan = _Plan()
    theme_of = prep.group_theme
    plan.placed.update(fixed)
    for (u, g), v in coarse.unit_var.items():
        if values[v] > 0.5:
            for i in prep.units[u]:
                plan.placed[i] = g

    def to_pools(members: list[int], table: dict, key: int, sector: int) -> None:
        quotas: list[tuple[Hashable, int]] = []
        for p, pool in enumerate(coarse.pools):
            v = table.get((key, p))
            if v is not None:
                n = round(values[v])
                quotas.append((p, n))
                if len(pool) == 1:
                    plan.slots[pool[0], sector] += n
        for p, people in apportion(prep, members, quotas).items():
            plan.theme_people[theme_of[coarse.pools[p][0]]] += people

    leavers: dict[int, list[int]] = defaultdict(list)
    for k, klass in enumerate(coarse.classes):
        if klass.prev is None:
            to_pools(klass.members, coarse.take, k, klass.sector)
            continue
        n = round(values[coarse.stay[k]]) if k in coarse.stay else 0
        split = apportion(prep, klass.members, [("stay", n), ("leave", klass.size - n)])
        plan.stay.update({i: klass.prev for i in split["stay"]})
        plan.theme_people[theme_of[klass.prev]] += split["stay"]
        leavers[coarse.mover_of[k]] += split["leave"]
    for mi, people in leavers.items():
        sector = coarse.classes[coarse.movers[mi][0]].sector
        to_pools(sorted(people), coarse.move_take, mi, sector)
    for (g, s), z in coarse.zvars.items():
        plan.slots[g, s] += round(values[z])
    return plan
