"""Every kind of impossible problem is answered with its reason, in plain words."""

from __future__ import annotations

from allocator.solver import parse_problem, solution_to_dict, solve


def people(n, **extra):
    return [{"id": f"p{i}", "sector": "government", **extra} for i in range(1, n + 1)]


def groups(*caps, min_size=0):
    return [{"id": f"wg{n}", "theme": f"t{n}", "capacity": c, "min_size": min_size}
            for n, c in enumerate(caps, start=1)]


def conflicts(problem):
    answer = solution_to_dict(solve(parse_problem(problem)))
    assert answer["status"] == "infeasible"
    assert answer["assignments"] == {}
    return [c["message"] for c in answer["conflicts"]]


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


def test_apart_pair_pinned_together():
    messages = conflicts({"groups": groups(5, 5), "participants": people(4),
                          "pins": {"p2": "wg1", "p3": "wg1"}, "apart": [["p2", "p3"]]})
    assert "p2 and p3 must be apart but are both pinned to wg1" in messages


def test_together_pair_pinned_apart():
    messages = conflicts({"groups": groups(5, 5), "participants": people(4),
                          "pins": {"p1": "wg1", "p2": "wg2"}, "together": [["p1", "p2"]]})
    assert "p1 and p2 must be together but are pinned to wg1 and wg2" in messages


def test_together_chain_and_apart():
    messages = conflicts({"groups": groups(5, 5), "participants": people(4),
                          "together": [["p1", "p2"], ["p2", "p3"]], "apart": [["p1", "p3"]]})
    assert "p1 and p3 must be apart but must also be together (p1 – p2 – p3)" in messages


def test_together_group_larger_than_any_room():
    messages = conflicts({"groups": groups(2, 2), "participants": people(4),
                          "together": [["p1", "p2"], ["p2", "p3"]]})
    assert "p1, p2 and p3 must be together but no group holds 3" in messages


def test_too_many_pinned_to_one_group():
    pins = {f"p{i}": "wg1" for i in range(1, 5)}
    messages = conflicts({"groups": groups(3, 5), "participants": people(5), "pins": pins})
    assert any(m.startswith("wg1 holds 3 but 4 people are pinned to it") for m in messages)


def test_facilitators_pinned_to_one_group():
    ps = people(6) + [{"id": f"f{i}", "sector": "media", "role": "facilitator"}
                      for i in (1, 2, 3)]
    messages = conflicts({"groups": groups(5, 5, 5), "participants": ps,
                          "pins": {"f1": "wg1", "f2": "wg1"}})
    assert ("2 facilitators are pinned to wg1, but with 3 facilitators for 3 groups each "
            "group gets at most 1") in messages


def test_apart_rules_need_more_groups_than_exist():
    # three people pairwise apart, two groups: no count check sees it, the solver does
    messages = conflicts({"groups": groups(5, 5), "participants": people(3),
                          "apart": [["p1", "p2"], ["p2", "p3"], ["p1", "p3"]]})
    assert messages == ["These rules cannot all hold: p1 and p2 must be apart; "
                        "p1 and p3 must be apart; p2 and p3 must be apart."]


def test_minimal_set_leaves_out_innocent_rules():
    messages = conflicts({
        "groups": groups(4, 4), "participants": people(6),
        "pins": {"p1": "wg1", "p5": "wg2"},
        "together": [["p4", "p6"]],
        "apart": [["p1", "p2"], ["p2", "p3"], ["p3", "p1"]]})
    assert len(messages) == 1
    message = messages[0]
    assert message.startswith("These rules cannot all hold:")
    for rule in ("p1 and p2 must be apart", "p1 and p3 must be apart",
                 "p2 and p3 must be apart"):
        assert rule in message
    assert "p5" not in message and "p4" not in message and "pinned" not in message
