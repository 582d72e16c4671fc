"""The stages, in priority order, after a complete first answer.

0. hard rules and a first answer (:mod:`construct`): always, in a fraction of the limit
1. hard rules hold throughout (vetoes too)     2. sector balance excess
3. moves against ``previous`` (when given)     4. evenness of group sizes within a theme
5. worst rank                                  6. people in a theme they did not list
7. rank sum                                    8. organisation excess, then
9. gender and country excess

With ``overflow: "waitlist"`` a selection (:mod:`waitlist`) first decides who is placed;
the stages then run on those people alone.

Stages 2-7 run on one coarse count model, built once; 8-9 on the fine model when it is
small enough, and otherwise by min-cost flows within the numbers stages 2-7 fixed (see
``spread``). Each stage has a work budget (``budget.NODE_LIMIT``) that decides its answer;
the time limit is a safety net: a stage that does not fit is not started, one the clock
cuts keeps the best answer so far, and either makes the answer "not reproducible".
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Hashable

from allocator.solver.assign import apportion, extract_fine
from allocator.solver.budget import (
    ROOT_S_PER_VARIABLE,
    RULES_DETERMINISTIC_S,
    SPREAD_DETERMINISTIC_S,
    SPREAD_S_PER_PERSON,
    Clock,
    mix_budget,
)
from allocator.solver.construct import first_answer, plan_sizes, seats_allow
from allocator.solver.countmodel import CountModel, Outcome, backends_imported, make_classes
from allocator.solver.diagnose import rule_conflicts, shortages
from allocator.solver.evaluate import Scores, hard_violations, scores
from allocator.solver.evenness import even_out
from allocator.solver.explain import explain, explain_moves, measure
from allocator.solver.hint import band, flow_allocation
from allocator.solver.prepare import VETOED, Prepared, prepare
from allocator.solver.problem import Conflict, Problem, Solution, Stage
from allocator.solver.rules import Placement, UnitModel
from allocator.solver.sized import SIZED_RANGE, sized_solve
from allocator.solver.spread import spread_by_flow, swap_within_classes
from allocator.solver.waitlist import placed_problem, select

# Stable re-runs of events larger than this fix the people who stay before the
# preference stages (see _stayers): the exact model stalls HiGHS at 10,000 people.
STABLE_EXACT_LIMIT = 3_000

# A fine model with more class variables than this is not tried even when the organiser
# grants work for it (``mix_s``): building it alone takes a large part of a second.
FINE_GLOBAL_LIMIT = 1_500
# Without ``mix_s`` the exact spread model is solved only when it has at most this many
# class variables: there it costs less than the preference stages before it; beyond, the
# min-cost flows and swaps (a few milliseconds) decide the spread (docs/benchmarks.md).
FINE_DEFAULT_LIMIT = 120

# Building a count model costs at most about this much per variable the estimate counts:
# at 10,000 people the model took 0.89 s on an idle 2-core machine and 1.42-1.49 s beside
# two CPU hogs (benchmarks/limits.py's "build s"); 60 µs leaves room for that. A model that
# would not be built in the time left is not started.
BUILD_S_PER_VARIABLE = 60e-6
# The first model in a process also loads the solvers (MathOpt's core with HiGHS: 0.12-0.17 s
# idle since lp.py; benchmarks/solver.py prints it). Kept at the figure from when MathOpt's
# Python layer and numpy were imported too, as a margin for a loaded machine.
IMPORT_BACKENDS_S = 0.6

# the stages of the preference model after balance (and moves), in their order
PREFERENCE_STAGES = ("evenness", "worst_rank", "unlisted", "rank_sum")

# Above this many variables the joint evenness model is not tried after the theme-by-
# theme one (at 10,000 people HiGHS needed minutes for it; benchmarks/solver.py).
JOINT_EVENNESS_LIMIT = 5_000


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


def _infeasible(conflicts: list[Conflict], clock: Clock) -> Solution:
    return Solution(status="infeasible", assignments={}, conflicts=conflicts,
                    wall_s=clock.elapsed(), reproducible=clock.reproducible,
                    reproducible_detail=clock.detail())


def solve(problem: Problem) -> Solution:
    """Allocate everyone (with a waiting list: as many as fit); see the module docstring."""
    if problem.overflow == "waitlist":
        return _solve_waitlist(problem)
    return _solve(problem, Clock(problem.time_limit_s, people=len(problem.people)))


def _solve_waitlist(problem: Problem) -> Solution:
    """Select who is placed, then the stages on those people; the rest wait, in order."""
    clock = Clock(problem.time_limit_s, people=len(problem.people))
    selection = select(prepare(problem))
    ids = {problem.people[i].id for i in selection.placed}
    placed = placed_problem(problem, ids)
    # one clock for both: the limit covers the selection too
    solution = _solve(placed, Clock(problem.time_limit_s, people=len(placed.people),
                                    start=clock.start))
    solution.overflow = "waitlist"
    solution.unplaced = selection.unplaced
    solution.metrics.update(placed=len(ids), unplaced=len(selection.unplaced))
    return solution


def _solve(problem: Problem, clock: Clock) -> Solution:
    """The engine proper: every person of ``problem`` placed, or why not."""
    prep = prepare(problem)
    found = shortages(prep)
    if found:
        return _infeasible(found, clock)
    if not problem.people:
        nothing = [Stage(name, 0, 0, "optimal") for name in
                   ("balance", "evenness", "worst_rank", "unlisted", "rank_sum",
                    "organization", "diversity")]
        return Solution(status="optimal", assignments={}, stages=nothing,
                        metrics=measure(prep, []), wall_s=clock.elapsed())
    planned = plan_sizes(prep, clock)
    if planned == "unknown":
        # The clock ran out before the hard rules were decided: decide them anyway (an
        # answer late is better than none), on the work budget alone, without shaping.
        clock.cut("the check of the hard rules")
        planned = UnitModel(prep).place(None, RULES_DETERMINISTIC_S)
    if planned is None:
        conflicts = rule_conflicts(prep, clock) or [Conflict(
            "combination", "The pins, pairs, sizes and facilitator rules cannot all hold.")]
        return _infeasible(conflicts, clock)
    if planned == "unknown":
        raise TimeoutError("the hard rules could not be decided within the work budget")
    where = first_answer(prep, planned)
    first_s = clock.elapsed()
    staged = _Stages(prep, clock, where, planned)
    staged.run()
    where = staged.where
    broken = hard_violations(prep, where)
    if broken:
        raise AssertionError("solver produced an invalid allocation: " + "; ".join(broken))
    achieved = scores(prep, where)
    _check_consistent(staged.stages, achieved)
    status = "optimal" if all(s.status == "optimal" for s in staged.stages) else "feasible"
    gid = [g.id for g in problem.groups]
    return Solution(
        status=status,
        assignments={p.id: gid[where[i]] for i, p in enumerate(problem.people)},
        stages=staged.stages,
        metrics=measure(prep, where),
        reasons=explain(prep, where),
        moves=explain_moves(prep, where) if problem.previous else {},
        wall_s=clock.elapsed(),
        reproducible=clock.reproducible,
        reproducible_detail=clock.detail(),
        timeline={"first_answer": first_s, **staged.timeline, **clock.marks},
    )


def _check_consistent(stages: list[Stage], achieved: Scores) -> None:
    for stage in stages:
        actual = getattr(achieved, stage.name)
        if stage.objective is not None and actual != stage.objective:
            raise AssertionError(
                f"stage {stage.name}: model says {stage.objective}, allocation has {actual}")


class _Stages:
    """Runs stages 2-8 on a first answer, keeping the best allocation found so far."""

    def __init__(self, prep: Prepared, clock: Clock, where: list[int],
                 placement: Placement | None = None) -> None:
        self.prep = prep
        self.clock = clock
        self.where = where
        self.placement = placement
        self.stages: list[Stage] = []
        self.timeline: dict[str, float] = {}
        self.fixed, self.free_units = _fixed_and_units(prep)
        in_unit_or_fixed = set(self.fixed) | set(prep.unit_of)
        self.anonymous = [i for i in range(prep.n_people) if i not in in_unit_or_fixed]
        # the worst rank any option has (vetoed themes are no options)
        self.worst_possible = max((r for i in range(prep.n_people)
                                   for r, m in zip(prep.ranks[i], prep.marks[i], strict=True)
                                   if m != VETOED), default=1)
        self.no_model = ""  # why no model was built, when none was

    # --- helpers ----------------------------------------------------------------------

    def _skip(self, names: tuple[str, ...] | list[str], why: str) -> None:
        """Stages not run: their value is the current answer's, with no bound claimed
        (but zero, where the answer has it, is proven: nothing is below it)."""
        now = scores(self.prep, self.where)
        for name in names:
            value = getattr(now, name)
            if value == 0 and name != "worst_rank":
                self.stages.append(Stage(name, 0, 0, "optimal", 0.0))
                continue
            self.clock.cut_stage(name)
            self.stages.append(Stage(name, value, None, "feasible", 0.0, f"not run: {why}"))

    def _model(self, classes, fixed: dict[int, int], max_rank: int, pools: list[list[int]],
               spread: bool) -> CountModel | None:
        """Build a count model if the time left allows it, else None."""
        groups = list(range(len(self.prep.problem.groups)))
        theme_of = self.prep.group_theme
        themes = [theme_of[pool[0]] for pool in pools]
        # one variable per class and pool it may choose (its rank there within max_rank)
        estimate = sum(sum(1 for t in themes if k.ranks[t] <= max_rank and k.open(t))
                       for k in classes)
        estimate += len(self.free_units) * len(groups)
        if spread:  # one binary per possible size of each group
            estimate += sum(self.prep.problem.groups[g].capacity + 1
                            - (self.prep.problem.groups[g].min_size or 0) for g in groups)
        imports = 0.0 if backends_imported() else IMPORT_BACKENDS_S
        # a model is worth building only with time to build it and to solve it once
        needed = estimate * (BUILD_S_PER_VARIABLE + ROOT_S_PER_VARIABLE) + imports
        if needed > self.clock.working_left():
            self.no_model = ("the time limit left no time to build the model" if not imports
                             else "the time limit left no time to load the solver (a "
                             "process's first allocation does) and build the model")
            return None
        started = self.clock.elapsed()
        model = CountModel(self.prep, groups=groups, classes=classes, units=self.free_units,
                           fixed=fixed, pools=pools, max_rank=max_rank, spread=spread)
        if "model_built" not in self.timeline:  # the first model: what the estimate is for
            self.timeline.update(model_started=started, model_built=self.clock.elapsed())
        return model

    @staticmethod
    def _keep(model: CountModel, expr, out: Outcome, incumbent: dict) -> Outcome:
        """A stage that found nothing better keeps the incumbent, with the bound it proved."""
        value = model.value(expr, incumbent)
        if out.status in ("optimal", "feasible") and out.objective <= value:
            return out
        bound = out.bound if out.bound is not None else (
            value if out.status == "infeasible" else None)
        status = "optimal" if bound is not None and bound >= value else "feasible"
        return Outcome(status, value, bound, incumbent, out.wall_s, out.cut_by_clock)

    def _stage(self, name: str, model: CountModel, expr, incumbent: dict) -> tuple[dict, int]:
        """Minimise one expression from the incumbent; cap it; record the stage."""
        incumbent = model.complete(incumbent)
        value = model.value(expr, incumbent)
        if value == 0:  # nothing below zero: proven without a solve
            self.stages.append(Stage(name, 0, 0, "optimal", 0.0))
            model.cap(expr, 0, name)
            return incumbent, 0
        if self.clock.working_left() <= 0.01:
            # the incumbent's value, not the first answer's (``_skip``): an earlier stage
            # may have moved people since
            self.clock.cut_stage(name)
            self.stages.append(Stage(name, value, None, "feasible", 0.0,
                                     "not run: the time limit left no time"))
            model.cap(expr, value, name)
            return incumbent, value
        solve = self._preference_solve if name in ("unlisted", "rank_sum") else self._solve
        out = self._keep(model, expr, solve(model, expr, name, incumbent), incumbent)
        self.stages.append(Stage(name, out.objective, out.bound, out.status, out.wall_s,
                                 "" if out.status == "optimal" else _why(out)))
        model.cap(expr, out.objective, name)
        return out.values, out.objective

    def _solve(self, model: CountModel, expr, stage: str, hint: dict | None) -> Outcome:
        """One solve of the model, within the work budget and the clock."""
        return model.solve(expr, self.clock, stage, hint=hint)

    def _preference_solve(self, model: CountModel, expr, stage: str,
                          hint: dict | None) -> Outcome:
        """A preference solve: first from the group sizes (``sized.sized_solve``) where the
        model is small and every band is held at zero, then, unless that proved it, the full
        MIP from the better of the two starts; the sized answer and its bound are kept where
        the full solve does no better (or was not run: the clock)."""
        sized = None
        if SIZED_RANGE[0] < model.variables <= SIZED_RANGE[1] and \
                model.capped("balance") == 0:
            sized = sized_solve(model, expr, self.clock, stage)
            if sized is not None:
                if sized.status in ("optimal", "infeasible"):
                    return sized
                if hint is None or sized.objective < model.value(expr, model.complete(hint)):
                    hint = sized.values
        out = model.solve(expr, self.clock, stage, hint=hint)
        if sized is None:
            return out
        if out.status not in ("optimal", "feasible") or out.objective > sized.objective:
            return sized
        if out.status == "feasible" and sized.bound is not None:
            bound = max(out.bound or 0, sized.bound)
            status = "optimal" if bound >= out.objective else "feasible"
            return Outcome(status, out.objective, out.objective if status == "optimal"
                           else bound, out.values, out.wall_s, out.cut_by_clock)
        return out

    # --- the stages -------------------------------------------------------------------

    def run(self) -> None:
        prep = self.prep
        # the model stages leave time for the spread flows, which always run
        self.clock.keep_back(SPREAD_S_PER_PERSON * prep.n_people)
        pools = prep.theme_groups
        fixed = dict(self.fixed)
        anonymous = list(self.anonymous)
        caps: dict[str, int] = {}
        if prep.problem.previous:
            settled = self._stability(pools)
            if settled is None:
                return self._spread(None, None, fixed, anonymous)
            caps, stay_where = settled
            if prep.n_people > STABLE_EXACT_LIMIT:
                stayers = _stayers(prep, anonymous, stay_where)
                fixed.update(stayers)
                anonymous = [i for i in anonymous if i not in stayers]
        # Nobody needs a rank worse than the first answer's worst: options beyond it are
        # left out, and people who differ only there share a class (a smaller model: at
        # 10,000 people 40,592 variables instead of 142,600). Evenness ranks before the
        # preferences, so where the rooms are not even within those options, an even
        # split may need the options left out: the model is built again with all of them.
        level = max(scores(prep, self.where).worst_rank, 1)
        own_balance = not caps  # else the stability model, with every option, settled it
        while True:
            classes = make_classes(prep, anonymous, False, level)
            start = time.monotonic()
            model = self._model(classes, fixed, level, pools, spread=False)
            if model is None:
                done = {s.name for s in self.stages}
                skipped = [n for n in ("balance", *PREFERENCE_STAGES) if n not in done
                           and not (n == "balance" and caps)]
                self._skip(skipped, self.no_model)
                return self._spread(None, None, fixed, anonymous)
            built = time.monotonic() - start
            incumbent = model.values_from(self.where)
            first = len(self.stages)
            if own_balance:
                if model.value(model.balance, incumbent) > 0:
                    # the flow's answer has balance 0, a bound: no solve (rules: 0.3 s)
                    incumbent = self._flow_hint(model, incumbent, level) or incumbent
                incumbent, caps["balance"] = self._stage("balance", model, model.balance,
                                                         incumbent)
            else:
                for name, value in caps.items():
                    model.cap(getattr(model, name), value, name)
            incumbent = self._evenness(model, incumbent)
            # a proof above zero holds only within the options left in: again, with all
            # (brute force found a balance of 2 where a third choice allows 0); an
            # unproven value claims nothing, and rebuilding would only cost time
            settled = all(stage.objective == 0 or stage.status != "optimal"
                          for stage in self.stages[first:])
            if settled or level >= self.worst_possible:
                break
            del self.stages[first:]
            level = self.worst_possible
        if model.variables <= JOINT_EVENNESS_LIMIT:
            incumbent = self._preferences(model, incumbent, fixed, built)
        else:
            incumbent = self._preferences_then_even(model, incumbent, fixed, built)
        self.timeline["preferences"] = self.clock.elapsed()
        if prep.problem.previous and prep.n_people > STABLE_EXACT_LIMIT:
            for stage in self.stages:
                if stage.name in PREFERENCE_STAGES:
                    stage.status, stage.best_bound = "feasible", None
                    stage.detail = ("large stable re-run: the people the stability stage "
                                    "keeps in place were fixed first; only newcomers and "
                                    "movers were optimised, so no bound is claimed")
        self._spread(model, incumbent, fixed, anonymous)

    def _stability(self, pools: list[list[int]]) -> tuple[dict[str, int], list[int]] | None:
        """Stages 2-3 on a model that ignores preferences (they come later): people differ
        only by sector, role and previous group, so it is small."""
        prep = self.prep
        classes = make_classes(prep, self.anonymous, False, ranks_matter=False)
        model = self._model(classes, self.fixed, self.worst_possible, pools, spread=False)
        if model is None:
            self._skip(["balance", "moves", *PREFERENCE_STAGES], self.no_model)
            return None
        incumbent = model.values_from(self.where)
        incumbent, balance = self._stage("balance", model, model.balance, incumbent)
        incumbent, moves = self._stage("moves", model, model.moves, incumbent)
        stay_where = _where_from(prep, model, incumbent, self.fixed, self.clock)
        self.where = stay_where
        return {"balance": balance, "moves": moves}, stay_where

    def _preferences_then_even(self, model: CountModel, incumbent: dict,
                               fixed: dict[int, int], built: float) -> dict:
        """Large models: stages 5-6 without the evenness rows, then each theme re-split.

        With the evenness rows held, HiGHS found no allocation at worst rank 2 in 43 s
        at 10,000 people (benchmarks.md); without them it proves that level in about a
        second. The re-split keeps every rank, the balance and the moves, so the
        preference stages stay proven; evenness is then what the re-split reaches, and
        is proven only where that is zero.
        """
        model.release("evenness")
        found = model.complete(self._preferences(model, incumbent, fixed, built))
        before = model.value(model.evenness, found)
        if before > 0:
            if self.clock.working_left() > 0.01:
                found = even_out(model, found, self.clock)
            else:
                self.clock.cut_stage("evenness")
        value = model.value(model.evenness, found)
        stage = next(s for s in self.stages if s.name == "evenness")
        if value != stage.objective:
            stage.objective, stage.best_bound = value, 0
            stage.status = "optimal" if value == 0 else "feasible"
            stage.detail = "" if value == 0 else (
                "at this size the preference stages are solved without the evenness rows "
                "(HiGHS stalls with them); each theme's people were then re-split over its "
                "groups, keeping every rank")
        model.cap(model.evenness, value, "evenness")
        return found

    def _preferences(self, model: CountModel, incumbent: dict, fixed: dict[int, int],
                     built: float) -> dict:
        """Stages 5-6: the smallest worst rank, then the fewest people in a theme they did
        not list, then the smallest rank sum under both.

        Levels are tried from the lowest possible upwards by bounding the options of the
        one model; a level too low is usually refuted at once by the LP relaxation, and
        the first level that admits an allocation is solved for its next stage directly
        (the unlisted count, or the rank sum where nobody can be placed unlisted).
        """
        prep = self.prep
        lower = max(max((prep.ranks[i][prep.group_theme[g]] for i, g in fixed.items()),
                        default=1), 1)
        current = _worst(model, incumbent)
        proven_below = True
        start = time.monotonic()
        for level in range(lower, current):
            if self.clock.working_left() <= 0.01:
                self.clock.cut_stage("worst_rank")
                proven_below = False
                break
            if not seats_allow(self.prep, level):
                continue  # refuted by counting seats: no model needed
            model.limit_rank(level)
            first = self._listed_first(model, level) if model.unlisted_free \
                else model.rank_sum
            out = self._preference_solve(model, first, "worst_rank", None)
            if out.status == "infeasible":
                continue
            if out.status == "unknown":
                proven_below = False
                continue
            # the solve that found this level is the next stage's, not worst_rank's
            self.stages.append(Stage("worst_rank", level, level if proven_below else lower,
                                     "optimal" if proven_below else "feasible",
                                     time.monotonic() - start + built - out.wall_s))
            if not model.unlisted_free or out.status == "optimal":
                return self._both_settled(model, out)
            found, _ = self._stage("unlisted", model, model.unlisted, out.values)
            found, _ = self._stage("rank_sum", model, model.rank_sum, found)
            return found
        model.limit_rank(current)
        bound = current if proven_below else lower
        self.stages.append(Stage("worst_rank", current, bound,
                                 "optimal" if bound == current else "feasible",
                                 time.monotonic() - start + built,
                                 "" if bound == current else "lower levels undecided within "
                                 "the work budget or the time limit"))
        incumbent = model.complete(incumbent)
        if model.unlisted_free and model.value(model.unlisted, incumbent) > 0 \
                and self.clock.working_left() > 0.01:
            expr = self._listed_first(model, current)
            out = self._keep(model, expr,
                             self._preference_solve(model, expr, "rank_sum", incumbent),
                             incumbent)
            if out.status == "optimal":  # both stages proven by the one solve
                return self._both_settled(model, out)
            incumbent = out.values
        incumbent, _ = self._stage("unlisted", model, model.unlisted, incumbent)
        incumbent, _ = self._stage("rank_sum", model, model.rank_sum, incumbent)
        return incumbent

    def _flow_hint(self, model: CountModel, values: dict, level: int) -> dict | None:
        """The model's values at an allocation with balance 0 (``hint.flow_allocation``)
        that keeps the group sizes, facilitators and pins of ``values``, every rank within
        ``level`` and every hard rule; free rule units move first out of groups whose band
        they overfill. None where none is found (or in a stable re-run, whose moves it
        does not count); nothing is refuted by that."""
        prep = self.prep
        if prep.problem.previous or level < 1:
            return None
        sizes = {g: round(values[model.size[g]]) for g in model.groups}
        facilitators = {g: sizes[g] - round(values[model.n_var[g]]) for g in model.groups}
        unit_at = {u: g for (u, g), var in model.unit_var.items()
                   if round(values.get(var, 0)) == 1}
        if len(unit_at) != len(model.units):
            return None
        unit_at = _units_within_bands(prep, model, sizes, facilitators, unit_at)
        placed = dict(model.fixed)
        for u, g in unit_at.items():
            placed.update({i: g for i in prep.units[u]})
        movable = [i for i in range(prep.n_people) if i not in placed]
        weight = prep.n_people * max(level - 1, 0) + 1
        found = flow_allocation(prep, sizes, facilitators, placed, movable, level, weight)
        if found is None:
            return None
        placed.update(found)
        where = [placed[i] for i in range(prep.n_people)]
        if hard_violations(prep, where):
            return None
        try:
            return model.values_from(where)
        except KeyError:  # an option the model left out (beyond its level): not a hint
            return None

    def _both_settled(self, model: CountModel, out: Outcome) -> dict:
        """Record the unlisted and rank-sum stages from one solve and cap both: proven when
        it is optimal (the unlisted count first by its weight), or, where nobody can be
        placed outside their list, the rank sum with the bound the solve reached."""
        for name, expr in (("unlisted", model.unlisted), ("rank_sum", model.rank_sum)):
            value = model.value(expr, out.values)
            self.stages.append(Stage(name, value, value, "optimal",
                                     out.wall_s if name == "rank_sum" else 0.0))
            model.cap(expr, value, name)
        if out.status != "optimal":  # only the rank sum was left to prove
            rank_sum = self.stages[-1]
            rank_sum.best_bound, rank_sum.status = out.bound, out.status
            rank_sum.detail = _why(out)
        return out.values

    def _listed_first(self, model: CountModel, level: int):  # noqa: ANN202 (MathOpt's)
        """The unlisted count and the rank sum as one objective, lexicographic by weight:
        ``W·unlisted + rank_sum`` with W one more than any two rank sums can differ by at
        worst rank ``level`` (everyone's rank lies in 1..level), so one person fewer
        outside their list always outweighs every rank. One solve instead of two: the
        second stage's solve cost as much as the first (docs/benchmarks.md, issue 29)."""
        weight = self.prep.n_people * max(level - 1, 0) + 1
        return weight * model.unlisted + model.rank_sum

    def _evenness(self, model: CountModel, incumbent: dict) -> dict:
        """Stage 4, even rooms within each theme (part of balance, so before preferences):
        theme by theme first (quick at any size, see ``evenness``), then the joint model
        where it is small enough to be worth a proof."""
        start = time.monotonic()
        expr = model.evenness
        incumbent = model.complete(incumbent)
        if model.value(expr, incumbent) > 0:
            if self.clock.working_left() > 0.01:
                incumbent = even_out(model, incumbent, self.clock)
            else:
                self.clock.cut_stage("evenness")
        value = model.value(expr, incumbent)
        if value == 0 or model.variables <= JOINT_EVENNESS_LIMIT:
            incumbent, _ = self._stage("evenness", model, expr, incumbent)
            self.stages[-1].wall_s = time.monotonic() - start  # the re-split and the solve
            return incumbent
        self.stages.append(Stage("evenness", value, None, "feasible",
                                 time.monotonic() - start,
                                 "each theme's people re-split over its groups, with who goes "
                                 "to which theme kept as the first answer had it"))
        model.cap(expr, value, "evenness")
        return incumbent

    # --- spread -------------------------------------------------------------------------

    def _spread(self, coarse: CountModel | None, incumbent: dict | None,
                fixed: dict[int, int], anonymous: list[int]) -> None:
        """Stages 7-8. The min-cost-flow answer always; the exact fine model when small.

        The better of the two (organisation excess, then diversity) is kept. The fine
        model's bounds hold for the whole problem, so they are reported with either.
        """
        prep, clock = self.prep, self.clock
        clock.keep_back(0.0)
        start = time.monotonic()
        clock.mark("spread_started")
        if coarse is not None and incumbent is not None:
            plan = _coarse_plan(prep, coarse, incumbent, fixed)
        else:
            plan = _plan_from_where(prep, self.where, fixed)
        placed = dict(plan.placed)
        placed.update(plan.stay)
        movers = {theme: [i for i in people if i not in plan.stay]
                  for theme, people in plan.theme_people.items()}
        # Without a model the plan is the current answer's own, so a block the clock
        # leaves no time for keeps it.
        keep = None if coarse is not None else dict(enumerate(self.where))
        best = spread_by_flow(prep, placed, movers, dict(plan.slots), clock, keep=keep)
        best_where = [best[i] for i in range(prep.n_people)]
        if coarse is not None:  # with a model, classes are what its stages could not tell apart
            best_where = swap_within_classes(
                prep, best_where, [k.members for k in coarse.classes if k.size > 1], clock)
        best_scores = scores(prep, best_where)
        flow_wall = time.monotonic() - start
        clock.mark("swaps_done")
        bounds: dict[str, float | None] = {"organization": None, "diversity": None}
        proven = {"organization": False, "diversity": False}
        walls = {"organization": flow_wall / 2, "diversity": flow_wall / 2}
        detail = ("organisations spread by min-cost flow and genders and countries by swaps, "
                  "within the group sizes and sector counts of the preference stages")
        work = 0.0
        fine = None
        if coarse is not None:
            fine, work = self._fine_model(best_where, fixed, anonymous)
        if fine is not None:
            for stage in self.stages:
                if stage.name in ("balance", "moves", "unlisted", "rank_sum", "evenness"):
                    fine.cap(getattr(fine, stage.name), stage.objective, stage.name)
            hint = fine.values_from(best_where)
            org = _fine_solve(fine, fine.org_excess, clock, "organization", hint, work / 2)
            walls["organization"] += org.wall_s
            if org.status in ("optimal", "feasible"):
                bounds["organization"] = org.bound
                proven["organization"] = org.status == "optimal"
                fine.cap(fine.org_excess, org.objective, "organization")
                div = _fine_solve(fine, fine.div_excess, clock, "diversity", org.values,
                                  work / 2)
                walls["diversity"] += div.wall_s
                values = div.values if div.status in ("optimal", "feasible") else org.values
                if div.status in ("optimal", "feasible"):
                    bounds["diversity"] = div.bound
                    proven["diversity"] = div.status == "optimal"
                exact = dict(fixed)
                exact.update(extract_fine(fine, values))
                exact_where = [exact[i] for i in range(prep.n_people)]
                exact_scores = scores(prep, exact_where)
                key = (exact_scores.organization, exact_scores.diversity)
                if key <= (best_scores.organization, best_scores.diversity):
                    best_where, best_scores = exact_where, exact_scores
                    detail = "exact fine model (organisation, gender and country per group)"
        org_optimal = False
        for name in ("organization", "diversity"):
            value = getattr(best_scores, name)
            bound = bounds[name]
            # Diversity is only proven under a proven organisation optimum.
            optimal = proven[name] and bound == value and (name == "organization" or org_optimal)
            org_optimal = org_optimal or (name == "organization" and optimal)
            self.stages.append(Stage(name, value, bound, "optimal" if optimal else "feasible",
                                     walls[name], "" if optimal else detail))
        self.where = best_where

    def _fine_model(self, where: list[int], fixed: dict[int, int],
                    anonymous: list[int]) -> tuple[CountModel | None, float]:
        """The exact spread model around ``where`` and the deterministic seconds its two
        stages may spend together, when it is worth building: tiny (its default budget), or
        granted work by the organiser (``mix_s``) and not too large; built in time."""
        prep = self.prep
        worst = max(prep.ranks[i][prep.group_theme[where[i]]] for i in range(prep.n_people))
        classes = make_classes(prep, anonymous, True, worst)
        groups = list(range(len(prep.problem.groups)))
        granted = mix_budget(prep.problem.mix_s, prep.problem.time_limit_s)
        # counted only as far as the larger limit that applies (at 10,000 people counting
        # them all took 0.5 s to find the model far too large)
        most = max(FINE_GLOBAL_LIMIT if granted > 0 else 0, FINE_DEFAULT_LIMIT)
        estimate = 0
        for k in classes:
            estimate += sum(1 for g in groups if k.ranks[prep.group_theme[g]] <= worst
                            and k.open(prep.group_theme[g]))
            if estimate > most:
                break
        if granted > 0 and estimate <= FINE_GLOBAL_LIMIT:
            work = granted
        elif estimate <= FINE_DEFAULT_LIMIT:
            work = 2 * SPREAD_DETERMINISTIC_S
        else:
            return None, 0.0
        fine = self._model(classes, fixed, worst, [[g] for g in groups], spread=True)
        if fine is None:
            self.clock.cut("the exact spread model")
        return fine, work


def _fine_solve(fine: CountModel, expr, clock: Clock, stage: str, hint: dict,
                work: float) -> Outcome:
    """One exact spread stage: CP-SAT on one worker from the hint, for ``work``
    deterministic seconds (its propagation finds good answers at once). No HiGHS after
    it: HiGHS's nodes have no fixed cost, and a node budget ran into the wall clock
    (issue 28), so its answer depended on the machine's load."""
    return fine.solve(expr, clock, stage, hint=hint, backend="cp-sat", deterministic_s=work)


def _why(out: Outcome) -> str:
    if out.cut_by_clock:
        return "cut by the time limit before its work budget was spent"
    return "work budget spent before the optimum was proven"


def _worst(model: CountModel, values: dict) -> int:
    used = [rank for v, rank in model.ranked if values.get(v, 0) > 0.5]
    return max(used + [model.fixed_worst, 1])


def _stayers(prep: Prepared, anonymous: list[int], where: list[int]) -> dict[int, int]:
    """Who stays in their previous group: everyone the stability stage kept there."""
    return {i: where[i] for i in anonymous
            if prep.previous[i] is not None and where[i] == prep.previous[i]}


class _Plan:
    """The coarse answer: where units and pinned people are, and who goes to which theme."""

    def __init__(self) -> None:
        self.placed: dict[int, int] = {}
        self.theme_people: dict[int, list[int]] = defaultdict(list)
        self.stay: dict[int, int] = {}  # person -> previous group, kept
        self.slots: dict[tuple[int, int], int] = defaultdict(int)


def _plan_from_where(prep: Prepared, where: list[int], fixed: dict[int, int]) -> _Plan:
    """The plan an allocation already is: who goes to which theme, and how many of each
    sector every group receives (for spreading when no model could be built)."""
    plan = _Plan()
    plan.placed.update(fixed)
    for i in prep.unit_of:
        plan.placed.setdefault(i, where[i])
    for i, g in enumerate(where):
        if i in plan.placed:
            continue
        if prep.previous[i] == g:
            plan.stay[i] = g
        plan.theme_people[prep.group_theme[g]].append(i)
        if i not in plan.stay:
            plan.slots[g, prep.sector_of[i]] += 1
    return plan


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
        # those who rank their announced group's theme best stay (a move costs them most)
        ranked = sorted(klass.members, key=lambda i: (prep.ranks[i][theme_of[klass.prev]], i))
        plan.stay.update({i: klass.prev for i in ranked[:n]})
        plan.theme_people[theme_of[klass.prev]] += ranked[:n]
        leavers[coarse.mover_of[k]] += ranked[n:]
    for mi, people in leavers.items():
        sector = coarse.classes[coarse.movers[mi][0]].sector
        to_pools(sorted(people), coarse.move_take, mi, sector)
    for (g, s), z in coarse.zvars.items():
        plan.slots[g, s] += round(values[z])
    return plan


def _units_within_bands(prep: Prepared, model: CountModel, sizes: dict[int, int],
                        facilitators: dict[int, int], unit_at: dict[int, int]) -> dict[int, int]:
    """Free rule units moved, greedily and deterministically, out of groups where the
    placed people (pins and units) alone overfill a sector's band, to a group where they
    fit the band, a seat, the model's options and their apart rules."""
    unit_at = dict(unit_at)
    count: dict[tuple[int, int], int] = defaultdict(int)
    held: dict[int, int] = defaultdict(int)
    for i, g in model.fixed.items():
        count[g, prep.sector_of[i]] += 1
        held[g] += 1
    for u, g in unit_at.items():
        for i in prep.units[u]:
            count[g, prep.sector_of[i]] += 1
            held[g] += 1
    apart: dict[int, set[int]] = defaultdict(set)
    for a, b in prep.apart_units:
        apart[a].add(b)
        apart[b].add(a)

    def high(g: int, s: int) -> int:
        return band(prep, s, sizes[g] - facilitators[g])[1] if s >= 0 else facilitators[g]

    def fits(u: int, g: int) -> bool:
        if (u, g) not in model.unit_var or held[g] + len(prep.units[u]) > sizes[g]:
            return False
        if any(unit_at.get(v) == g or any(model.fixed.get(i) == g for i in prep.units[v])
               for v in apart[u]):
            return False
        extra = Counter(prep.sector_of[i] for i in prep.units[u])
        return all(count[g, s] + n <= high(g, s) for s, n in extra.items())

    for u in sorted(unit_at):
        g = unit_at[u]
        if all(count[g, s] <= high(g, s) for s in {prep.sector_of[i] for i in prep.units[u]}):
            continue
        for i in prep.units[u]:
            count[g, prep.sector_of[i]] -= 1
        held[g] -= len(prep.units[u])
        target = next((h for h in model.groups if h != g and fits(u, h)), g)
        unit_at[u] = target
        for i in prep.units[u]:
            count[target, prep.sector_of[i]] += 1
        held[target] += len(prep.units[u])
    return unit_at


def _where_from(prep: Prepared, model: CountModel, values: dict, fixed: dict[int, int],
                clock: Clock) -> list[int]:
    """An allocation with exactly the model's counts (people dealt within them)."""
    plan = _coarse_plan(prep, model, values, fixed)
    placed = dict(plan.placed)
    placed.update(plan.stay)
    movers = {theme: [i for i in people if i not in plan.stay]
              for theme, people in plan.theme_people.items()}
    where = spread_by_flow(prep, placed, movers, dict(plan.slots), clock)
    return [where[i] for i in range(prep.n_people)]
