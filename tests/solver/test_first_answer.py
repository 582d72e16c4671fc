"""The first answer fills each theme's rooms in proportion to their capacity, so the
evenness stage starts at zero and has nothing to re-split (construct._spread_counts)."""

from __future__ import annotations

import pytest

from allocator.solver import parse_problem
from allocator.solver.budget import Clock
from allocator.solver.construct import first_answer, plan_sizes
from allocator.solver.evaluate import hard_violations, scores
from allocator.solver.prepare import prepare
from benchmarks.instances import instance


@pytest.mark.parametrize(("name", "seed"), [("rules", 0), ("rules", 1), ("rules", 2),
                                            ("workshop", 0), ("forum", 0)])
def test_the_first_answer_splits_each_theme_evenly(name, seed) -> None:
    """rules seed 0 had rooms of 30, 14 and 28 people in three rooms of 30 before."""
    prep = prepare(parse_problem(instance(name, seed=seed)))
    where = first_answer(prep, plan_sizes(prep, Clock(60)))
    assert where is not None
    assert hard_violations(prep, where) == []
    assert scores(prep, where).evenness == 0
