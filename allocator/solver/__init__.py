"""The allocation engine: dataclasses in, dataclasses out; no Flask, no SQLAlchemy.

>>> from allocator.solver import parse_problem, solve
>>> solution = solve(parse_problem({"groups": [...], "participants": [...]}))
"""

from allocator.solver.engine import solve
from allocator.solver.problem import (
    Conflict,
    Group,
    InvalidProblem,
    Person,
    Problem,
    Solution,
    Stage,
    parse_problem,
    problem_to_dict,
    solution_to_dict,
)

__all__ = [
    "Conflict", "Group", "InvalidProblem", "Person", "Problem", "Solution", "Stage",
    "parse_problem", "problem_to_dict", "solution_to_dict", "solve",
]
