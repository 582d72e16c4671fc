"""The hard rules as one CP-SAT model: is any allocation possible, and if not, which rules
clash — a minimal set, found by the solver, as many independent sets as there are.

People named by a rule (a pin or a pair) are individual booleans per group; everyone else
is interchangeable for the hard rules, so they are counts per group. Each rule (a pin, a
pair, a group's capacity or minimum size, the facilitator rule) has an assumption literal:
CP-SAT's ``sufficient_assumptions_for_infeasibility`` names a set of rules that cannot hold
together, and a deletion filter shrinks it until every rule in it is needed. Solving runs
on one worker with a deterministic-time budget, so the same rules give the same answer.
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass
from typing import Any

from allocator.solver.budget import CHECK_DETERMINISTIC_S, Clock
from allocator.solver.prepare import VETOED, Prepared

# A rule: ("pin", person index), ("together", pair index), ("apart", pair index),
# ("capacity", group index), ("min_size", group index), ("facilitators", 0),
# ("veto", person index: the themes they veto, for a person a pin or pair names) or
# ("vetoes", 0: the vetoes of everyone else, who are counts per group).
Rule = tuple[str, int]
# Deleted first by the filter, so that the sets it keeps name organisers' rules where
# they are the cause, not room sizes that merely take part.
DELETION_ORDER = {"facilitators": 0, "min_size": 1, "capacity": 2, "vetoes": 3, "apart": 4,
                  "together": 5, "veto": 6, "pin": 7}

# Themes up to this many: every set of themes is checked for the counts of people whose
# vetoes leave them only themes inside it; beyond, only unions of their open sets (at
# most HALL_SETS of them).
HALL_ALL_THEMES = 10
HALL_SETS = 1024


def open_themes(prep: Prepared, i: int) -> frozenset[int]:
    """The theme indices person i may be placed in (every theme they do not veto)."""
    return frozenset(t for t, m in enumerate(prep.marks[i]) if m != VETOED)


def hall_sets(prep: Prepared, people: list[int]) -> list[tuple[frozenset[int], int]]:
    """For people placed as counts per group: each set S of themes (short of all) with
    how many of them may only go to themes in S. Counts per group respect everyone's
    vetoes exactly when every such S gets at least that many of them (Hall's theorem)."""
    every = frozenset(range(len(prep.themes)))
    kinds = Counter(open_themes(prep, i) for i in people)
    kinds.pop(every, None)
    if not kinds:
        return []
    if len(prep.themes) <= HALL_ALL_THEMES:
        candidates = {frozenset(c) for n in range(len(prep.themes))
                      for c in itertools.combinations(range(len(prep.themes)), n)}
    else:
        candidates = set(kinds)
        frontier = set(kinds)
        while frontier and len(candidates) < HALL_SETS:
            grown = {a | b for a in frontier for b in kinds} - candidates - {every}
            candidates |= set(itertools.islice(sorted(grown, key=sorted), HALL_SETS))
            frontier = grown
    found = []
    for subset in sorted(candidates, key=lambda c: (len(c), sorted(c))):
        need = sum(n for kind, n in kinds.items() if kind <= subset)
        if need:
            found.append((subset, need))
    return found


def hall_holds(prep: Prepared, people: list[int], counts: list[int]) -> bool:
    """Whether ``counts`` (per group) can seat ``people`` within their vetoes."""
    return veto_cut(prep, people, counts) is None


def veto_cut(prep: Prepared, people: list[int],
             counts: list[int]) -> tuple[frozenset[int], int] | None:
    """None when ``counts`` (per group) can seat ``people`` within their vetoes; else a
    set S of themes and how many of ``people`` can only go to themes in S, more than
    ``counts`` gives S (the minimum cut of a max flow: exact at any number of themes)."""
    from ortools.graph.python import max_flow

    every = frozenset(range(len(prep.themes)))
    kinds = Counter(open_themes(prep, i) for i in people)
    if set(kinds) <= {every}:
        return None
    per_theme = Counter()
    for g, n in enumerate(counts):
        per_theme[prep.group_theme[g]] += n
    order = sorted(kinds, key=sorted)
    n_kinds, n_themes = len(order), len(prep.themes)
    sink = 1 + n_kinds + n_themes
    flow = max_flow.SimpleMaxFlow()
    for k, kind in enumerate(order):
        flow.add_arc_with_capacity(0, 1 + k, kinds[kind])
        for t in sorted(kind):
            flow.add_arc_with_capacity(1 + k, 1 + n_kinds + t, kinds[kind])
    for t in range(n_themes):
        flow.add_arc_with_capacity(1 + n_kinds + t, sink, per_theme[t])
    if flow.solve(0, sink) != flow.OPTIMAL:
        raise RuntimeError("the veto check's max flow failed")
    if flow.optimal_flow() >= len(people):
        return None
    side = set(flow.get_source_side_min_cut())
    subset = frozenset(t for t in range(n_themes) if 1 + n_kinds + t in side)
    return subset, sum(n for kind, n in kinds.items() if kind <= subset)


@dataclass
class Placement:
    """What the hard-rule model found: who with a rule goes where, and counts for the rest."""

    where: dict[int, int]  # person index -> group index, for people with rules
    participants: list[int]  # per group: participants without rules
    facilitators: list[int]  # per group: facilitators without rules


class RuleModel:
    """The hard rules of a prepared problem as a CP-SAT model with assumption literals.

    ``whole=False`` keeps only what organisers' rules say among themselves (pins, pairs and
    the rooms' capacity for the people they name): the check made when a rule is created,
    which must not fail for a shortage of seats or facilitators that exists anyway.
    """

    def __init__(self, prep: Prepared, *, whole: bool = True) -> None:
        from ortools.sat.python import cp_model

        self.prep = prep
        self.whole = whole
        self.cp_model = cp_model
        model = self.model = cp_model.CpModel()
        groups = prep.problem.groups
        n_groups = len(groups)
        pinned = {i for i, g in enumerate(prep.pin) if g is not None}
        self.people = sorted(set(prep.unit_of) | pinned)
        self.x = {(i, g): model.new_bool_var(f"x{i}_{g}") for i in self.people
                  for g in range(n_groups)}
        for i in self.people:
            model.add_exactly_one(self.x[i, g] for g in range(n_groups))
        self.lits: dict[Rule, Any] = {}

        def literal(rule: Rule) -> Any:
            self.lits[rule] = model.new_bool_var(f"{rule[0]}{rule[1]}")
            return self.lits[rule]

        for i in sorted(pinned):
            model.add(self.x[i, prep.pin[i]] == 1).only_enforce_if(literal(("pin", i)))
        for i in self.people:
            vetoed = [g for g in range(n_groups) if not prep.open_to(i, g)]
            if vetoed:
                lit = literal(("veto", i))
                for g in vetoed:
                    model.add(self.x[i, g] == 0).only_enforce_if(lit)
        for n, (a, b) in enumerate(prep.problem.together):
            ia, ib = prep.pindex[a], prep.pindex[b]
            lit = literal(("together", n))
            for g in range(n_groups):
                model.add(self.x[ia, g] == self.x[ib, g]).only_enforce_if(lit)
        for n, (a, b) in enumerate(prep.problem.apart):
            ia, ib = prep.pindex[a], prep.pindex[b]
            lit = literal(("apart", n))
            for g in range(n_groups):
                model.add_bool_or([self.x[ia, g].Not(), self.x[ib, g].Not()]).only_enforce_if(
                    lit)
        ruled = set(self.people)
        free_p = sum(1 for i in range(prep.n_people) if i not in ruled and prep.sector_of[i] >= 0)
        free_f = sum(1 for i in range(prep.n_people) if i not in ruled and prep.sector_of[i] < 0)
        self.a = [model.new_int_var(0, free_p if whole else 0, f"a{g}") for g in range(n_groups)]
        self.f = [model.new_int_var(0, free_f if whole else 0, f"f{g}") for g in range(n_groups)]
        if whole:
            model.add(sum(self.a) == free_p)
            model.add(sum(self.f) == free_f)
            free = [i for i in range(prep.n_people) if i not in ruled]
            _add_hall(prep, model, free, self.a, self.f, literal)
        for g, group in enumerate(groups):
            size = sum(self.x[i, g] for i in self.people) + self.a[g] + self.f[g]
            model.add(size <= group.capacity).only_enforce_if(literal(("capacity", g)))
            if whole and group.min_size:
                model.add(size >= group.min_size).only_enforce_if(literal(("min_size", g)))
        if whole and prep.facilitator_rule():
            lo, hi = prep.fac_bounds
            lit = literal(("facilitators", 0))
            for g in range(n_groups):
                fac = sum(self.x[i, g] for i in self.people if prep.sector_of[i] < 0) + self.f[g]
                model.add(fac >= lo).only_enforce_if(lit)
                model.add(fac <= hi).only_enforce_if(lit)

    def _solve(self, active: set[Rule], clock: Clock | None,
               deterministic_s: float) -> tuple[str, Any]:
        solver = self.cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = self.prep.problem.seed
        solver.parameters.max_deterministic_time = deterministic_s
        if clock is not None:
            solver.parameters.max_time_in_seconds = max(0.05, clock.left())
        self.model.clear_assumptions()
        self.model.add_assumptions([self.lits[r] for r in sorted(active)])
        status = solver.solve(self.model)
        if status in (self.cp_model.OPTIMAL, self.cp_model.FEASIBLE):
            return "feasible", solver
        if status == self.cp_model.INFEASIBLE:
            return "infeasible", solver
        if clock is not None and clock.left() <= 0.05:
            clock.cut("the check of the hard rules")
        return "unknown", solver

    @property
    def rules(self) -> set[Rule]:
        """Every rule the model holds."""
        return set(self.lits)

    def place(self, clock: Clock | None = None,
              deterministic_s: float = CHECK_DETERMINISTIC_S) -> Placement | None | str:
        """An allocation of the rules' people and the others' counts, ``None`` if the hard
        rules admit none, or ``"unknown"`` if the budget ran out first."""
        status, solver = self._solve(self.rules, clock, deterministic_s)
        if status != "feasible":
            return None if status == "infeasible" else "unknown"
        n_groups = len(self.prep.problem.groups)
        where = {i: next(g for g in range(n_groups) if solver.value(self.x[i, g]))
                 for i in self.people}
        return Placement(where, [solver.value(v) for v in self.a],
                         [solver.value(v) for v in self.f])

    def conflicts(self, clock: Clock | None = None, limit: int = 5,
                  must_include: Rule | None = None) -> list[list[Rule]]:
        """Minimal sets of rules that cannot all hold, disjoint from one another.

        Each set comes from CP-SAT's assumptions core, shrunk by a deletion filter until
        dropping any rule in it would make the rest possible. The rules of a set found are
        then set aside and the search goes on, so independent conflicts are all reported
        (up to ``limit``). ``must_include`` keeps only sets that contain that rule.
        """
        active = set(self.lits)
        found: list[list[Rule]] = []
        while len(found) < limit:
            status, solver = self._solve(active, clock, CHECK_DETERMINISTIC_S)
            if status != "infeasible":
                break
            by_index = {lit.Index(): rule for rule, lit in self.lits.items()}
            core = {by_index[k] for k in solver.sufficient_assumptions_for_infeasibility()
                    if k in by_index} or set(active)
            for rule in sorted(core, key=lambda r: (DELETION_ORDER[r[0]], r[1])):
                trial = core - {rule}
                if not trial:
                    continue
                if self._solve(trial, clock, CHECK_DETERMINISTIC_S)[0] == "infeasible":
                    core = trial
            if must_include is None or must_include in core:
                found.append(sorted(core, key=lambda r: (DELETION_ORDER[r[0]], r[1])))
            active -= core
            if not active:
                break
        return found


def _add_hall(prep: Prepared, model: Any, free: list[int], a: list[Any], f: list[Any],
              literal: Any) -> None:
    """The counts per group respect the vetoes of the people they stand for (Hall's
    condition, see ``hall_sets``), behind the rule ("vetoes", 0) when ``literal`` is given."""
    rows = []
    for counts, kind in ((a, True), (f, False)):
        people = [i for i in free if (prep.sector_of[i] >= 0) == kind]
        for subset, need in hall_sets(prep, people):
            rows.append(sum(counts[g] for g in range(len(counts))
                            if prep.group_theme[g] in subset) >= need)
    if not rows:
        return
    lit = literal(("vetoes", 0)) if literal is not None else None
    for row in rows:
        if lit is None:
            model.add(row)
        else:
            model.add(row).only_enforce_if(lit)


class UnitModel:
    """The hard rules for placing people, fast: no assumption literals (they would keep
    CP-SAT's presolve from simplifying), and people a pair rule joins merged into units
    with one boolean per group, as the count model has them.

    Units with pins inside are fixed; pinned people without pairs are constants. Each
    group gets integer counts of the participants and facilitators without rules. Build,
    add an objective to ``model`` if wanted, then :meth:`place`.
    """

    def __init__(self, prep: Prepared) -> None:
        self.prep = prep
        groups = prep.problem.groups
        n_groups = len(groups)
        self.impossible = False
        self.fixed: dict[int, int] = {}  # person -> group
        self.free_units: list[int] = []
        for u, members in enumerate(prep.units):
            pins = {prep.pin[i] for i in members if prep.pin[i] is not None}
            if len(pins) > 1:
                self.impossible = True  # two pins in one unit: the MUS says which
            elif pins:
                self.fixed.update({i: next(iter(pins)) for i in members})
            else:
                self.free_units.append(u)
        for i, g in enumerate(prep.pin):
            if g is not None and i not in prep.unit_of:
                self.fixed[i] = g
        if any(not prep.open_to(i, g) for i, g in self.fixed.items()):
            self.impossible = True  # pinned (or paired with a pin) into a vetoed theme
        # a free unit may not join a group whose theme one of its people vetoes
        barred: dict[int, set[int]] = {
            u: {g for g in range(n_groups) if not all(prep.open_to(i, g) for i in prep.units[u])}
            for u in self.free_units}
        self.barred = barred
        for ua, ub in prep.apart_units:
            if ua == ub:
                self.impossible = True  # kept apart and together at once
            fa = self.fixed.get(prep.units[ua][0])
            fb = self.fixed.get(prep.units[ub][0])
            if fa is not None and fa == fb:
                self.impossible = True
            if fa is not None and ub in barred:
                barred[ub].add(fa)
            if fb is not None and ua in barred:
                barred[ua].add(fb)
        self.x: dict[tuple[int, int], Any] = {}
        self.a: list[Any] = []
        self.f: list[Any] = []
        for u in self.free_units:
            size = len(prep.units[u])
            if not any(g not in barred[u] and size <= groups[g].capacity
                       for g in range(n_groups)):
                self.impossible = True
        self.built = False

    def build(self) -> None:
        """Create the CP-SAT variables and constraints (only when the greedy placement
        of :mod:`construct` did not work out: at 10,000 people this takes seconds)."""
        if self.built:
            return
        from ortools.sat.python import cp_model  # only now: the import is large

        self.built = True
        self.cp_model = cp_model
        self.model = cp_model.CpModel()
        prep, model = self.prep, self.model
        groups = prep.problem.groups
        n_groups = len(groups)
        barred = self.barred
        for u in self.free_units:
            size = len(prep.units[u])
            options = [g for g in range(n_groups)
                       if g not in barred[u] and size <= groups[g].capacity]
            for g in options:
                self.x[u, g] = model.new_bool_var(f"u{u}_{g}")
            if not options:
                self.impossible = True
                continue
            model.add_exactly_one(self.x[u, g] for g in options)
        free = set(self.free_units)
        for ua, ub in prep.apart_units:
            if ua in free and ub in free:
                for g in range(n_groups):
                    if (ua, g) in self.x and (ub, g) in self.x:
                        model.add_bool_or([self.x[ua, g].Not(), self.x[ub, g].Not()])
        ruled = set(self.fixed) | {i for u in self.free_units for i in prep.units[u]}
        free_p = sum(1 for i in range(prep.n_people) if i not in ruled and prep.sector_of[i] >= 0)
        free_f = sum(1 for i in range(prep.n_people) if i not in ruled and prep.sector_of[i] < 0)
        self.a = [model.new_int_var(0, free_p, f"a{g}") for g in range(n_groups)]
        self.f = [model.new_int_var(0, free_f, f"f{g}") for g in range(n_groups)]
        model.add(sum(self.a) == free_p)
        model.add(sum(self.f) == free_f)
        _add_hall(prep, model, [i for i in range(prep.n_people) if i not in ruled],
                  self.a, self.f, None)
        const_size = [0] * n_groups
        const_fac = [0] * n_groups
        for i, g in self.fixed.items():
            const_size[g] += 1
            const_fac[g] += prep.sector_of[i] < 0
        lo, hi = prep.fac_bounds
        for g, group in enumerate(groups):
            unit_terms = [len(prep.units[u]) * self.x[u, g] for u in self.free_units
                          if (u, g) in self.x]
            fac_terms = [sum(1 for i in prep.units[u] if prep.sector_of[i] < 0) * self.x[u, g]
                         for u in self.free_units if (u, g) in self.x]
            size = sum(unit_terms) + self.a[g] + self.f[g] + const_size[g]
            model.add(size <= group.capacity)
            if group.min_size:
                model.add(size >= group.min_size)
            if prep.facilitator_rule():
                fac = sum(fac_terms) + self.f[g] + const_fac[g]
                model.add(fac >= lo)
                model.add(fac <= hi)

    def place(self, clock: Clock | None, deterministic_s: float) -> Placement | None | str:
        """Solve (with whatever objective was added): a placement, ``None`` if the hard
        rules admit none, or ``"unknown"`` if the budget ran out first. Beyond
        ``HALL_ALL_THEMES`` the vetoes' rows may miss a set of themes; a placement whose
        counts cannot seat the people with vetoes adds that set's row and solves again."""
        if self.impossible:
            return None
        self.build()
        ruled = set(self.fixed) | {i for u in self.free_units for i in self.prep.units[u]}
        free = [i for i in range(self.prep.n_people) if i not in ruled]
        groups = range(len(self.prep.problem.groups))
        while True:
            found = self._place(clock, deterministic_s)
            if not isinstance(found, Placement):
                return found
            cut = None
            for counts, kind in ((found.participants, True), (found.facilitators, False)):
                people = [i for i in free if (self.prep.sector_of[i] >= 0) == kind]
                cut = veto_cut(self.prep, people, counts)
                if cut is not None:
                    variables = self.a if kind else self.f
                    self.model.add(sum(variables[g] for g in groups
                                       if self.prep.group_theme[g] in cut[0]) >= cut[1])
                    break
            if cut is None:
                return found

    def _place(self, clock: Clock | None, deterministic_s: float) -> Placement | None | str:
        solver = self.cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = self.prep.problem.seed
        solver.parameters.max_deterministic_time = deterministic_s
        if clock is not None:
            solver.parameters.max_time_in_seconds = max(0.05, clock.working_left())
        status = solver.solve(self.model)
        if status == self.cp_model.INFEASIBLE:
            return None
        if status not in (self.cp_model.OPTIMAL, self.cp_model.FEASIBLE):
            if clock is not None and clock.working_left() <= 0.05:
                clock.cut("the placement of people with rules")
            return "unknown"
        if status == self.cp_model.FEASIBLE and clock is not None \
                and solver.wall_time >= clock.working_left() - 0.01:
            clock.cut("the placement of people with rules")
        where = dict(self.fixed)
        for (u, g), var in self.x.items():
            if solver.value(var):
                where.update({i: g for i in self.prep.units[u]})
        return Placement(where, [solver.value(v) for v in self.a],
                         [solver.value(v) for v in self.f])
