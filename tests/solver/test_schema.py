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
