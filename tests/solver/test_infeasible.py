"""Every kind of impossible problem is answered with its reason, in plain words: shortages
of the whole event by counting, clashing rules as minimal chains found by the solver."""

from __future__ import annotations

import itertools

import pytest

from allocator.solver import parse_problem, solution_to_dict, solve
from tests.solver.checker import violations
from tests.solver.generate import tiny_problem


def people(n, **extra):
    return [{"id": f"p{i}", "sector": "government", **extra} for i in range(1, n + 1)]


def groups(*caps, min_size=0):
    return [{"id": f"wg{n}", "theme": f"t{n}", "capacity": c, "min_size": min_size}
            for n, c in enumerate(caps, start=1)]


def answer(problem):
    result = solution_to_dict(solve(parse_problem(problem)))
    assert result["status"] == "infeasible"
    assert result["assignments"] == {}
    return result


def conflicts(problem):
    return [c["message"] for c in answer(problem)["conflicts"]]


# --- shortages of the whole event ----------------------------------------------------

def test_more_people_than_seats():
    assert "83 people but 60 seats" in conflicts(
        {"groups": groups(20, 20, 20), "participants": people(83)})


def test_fewer_people_than_minimum_sizes():
    messages = conflicts({"groups": groups(10, 10, 10, min_size=5), "participants": people(12)})
    assert "12 people but the groups' minimum sizes add up to 15" in messages


def test_fewer_facilitators_than_groups():
    ps = people(10) + [{"id": "f1", "sector": "academia", "role": "facilitator"},
                       {"id": "f2", "sector": "academia", "role": "facilitator"}]
    assert "2 facilitators for 3 groups: every working group needs one" in conflicts(
        {"groups": groups(10, 10, 10), "participants": ps})


# --- clashing rules: minimal chains ----------------------------------------------------

CHAIN = "These rules cannot all hold together: "


def test_the_reported_chain_names_the_rule_that_pulls_b_in():
    """b has no pin: the rule that pulls b into g1 (together with a, pinned there) is part
    of the answer, and the innocent pair e–f with d's pin is not."""
    problem = {
        "groups": [{"id": "g1", "theme": "t", "capacity": 5},
                   {"id": "g2", "theme": "t", "capacity": 5}],
        "participants": [{"id": x, "sector": "government"} for x in "abcdef"],
        "together": [["a", "b"], ["e", "f"]], "apart": [["b", "c"], ["d", "e"]],
        "pins": {"a": "g1", "c": "g1", "d": "g2"},
    }
    result = answer(problem)
    assert [c["message"] for c in result["conflicts"]] == [
        CHAIN + "a is pinned to g1; a and b must be together; b and c must be kept apart; "
                "c is pinned to g1."]
    chain = result["conflicts"][0]["rules"]
    assert [r["rule"] for r in chain] == ["pin", "together", "apart", "pin"]
    assert result["conflicts"][0]["people"] == ["a", "b", "c"]


@pytest.mark.parametrize(("problem", "message"), [
    ({"groups": groups(5, 5), "participants": people(4),
      "pins": {"p2": "wg1", "p3": "wg1"}, "apart": [["p2", "p3"]]},
     "p2 is pinned to wg1; p2 and p3 must be kept apart; p3 is pinned to wg1."),
    ({"groups": groups(5, 5), "participants": people(4),
      "pins": {"p1": "wg1", "p2": "wg2"}, "together": [["p1", "p2"]]},
     "p1 is pinned to wg1; p1 and p2 must be together; p2 is pinned to wg2."),
    ({"groups": groups(5, 5), "participants": people(4),
      "together": [["p1", "p2"], ["p2", "p3"]], "apart": [["p1", "p3"]]},
     "p1 and p3 must be kept apart; p1 and p2 must be together; p2 and p3 must be together."),
    ({"groups": groups(2, 2), "participants": people(4),
      "together": [["p1", "p2"], ["p2", "p3"]]},
     "p1 and p2 must be together; p2 and p3 must be together; wg1 holds at most 2; "
     "wg2 holds at most 2."),
    ({"groups": groups(3, 5), "participants": people(5),
      "pins": {f"p{i}": "wg1" for i in range(1, 5)}},
     "p1, p2, p3 and p4 are pinned to wg1; wg1 holds at most 3."),
    ({"groups": groups(5, 5, 5), "participants": people(6) + [
        {"id": f"f{i}", "sector": "media", "role": "facilitator"} for i in (1, 2, 3)],
      "pins": {"f1": "wg1", "f2": "wg1"}},
     "f1 and f2 are pinned to wg1; each group gets 1 facilitator."),
    ({"groups": groups(5, 5), "participants": people(3),
      "apart": [["p1", "p2"], ["p2", "p3"], ["p1", "p3"]]},
     "p1 and p2 must be kept apart; p1 and p3 must be kept apart; p2 and p3 must be kept "
     "apart."),
])
def test_each_kind_of_clash_is_one_chain(problem, message):
    assert conflicts(problem) == [CHAIN + message]


