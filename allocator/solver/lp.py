"""A MIP as plain lists, solved through the core of OR-Tools' MathOpt (its protos), without
MathOpt's Python model layer.

That layer imports numpy and builds each expression object by object: importing it took
0.25 s of a 0.40 s cold start at 83 people, and building the 240-person model through it
0.036 s of a 0.17 s warm solve (docs/benchmarks.md, issue 28). The core takes the same
``ModelProto`` and parameters MathOpt's ``solve`` passes it, so HiGHS and CP-SAT see the
same model and answer the same (byte for byte on every benchmark instance).

Variables and rows are numbered from 0 in the order they are made; a solution is a dict
from variable number to value.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from dataclasses import dataclass, field
from typing import Any

INF = float("inf")


def imported() -> bool:
    """True once this process has loaded the solvers (the first solve does)."""
    return "ortools.math_opt.core.python.solver" in sys.modules


class Lin:
    """A linear expression over a model's variables by number: ``{number: coefficient}``
    and a constant. Plain Python: building or evaluating it costs a dict operation per term."""

    __slots__ = ("terms", "const")

    def __init__(self, terms: dict[int, float] | None = None, const: float = 0) -> None:
        self.terms = terms if terms is not None else {}
        self.const = const

    @staticmethod
    def of(pairs: Any, const: float = 0) -> Lin:
        """The sum of ``(coefficient, number)`` pairs and a constant."""
        terms: dict[int, float] = {}
        for c, i in pairs:
            terms[i] = terms.get(i, 0) + c
        return Lin(terms, const)

    def __add__(self, other: Lin | float) -> Lin:
        if isinstance(other, Lin):
            terms = dict(self.terms)
            for i, c in other.terms.items():
                terms[i] = terms.get(i, 0) + c
            return Lin(terms, self.const + other.const)
        return Lin(dict(self.terms), self.const + other)

    __radd__ = __add__

    def __mul__(self, k: float) -> Lin:
        return Lin({i: c * k for i, c in self.terms.items()}, self.const * k)

    __rmul__ = __mul__

    def value(self, values: dict[int, float]) -> float:
        """The expression at ``values`` (KeyError where one of its variables has none)."""
        return sum(c * values[i] for i, c in self.terms.items()) + self.const


class Mip:
    """Variables (bounds, integrality) and rows (``lb <= sum(c·x) <= ub``) as lists."""

    def __init__(self) -> None:
        self.lb: list[float] = []
        self.ub: list[float] = []
        self.integer: list[bool] = []
        self.rows: list[tuple[dict[int, float], float, float] | None] = []  # None: deleted
        self._matrix: tuple[list[int], list[int], list[float], list[int]] | None = None
        self._seen = 0  # rows already in ``_matrix``

    @property
    def n_vars(self) -> int:
        """How many variables the model has."""
        return len(self.lb)

    def var(self, lb: float, ub: float, integer: bool = True) -> int:
        """A new variable's number."""
        self.lb.append(lb)
        self.ub.append(ub)
        self.integer.append(integer)
        return len(self.lb) - 1

    def row(self, pairs: Any, lb: float, ub: float) -> int:
        """A new row ``lb <= sum(c·x_i) <= ub`` over ``(c, i)`` pairs; its number."""
        terms: dict[int, float] = {}
        for c, i in pairs:
            terms[i] = terms.get(i, 0) + c
        self.rows.append((terms, lb, ub))
        return len(self.rows) - 1

    def constrain(self, expr: Lin, lb: float, ub: float) -> int:
        """A new row ``lb <= expr <= ub`` (its constant moved to the bounds); its number."""
        return self.row(((c, i) for i, c in expr.terms.items()), lb - expr.const,
                        ub - expr.const)

    def copy(self) -> Mip:
        """An independent copy (the row entries gathered so far are copied, not rebuilt)."""
        other = Mip()
        other.lb, other.ub, other.integer = list(self.lb), list(self.ub), list(self.integer)
        other.rows = list(self.rows)
        if self._matrix is not None:
            row_ids, column_ids, coefficients, live = self._matrix
            other._matrix = (list(row_ids), list(column_ids), list(coefficients), list(live))
            other._seen = self._seen
        return other

    def delete_row(self, r: int) -> None:
        """Drop row ``r`` (its number is not reused)."""
        self.rows[r] = None
        self._matrix = None

    def proto(self, objective: Lin | None = None) -> Any:
        """The model as MathOpt's ``ModelProto``, minimising ``objective``."""
        from ortools.math_opt import model_pb2

        proto = model_pb2.ModelProto()
        variables = proto.variables
        variables.ids.extend(range(len(self.lb)))
        variables.lower_bounds.extend(self.lb)
        variables.upper_bounds.extend(self.ub)
        variables.integers.extend(self.integer)
        row_ids, column_ids, coefficients, live = self._entries()
        constraints = proto.linear_constraints
        constraints.ids.extend(live)
        rows = self.rows
        constraints.lower_bounds.extend(rows[r][1] for r in live)  # type: ignore[index]
        constraints.upper_bounds.extend(rows[r][2] for r in live)  # type: ignore[index]
        matrix = proto.linear_constraint_matrix
        matrix.row_ids.extend(row_ids)
        matrix.column_ids.extend(column_ids)
        matrix.coefficients.extend(coefficients)
        if objective is not None:
            goal = sorted((i, c) for i, c in objective.terms.items() if c)
            proto.objective.offset = objective.const
            proto.objective.linear_coefficients.ids.extend(i for i, _ in goal)
            proto.objective.linear_coefficients.values.extend(c for _, c in goal)
        return proto

    def _entries(self) -> tuple[list[int], list[int], list[float], list[int]]:
        """The rows' nonzeros in row-major order and the live rows' numbers: kept between
        solves and extended as rows are added (a deletion starts them again)."""
        if self._matrix is None:
            self._matrix = ([], [], [], [])
            self._seen = 0
        row_ids, column_ids, coefficients, live = self._matrix
        for r in range(self._seen, len(self.rows)):
            row = self.rows[r]
            if row is None:
                continue
            terms = row[0]
            for i in sorted(terms):
                c = terms[i]
                if c:
                    row_ids.append(r)
                    column_ids.append(i)
                    coefficients.append(c)
            live.append(r)
        self._seen = len(self.rows)
        return row_ids, column_ids, coefficients, live


