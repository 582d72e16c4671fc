"""The sized start (sized.py): the same proven preference values as the full MIP, on the
benchmark's 240-person instances and on tiny ones against brute force, with the solves
it proves never reaching the full MIP."""

from __future__ import annotations

import os

import pytest

import allocator.solver.engine as engine
import allocator.solver.sized as sized
from allocator.solver import parse_problem, solution_to_dict, solve
from benchmarks.instances import instance
from tests.solver.checker import brute_force, stage_order, stage_values, violations
from tests.solver.generate import tiny_problem

PROVEN = ("balance", "evenness", "worst_rank", "unlisted", "rank_sum")


def _proven(solution) -> dict:
    return {s.name: (s.objective, s.status) for s in solution.stages if s.name in PROVEN}


def _count_sized(monkeypatch) -> list[str]:
    """Record each sized solve's status (the engine's name for the function)."""
    seen: list[str] = []
    original = sized.sized_solve

    def counted(*args, **kwargs):
        out = original(*args, **kwargs)
        seen.append(out.status if out is not None else "none")
        return out

    monkeypatch.setattr(engine, "sized_solve", counted)
    return seen


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_the_sized_start_keeps_every_proven_value(seed, monkeypatch) -> None:
    problem = parse_problem(instance("rules", seed=seed, time_limit_s=60))
    seen = _count_sized(monkeypatch)
    with_sized = solve(problem)
    assert seen, "the 240-person model is in the sized start's range"
    monkeypatch.setattr(engine, "SIZED_RANGE", (0, 0))
    without = solve(problem)
    assert _proven(with_sized) == _proven(without)
    assert all(status == "optimal" for _, status in _proven(with_sized).values())
    assert len(with_sized.assignments) == len(problem.people)


def test_a_proven_sized_start_skips_the_full_solve(monkeypatch) -> None:
    """rules seed 0: the restricted MIP reaches the sized LP's bound, 1,229 (W·2 + 267)."""
    problem = parse_problem(instance("rules", seed=0, time_limit_s=60))
    seen = _count_sized(monkeypatch)
    calls: list[str] = []
    original = engine.CountModel.solve

    def full(self, objective, clock, stage, **kwargs):
        if kwargs.get("node_limit") != sized.SIZED_NODES:
            calls.append(stage)
        return original(self, objective, clock, stage, **kwargs)

    monkeypatch.setattr(engine.CountModel, "solve", full)
    solution = solve(problem)
    assert seen == ["optimal"]
    assert "rank_sum" not in calls and "worst_rank" not in calls
    rank_sum = next(s for s in solution.stages if s.name == "rank_sum")
    assert (rank_sum.objective, rank_sum.status) == (267, "optimal")


@pytest.mark.parametrize("seed", range(int(os.environ.get("BRUTE_FORCE_SEEDS", "150")) // 3))
def test_the_sized_start_matches_brute_force(seed, monkeypatch) -> None:
    """Forced on tiny models (below its range), every stage as brute force finds it."""
    monkeypatch.setattr(engine, "SIZED_RANGE", (0, 2_000))
    problem = tiny_problem(seed, vetoes=seed % 2 == 1)
    best, _ = brute_force(problem)
    solution = solution_to_dict(solve(parse_problem(problem)))
    if best is None:
        assert solution["status"] == "infeasible", solution
        return
    assert solution["status"] == "optimal", solution["stages"]
    assert violations(problem, solution["assignments"]) == []
    values = stage_values(problem, solution["assignments"])
    assert tuple(values[name] for name in stage_order(problem)) == best, (values, best)


def test_the_forced_sized_start_proves_and_refutes_on_tiny_models(monkeypatch) -> None:
    """The brute-force test above exercises both of the sized start's proofs."""
    monkeypatch.setattr(engine, "SIZED_RANGE", (0, 2_000))
    seen = _count_sized(monkeypatch)
    for seed in range(30):
        solve(parse_problem(tiny_problem(seed, vetoes=seed % 2 == 1)))
    assert seen.count("optimal") > 5 and "infeasible" in seen, seen