def test_independent_conflicts_are_all_reported():
    problem = {"groups": groups(5, 5), "participants": people(8),
               "pins": {"p1": "wg1", "p2": "wg1", "p5": "wg2", "p6": "wg1"},
               "apart": [["p1", "p2"]], "together": [["p5", "p6"]]}
    messages = conflicts(problem)
    assert sorted(messages) == sorted([
        CHAIN + "p1 is pinned to wg1; p1 and p2 must be kept apart; p2 is pinned to wg1.",
        CHAIN + "p5 is pinned to wg2; p5 and p6 must be together; p6 is pinned to wg1."])


def test_the_minimal_set_leaves_out_innocent_rules():
    messages = conflicts({
        "groups": groups(4, 4), "participants": people(6),
        "pins": {"p1": "wg1", "p5": "wg2"},
        "together": [["p4", "p6"]],
        "apart": [["p1", "p2"], ["p2", "p3"], ["p3", "p1"]]})
    assert len(messages) == 1
    assert "p5" not in messages[0] and "p4" not in messages[0] and "pinned" not in messages[0]


# --- on random tiny problems: each reported set is a chain, and minimal ----------------

def _only(problem: dict, rules: list[dict]) -> dict:
    """The problem with just these rules: other pins and pairs dropped, other groups
    unlimited, no minimum sizes, and facilitators as participants unless their rule is
    in the set."""
    everyone = len(problem["participants"])
    kept_caps = {r["groups"][0] for r in rules if r["rule"] == "capacity"}
    kept_mins = {r["groups"][0] for r in rules if r["rule"] == "min_size"}
    facilitators = any(r["rule"] == "facilitators" for r in rules)
    return {
        "groups": [dict(g, capacity=g["capacity"] if g["id"] in kept_caps else everyone,
                        min_size=g.get("min_size", 0) if g["id"] in kept_mins else 0)
                   for g in problem["groups"]],
        "participants": [p if facilitators else dict(p, role="participant")
                         for p in problem["participants"]],
        "pins": {r["people"][0]: r["groups"][0] for r in rules if r["rule"] == "pin"},
        "together": [r["people"] for r in rules if r["rule"] == "together"],
        "apart": [r["people"] for r in rules if r["rule"] == "apart"],
    }


def _possible(problem: dict) -> bool:
    ids = [p["id"] for p in problem["participants"]]
    gids = [g["id"] for g in problem["groups"]]
    return any(not violations(problem, dict(zip(ids, combo, strict=True)))
               for combo in itertools.product(gids, repeat=len(ids)))


@pytest.mark.parametrize("seed", range(150))
def test_every_reported_set_is_a_minimal_chain(seed):
    problem = tiny_problem(seed)
    result = solution_to_dict(solve(parse_problem(problem)))
    if result["status"] != "infeasible":
        return
    for conflict in result["conflicts"]:
        rules = conflict["rules"]
        if not rules:  # a shortage of the whole event, said by counting
            continue
        assert not _possible(_only(problem, rules)), (seed, conflict["message"])
        for n in range(len(rules)):
            assert _possible(_only(problem, rules[:n] + rules[n + 1:])), (seed, n, conflict)