@dataclass
class Result:
    """What one solve returned."""

    reason: str  # optimal | infeasible | feasible | no_solution | other
    time_cut: bool
    objective: float | None = None
    dual_bound: float | None = None
    values: dict[int, float] = field(default_factory=dict)
    nodes: int = 0
    iterations: int = 0
    wall_s: float = 0.0

    @property
    def has_solution(self) -> bool:
        """Whether a feasible solution came back."""
        return self.objective is not None


def solve(proto: Any, *, backend: str = "highs", time_limit_s: float, seed: int | None = None,
          node_limit: int | None = None, gaps: tuple[float, float] | None = None,
          presolve_off: bool = False, relaxation: bool = False,
          deterministic_s: float | None = None, hint: dict[int, float] | None = None
          ) -> Result:
    """Solve ``proto`` with HiGHS (or CP-SAT on one worker for ``deterministic_s``), within
    ``node_limit`` nodes and ``time_limit_s`` seconds; ``gaps`` (relative, absolute) stop it
    when proven that close; ``relaxation`` solves the LP relaxation (HiGHS only)."""
    from ortools.math_opt import (
        callback_pb2,
        model_parameters_pb2,
        parameters_pb2,
        result_pb2,
        solution_pb2,
    )
    from ortools.math_opt.core.python import solver

    start = time.monotonic()
    params = parameters_pb2.SolveParametersProto()
    params.time_limit.FromTimedelta(dt.timedelta(seconds=time_limit_s))
    if seed is not None:
        params.random_seed = seed
    if gaps is not None:
        params.relative_gap_tolerance, params.absolute_gap_tolerance = gaps
    if backend == "cp-sat":
        from ortools.sat import sat_parameters_pb2

        params.threads = 1
        params.cp_sat.CopyFrom(sat_parameters_pb2.SatParameters(
            max_deterministic_time=deterministic_s, num_workers=1))
        solver_type = parameters_pb2.SOLVER_TYPE_CP_SAT
    else:
        if node_limit is not None:
            params.node_limit = node_limit
        if presolve_off:
            params.presolve = parameters_pb2.EMPHASIS_OFF
        if relaxation:
            params.highs.bool_options["solve_relaxation"] = True
        solver_type = parameters_pb2.SOLVER_TYPE_HIGHS
    model_params = model_parameters_pb2.ModelSolveParametersProto()
    if hint:
        ids = sorted(hint)
        given = model_params.solution_hints.add().variable_values
        given.ids.extend(ids)
        given.values.extend(hint[i] for i in ids)
    out = solver.solve(proto, solver_type, parameters_pb2.SolverInitializerProto(), params,
                       model_params, None, callback_pb2.CallbackRegistrationProto(), None, None)
    termination = out.termination
    reasons = {result_pb2.TERMINATION_REASON_OPTIMAL: "optimal",
               result_pb2.TERMINATION_REASON_INFEASIBLE: "infeasible",
               result_pb2.TERMINATION_REASON_FEASIBLE: "feasible",
               result_pb2.TERMINATION_REASON_NO_SOLUTION_FOUND: "no_solution"}
    result = Result(reasons.get(termination.reason, "other"),
                    termination.limit == result_pb2.LIMIT_TIME,
                    nodes=out.solve_stats.node_count,
                    iterations=out.solve_stats.simplex_iterations)
    if out.solutions and out.solutions[0].HasField("primal_solution"):
        primal = out.solutions[0].primal_solution
        if primal.feasibility_status == solution_pb2.SOLUTION_STATUS_FEASIBLE:
            result.objective = primal.objective_value
            result.values = dict(zip(primal.variable_values.ids,
                                     primal.variable_values.values, strict=True))
    if termination.HasField("objective_bounds"):
        result.dual_bound = termination.objective_bounds.dual_bound
    else:  # older results carry it in the statistics (as MathOpt's own reading does)
        result.dual_bound = out.solve_stats.best_dual_bound
    result.wall_s = time.monotonic() - start
    return result
