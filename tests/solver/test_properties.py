"""Random problems: no answer ever breaks a hard rule, and the figures are true."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from allocator.solver import parse_problem, solution_to_dict, solve
from tests.solver.checker import stage_values, violations

THEMES = ["a", "b", "c", "d"]


@st.composite
def problems(draw):
    n_groups = draw(st.integers(1, 5))
    n_people = draw(st.integers(0, 30))
    groups = []
    for g in range(n_groups):
        cap = draw(st.integers(1, 12))
        groups.append({"id": f"g{g}", "theme": draw(st.sampled_from(THEMES)),
                       "capacity": cap, "min_size": draw(st.integers(0, min(cap, 3)))})
    n_fac = draw(st.sampled_from([0, 0, n_groups, n_groups + 1]))
    people = []
    for i in range(n_people):
        people.append({
            "id": f"p{i:02d}",
            "sector": draw(st.sampled_from(["gov", "ngo", "biz", "media"])),
            "organization": draw(st.sampled_from(["A", "B", "C", None])),
            "country": draw(st.sampled_from(["AT", "CO", None])),
            "gender": draw(st.sampled_from(["female", "male", None])),
            "role": "facilitator" if i < n_fac else "participant",
            "preferences": draw(st.lists(st.sampled_from(THEMES), unique=True, max_size=4)),
        })
    ids = [p["id"] for p in people]
    gids = [g["id"] for g in groups]
    problem = {"groups": groups, "participants": people, "time_limit_s": 20}
    if ids:
        problem["pins"] = draw(st.dictionaries(st.sampled_from(ids), st.sampled_from(gids),
                                               max_size=3))
        pair = st.lists(st.sampled_from(ids), min_size=2, max_size=2, unique=True)
        if len(ids) >= 2:
            problem["apart"] = draw(st.lists(pair, max_size=3))
            problem["together"] = draw(st.lists(pair, max_size=2))
        problem["previous"] = draw(st.dictionaries(st.sampled_from(ids), st.sampled_from(gids),
                                                   max_size=len(ids)))
    return problem


@settings(max_examples=120, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_answers_never_break_a_hard_rule(problem):
    answer = solution_to_dict(solve(parse_problem(problem)))
    if answer["status"] == "infeasible":
        assert answer["conflicts"] and all(c["message"] for c in answer["conflicts"])
        return
    assert answer["status"] in ("optimal", "feasible")
    assignment = answer["assignments"]
    assert violations(problem, assignment) == []
    values = stage_values(problem, assignment)
    for name, value in answer["objective"].items():
        assert values[name] == value, name
        bound = answer["best_bound"][name]
        assert bound is None or bound <= value
    assert answer["metrics"]["rank_sum"] == values["rank_sum"]
