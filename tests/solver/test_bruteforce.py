"""On tiny problems the answer equals brute force on every policy stage."""

from __future__ import annotations

import os

import pytest

from allocator.solver import parse_problem, solution_to_dict, solve
from tests.solver.checker import brute_force, stage_order, stage_values, violations
from tests.solver.generate import tiny_problem


@pytest.mark.parametrize("seed", range(int(os.environ.get("BRUTE_FORCE_SEEDS", "150"))))
def test_matches_brute_force(seed):
    problem = tiny_problem(seed)
    best, valid = brute_force(problem)
    solution = solution_to_dict(solve(parse_problem(problem)))
    if best is None:
        assert solution["status"] == "infeasible", solution
        assert solution["conflicts"] and all(c["message"] for c in solution["conflicts"])
        return
    assert solution["status"] == "optimal", solution["stages"]
    assignment = solution["assignments"]
    assert violations(problem, assignment) == []
    values = stage_values(problem, assignment)
    order = stage_order(problem)
    assert tuple(values[name] for name in order) == best, (values, best)
    for name in order:
        assert solution["objective"][name] == values[name]
        assert solution["best_bound"][name] == values[name]
