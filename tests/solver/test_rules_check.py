"""The one check of the hard rules (solver.evaluate.broken_rules) agrees with the
independent checker on every assignment of small problems, and says which rule."""

from __future__ import annotations

import itertools

import pytest

from allocator.solver import parse_problem
from allocator.solver.evaluate import broken_rules, newly_broken
from allocator.solver.prepare import prepare
from tests.solver.checker import violations
from tests.solver.generate import tiny_problem


@pytest.mark.parametrize("seed", range(60))
def test_the_rules_check_agrees_with_the_checker_on_every_assignment(seed):
    problem = tiny_problem(seed)
    facilitators = sum(p["role"] == "facilitator" for p in problem["participants"])
    if 0 < facilitators < len(problem["groups"]):
        pytest.skip("the service refuses this shape before solving")
    prep = prepare(parse_problem(problem))
    gids = [g["id"] for g in problem["groups"]]
    for where in itertools.product(range(len(gids)), repeat=prep.n_people):
        assignment = {p.id: gids[where[i]] for i, p in enumerate(prep.problem.people)}
        assert bool(broken_rules(prep, list(where))) == bool(violations(problem, assignment)), (
            where, broken_rules(prep, list(where)), violations(problem, assignment))


def test_a_move_is_refused_only_for_the_rules_it_newly_breaks():
    problem = {"groups": [{"id": "a", "theme": "t", "capacity": 3, "min_size": 1},
                          {"id": "b", "theme": "t", "capacity": 3}],
               "participants": [{"id": str(n), "sector": "gov", "preferences": ["t"]}
                                for n in range(4)],
               "apart": [["0", "2"]], "together": [["1", "3"]], "pins": {"3": "b"},
               "time_limit_s": 5}
    prep = prepare(parse_problem(problem))

    def new(before, after):
        return [b.rule for b in newly_broken(prep, before, after)]

    valid = [0, 1, 1, 1]
    assert broken_rules(prep, valid) == []
    assert new(valid, [1, 1, 1, 1]) == ["min_size", "capacity", "apart"]
    assert new(valid, [0, 0, 1, 1]) == ["together"]
    assert new(valid, [0, 1, 1, 0]) == ["pin", "together"]
    # a rule broken already is not blamed on the next move
    assert new([0, 0, 1, 1], [0, 0, 0, 1]) == ["apart"]
    # people not placed yet count in no group and break no pair
    assert [b.rule for b in broken_rules(prep, [-1, -1, -1, -1])] == ["min_size"]
