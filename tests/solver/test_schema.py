"""The published JSON Schemas describe what the solver really reads and writes."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from allocator.solver import parse_problem, problem_to_dict, solution_to_dict, solve
from benchmarks.instances import make_instance
from tests.solver.generate import tiny_problem

SCHEMAS = Path(__file__).resolve().parents[2] / "allocator" / "solver" / "schema"


def schema(name):
    return json.loads((SCHEMAS / f"{name}.schema.json").read_text())


@pytest.mark.parametrize("seed", range(40))
def test_answers_match_the_schemas(seed):
    problem = tiny_problem(seed) if seed % 4 else make_instance(60, 3, 3, seed=seed)
    jsonschema.validate(problem, schema("problem"))
    parsed = parse_problem(problem)
    jsonschema.validate(problem_to_dict(parsed), schema("problem"))
    jsonschema.validate(solution_to_dict(solve(parsed)), schema("solution"))
    jsonschema.validate(solution_to_dict(solve(parsed), timings=False), schema("solution"))


def test_errors_match_the_schema():
    jsonschema.validate({"status": "invalid", "errors": ["x"]}, schema("solution"))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"groups": [], "participants": []}, schema("problem"))


@pytest.mark.parametrize("seed", range(24))
def test_waitlists_and_vetoes_match_the_schemas(seed):
    """Issue 29's fields: priorities, vetoes and overflow in; unplaced, placed counts and
    veto conflicts out (answers and refusals alike)."""
    problem = tiny_problem(seed, vetoes=True, waitlist=seed % 3 != 0)
    jsonschema.validate(problem, schema("problem"))
    parsed = parse_problem(problem)
    jsonschema.validate(problem_to_dict(parsed), schema("problem"))
    for timings in (True, False):
        out = solution_to_dict(solve(parsed), timings=timings)
        jsonschema.validate(out, schema("solution"))
        assert ("unplaced" in out) == (problem.get("overflow") == "waitlist")


def test_a_waiting_list_and_veto_conflicts_match_the_schema():
    groups = [{"id": "a", "theme": "A", "capacity": 1}, {"id": "b", "theme": "B", "capacity": 1}]
    people = [{"id": f"p{i}", "sector": "x", "priority": i, "vetoes": ["B"] if i else []}
              for i in range(4)]
    problem = {"groups": groups, "participants": people, "overflow": "waitlist",
               "together": [["p0", "p1"]]}
    out = solution_to_dict(solve(parse_problem(problem)))
    assert out["unplaced"] and out["metrics"]["unplaced"] == 3
    jsonschema.validate(out, schema("solution"))
    refused = solution_to_dict(solve(parse_problem(dict(problem, overflow="refuse",
                                                        pins={"p1": "b"}))))
    assert refused["status"] == "infeasible"
    jsonschema.validate(refused, schema("solution"))
