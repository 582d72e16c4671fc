"""lp.py hands HiGHS and CP-SAT the model MathOpt's Python layer would, and reads their
answers as it would; the engine never loads that layer (nor numpy): the cold start."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import allocator.solver.engine as engine
from allocator.solver import lp, parse_problem, solve
from benchmarks.instances import instance


def _knapsack() -> tuple[lp.Mip, lp.Lin]:
    """max 5a + 4b + 3c s.t. 2a + 3b + c <= 5, 4a + b + 2c <= 11, 3a + 4b + 2c <= 8."""
    m = lp.Mip()
    a, b, c = (m.var(0, 10) for _ in range(3))
    m.row([(2, a), (3, b), (1, c)], -lp.INF, 5)
    m.row([(4, a), (1, b), (2, c)], -lp.INF, 11)
    m.row([(3, a), (4, b), (2, c)], -lp.INF, 8)
    return m, lp.Lin({a: -5, b: -4, c: -3})


def test_a_small_mip_and_its_relaxation() -> None:
    m, goal = _knapsack()
    exact = lp.solve(m.proto(goal), time_limit_s=10, seed=0, gaps=(0.0, 0.999))
    assert (exact.reason, round(exact.objective)) == ("optimal", -13)
    assert goal.value(exact.values) == pytest.approx(-13)
    relaxed = lp.solve(m.proto(goal), time_limit_s=10, relaxation=True)
    assert relaxed.reason == "optimal" and relaxed.objective < -13 + 1e-9
    m.row([(1, 0), (1, 1), (1, 2)], 20, lp.INF)  # more than the rows allow
    assert lp.solve(m.proto(goal), time_limit_s=10).reason == "infeasible"


def test_the_relaxation_is_the_lp() -> None:
    """2x = 1 with x whole: no integer answer, but the LP's x = 0.5."""
    m = lp.Mip()
    x = m.var(0, 1)
    m.row([(2, x)], 1, 1)
    assert lp.solve(m.proto(lp.Lin({x: 1})), time_limit_s=10).reason == "infeasible"
    relaxed = lp.solve(m.proto(lp.Lin({x: 1})), time_limit_s=10, relaxation=True)
    assert relaxed.reason == "optimal" and relaxed.values[x] == pytest.approx(0.5)


@pytest.mark.parametrize("backend", ["highs", "cp-sat"])
def test_the_answer_is_mathopts_own(backend, monkeypatch) -> None:
    """The 240-person model's rank-sum solve through lp.solve and through MathOpt's Python
    ``solve`` on the same proto: the same status, objective, bound and values."""
    from ortools.math_opt.python import mathopt
    from ortools.sat import sat_parameters_pb2

    captured = {}
    original = lp.solve

    def keep(proto, **kwargs):
        out = original(proto, **kwargs)
        if "proto" not in captured and kwargs.get("hint"):
            captured.update(proto=proto, kwargs=kwargs, out=out)
        return out

    monkeypatch.setattr(lp, "solve", keep)
    monkeypatch.setattr(engine, "SIZED_RANGE", (0, 0))  # the full MIP, from a hint
    solve(parse_problem(instance("rules", seed=2, time_limit_s=60)))
    proto, kwargs = captured["proto"], dict(captured["kwargs"], backend=backend,
                                           node_limit=50, deterministic_s=0.5)
    ours = original(proto, **kwargs)
    model = mathopt.Model.from_model_proto(proto)
    common = {"random_seed": kwargs["seed"], "relative_gap_tolerance": 0.0,
              "absolute_gap_tolerance": 0.999}
    if backend == "cp-sat":
        params = mathopt.SolveParameters(**common, threads=1, cp_sat=(
            sat_parameters_pb2.SatParameters(max_deterministic_time=0.5, num_workers=1)))
        kind = mathopt.SolverType.CP_SAT
    else:
        params = mathopt.SolveParameters(**common, node_limit=50)
        kind = mathopt.SolverType.HIGHS
    hint = {model.get_variable(i): v for i, v in kwargs["hint"].items()}
    theirs = mathopt.solve(model, kind, params=params, model_params=mathopt.ModelSolveParameters(
        solution_hints=[mathopt.SolutionHint(variable_values=hint)]))
    assert ours.reason == theirs.termination.reason.name.lower()
    assert ours.objective == pytest.approx(theirs.objective_value())
    assert ours.dual_bound == pytest.approx(theirs.termination.objective_bounds.dual_bound)
    assert ours.values == {v.id: x for v, x in theirs.variable_values().items()}


def test_the_cli_loads_neither_mathopts_python_layer_nor_numpy(tmp_path) -> None:
    """Importing them cost 0.25 s of a 0.40 s cold start (docs/benchmarks.md)."""
    problem = tmp_path / "problem.json"
    problem.write_text(json.dumps(instance("workshop", time_limit_s=10)))
    code = ("import runpy, sys; sys.argv = ['allocator.solver', sys.argv[1], '--no-timings'];"
            "exec(\"try:\\n runpy.run_module('allocator.solver', run_name='__main__')\\n"
            "except SystemExit: pass\");"
            "print('LOADED', sorted(m for m in ('numpy', 'ortools.math_opt.python.mathopt')"
            " if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code, str(problem)], capture_output=True,
                         text=True, check=True).stdout
    assert '"status": "optimal"' in out
    assert "LOADED []" in out
