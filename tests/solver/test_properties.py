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


@st.composite
def waitlist_problems(draw):
    """The problems above with vetoes, priorities and a waiting list (issue 29)."""
    problem = draw(problems())
    themes = sorted({g["theme"] for g in problem["groups"]})
    for p in problem["participants"]:
        others = [t for t in themes if t not in p["preferences"]]
        p["vetoes"] = draw(st.lists(st.sampled_from(others), unique=True,
                                    max_size=len(others))) if others else []
        p["priority"] = draw(st.integers(-2, 2))
    problem["overflow"] = draw(st.sampled_from(["waitlist", "waitlist", "refuse"]))
    return problem


@settings(max_examples=120, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(waitlist_problems())
def test_waiting_lists_and_vetoes_never_break_a_hard_rule(problem):
    answer = solution_to_dict(solve(parse_problem(problem)))
    waiting = {u["id"] for u in answer.get("unplaced", [])}
    assert ("unplaced" in answer) == (problem["overflow"] == "waitlist")
    assert [u["position"] for u in answer.get("unplaced", [])] == list(
        range(1, len(waiting) + 1))
    if answer["status"] == "infeasible":
        assert answer["conflicts"] and all(c["message"] for c in answer["conflicts"])
        return
    placed = {p["id"] for p in problem["participants"]} - waiting
    assert set(answer["assignments"]) == placed
    ids = placed
    chosen = dict(problem, participants=[p for p in problem["participants"] if p["id"] in ids],
                  pins={a: g for a, g in problem.get("pins", {}).items() if a in ids},
                  previous={a: g for a, g in problem.get("previous", {}).items() if a in ids},
                  apart=[x for x in problem.get("apart", []) if set(x) <= ids],
                  together=[x for x in problem.get("together", []) if set(x) <= ids])
    assert violations(chosen, answer["assignments"]) == []
    values = stage_values(chosen, answer["assignments"])
    for name, value in answer["objective"].items():
        assert values[name] == value, name
    seats = sum(g["capacity"] for g in problem["groups"])
    assert len(placed) <= seats
