"""The balance stage proven by a min-cost flow (hint.py) where the first answer overfills
sector bands: the same proven values as the HiGHS solve it replaces, and no solve."""

from __future__ import annotations

import pytest

import allocator.solver.engine as engine
from allocator.solver import parse_problem, solve
from allocator.solver.evaluate import hard_violations
from allocator.solver.prepare import prepare
from benchmarks.instances import instance

PROVEN = ("balance", "evenness", "worst_rank", "unlisted", "rank_sum")


def _proven(solution) -> dict:
    return {s.name: (s.objective, s.status) for s in solution.stages if s.name in PROVEN}


@pytest.mark.parametrize("seed", [0, 1])
def test_the_flow_proves_balance_with_the_values_of_the_solve(seed, monkeypatch) -> None:
    problem = parse_problem(instance("rules", seed=seed, time_limit_s=60))
    with_flow = solve(problem)
    balance = next(s for s in with_flow.stages if s.name == "balance")
    assert (balance.objective, balance.status) == (0, "optimal")
    if seed == 0:  # its first answer leaves two band cells outside: the flow settles it
        assert balance.wall_s == 0.0
    monkeypatch.setattr(engine, "flow_allocation", lambda *args: None)
    without = solve(problem)
    assert _proven(with_flow) == _proven(without)
    assert all(status == "optimal" for _, status in _proven(with_flow).values())
    assert len(with_flow.assignments) == len(problem.people)
    prep = prepare(problem)
    index = {p.id: i for i, p in enumerate(problem.people)}
    groups = {g.id: k for k, g in enumerate(problem.groups)}
    where = [0] * len(problem.people)
    for person, group in with_flow.assignments.items():
        where[index[person]] = groups[group]
    assert hard_violations(prep, where) == []
