"""Issue 29: a waiting list when the seats are too few, "not this theme", and a theme
someone did not list only as a last resort."""

from __future__ import annotations

import random

import pytest

from allocator.solver import InvalidProblem, parse_problem, problem_to_dict, solution_to_dict, solve
from benchmarks.instances import make_instance
from tests.solver.checker import stage_values, violations
from tests.solver.generate import random_problem, tiny_problem


def answer(problem: dict) -> dict:
    return solution_to_dict(solve(parse_problem(problem)), timings=False)


def person(pid: str, prefs=(), priority=0, vetoes=(), role="participant", sector="gov"):
    out = {"id": pid, "sector": sector, "role": role, "preferences": list(prefs)}
    if priority:
        out["priority"] = priority
    if vetoes:
        out["vetoes"] = list(vetoes)
    return out


def group(gid: str, theme: str, capacity: int, min_size: int = 0) -> dict:
    return {"id": gid, "theme": theme, "capacity": capacity, "min_size": min_size}


def waitlist(groups, people, **extra) -> dict:
    return {"groups": groups, "participants": people, "overflow": "waitlist", **extra}


def waiting(result: dict) -> list[str]:
    return [u["id"] for u in result["unplaced"]]


def rules_of(result: dict, pid: str) -> list[str]:
    return [r["rule"] for u in result["unplaced"] if u["id"] == pid for r in u["reasons"]]


# --- the input --------------------------------------------------------------------------

@pytest.mark.parametrize(("change", "words"), [
    ({"vetoes": ["nowhere"]}, "which no group has"),
    ({"vetoes": ["A", "A"]}, "twice"),
    ({"preferences": ["A"], "vetoes": ["A"]}, "both prefers and vetoes"),
    ({"vetoes": "A"}, "must be a list"),
    ({"priority": 1.5}, "priority must be a whole number"),
    ({"priority": True}, "priority must be a whole number"),
])
def test_input_errors_in_words(change, words):
    problem = {"groups": [group("a", "A", 2), group("b", "B", 2)],
               "participants": [dict(person("p1"), **change)]}
    with pytest.raises(InvalidProblem) as caught:
        parse_problem(problem)
    assert any(words in e for e in caught.value.errors), caught.value.errors


def test_overflow_must_be_known():
    with pytest.raises(InvalidProblem, match="overflow must be one of refuse, waitlist"):
        parse_problem({"groups": [group("a", "A", 1)], "participants": [],
                       "overflow": "queue"})


def test_defaults_keep_earlier_forms():
    problem = {"groups": [group("a", "A", 2)], "participants": [person("p1", ["A"])]}
    parsed = parse_problem(problem)
    assert parsed.overflow == "refuse" and parsed.people[0].priority == 0
    assert parsed.people[0].vetoes == ()
    out = problem_to_dict(parsed)
    assert "overflow" not in out and "priority" not in out["participants"][0]
    assert "vetoes" not in out["participants"][0]
    assert "unplaced" not in answer(problem)
    again = dict(problem, overflow="waitlist",
                 participants=[person("p1", priority=-2, vetoes=[])])
    out = problem_to_dict(parse_problem(again))
    assert out["overflow"] == "waitlist" and out["participants"][0]["priority"] == -2
    assert parse_problem(out) == parse_problem(again)


# --- overflow: how many, and who -----------------------------------------------------------

def test_refuse_is_unchanged():
    result = answer({"groups": [group("a", "A", 40), group("b", "B", 40)],
                     "participants": [person(f"p{i:02d}") for i in range(92)]})
    assert result["status"] == "infeasible"
    assert [c["message"] for c in result["conflicts"]] == ["92 people but 80 seats"]
    assert "unplaced" not in result


@pytest.mark.parametrize(("caps", "people"), [((40, 40), 92), ((3,), 5), ((2, 2, 1), 9)])
def test_waitlist_places_exactly_the_seats_worth(caps, people):
    groups = [group(f"g{n}", f"T{n % 2}", c) for n, c in enumerate(caps)]
    result = answer(waitlist(groups, [person(f"p{i:02d}", ["T1"]) for i in range(people)]))
    assert result["status"] == "optimal"
    assert len(result["assignments"]) == sum(caps)
    assert len(result["unplaced"]) == people - sum(caps)
    assert result["metrics"]["placed"] == sum(caps)
    assert result["metrics"]["unplaced"] == people - sum(caps)
    assert [u["position"] for u in result["unplaced"]] == list(range(1, people - sum(caps) + 1))
    assert set(result["assignments"]).isdisjoint(waiting(result))
    for u in result["unplaced"]:
        assert u["reasons"] == [{"rule": "no_seat", "message": "no seat left in any theme they "
                                 "can take (T0, T1)" if len(caps) > 1 else
                                 "no seat left in any theme they can take (T0)",
                                 "themes": ["T0", "T1"] if len(caps) > 1 else ["T0"],
                                 "vetoes": []}]


def test_vetoes_limit_the_seats_a_person_can_take():
    # five people can only take A (3 seats); B's 3 seats go to the others
    people = [person(f"p{i}", vetoes=["B"]) for i in range(5)] + [person("q1"), person("q2")]
    result = answer(waitlist([group("a", "A", 3), group("b", "B", 3)], people))
    assert len(result["assignments"]) == 5
    assert waiting(result) == ["p3", "p4"]
    assert all(result["assignments"][f"p{i}"] == "a" for i in range(3))
    assert rules_of(result, "p3") == ["no_seat"]
    entry = result["unplaced"][0]["reasons"][0]
    assert entry["themes"] == ["A"] and entry["vetoes"] == ["B"]
    assert entry["message"] == "no seat left in any theme they can take (A)"


def test_higher_priority_first_and_the_list_in_order():
    people = [person(f"p{i}", ["A", "B"], priority=i % 3) for i in range(7)]
    result = answer(waitlist([group("a", "A", 2), group("b", "B", 2)], people))
    assert sorted(result["assignments"]) == ["p1", "p2", "p4", "p5"]
    assert waiting(result) == ["p0", "p3", "p6"]  # all priority 0: by id


def test_negative_priority_waits_first():
    people = [person("p1", priority=-1), person("p2"), person("p3", priority=-5)]
    result = answer(waitlist([group("a", "A", 1)], people))
    assert list(result["assignments"]) == ["p2"] and waiting(result) == ["p1", "p3"]


@pytest.mark.parametrize("seed", range(25))
def test_a_higher_priority_never_waits_while_a_lower_takes_a_theme_it_could(seed):
    rng = random.Random(seed)
    problem = random_problem(rng, 60, 4, n_themes=3)
    for g in problem["groups"]:
        g["capacity"] = rng.randint(4, 12)
        g["min_size"] = 0
    for p in problem["participants"]:
        p["role"] = "participant"
        p["priority"] = rng.choice([0, 1, 2, 3])
        if rng.random() < 0.3:
            others = [t for t in ("theme-0", "theme-1", "theme-2") if t not in p["preferences"]]
            if others:
                p["vetoes"] = rng.sample(others, k=1)
    problem["overflow"] = "waitlist"
    result = answer(problem)
    assert result["status"] in ("optimal", "feasible")
    theme = {g["id"]: g["theme"] for g in problem["groups"]}
    by_id = {p["id"]: p for p in problem["participants"]}
    for u in result["unplaced"]:
        high = by_id[u["id"]]
        for pid, gid in result["assignments"].items():
            low = by_id[pid]
            if low.get("priority", 0) < high.get("priority", 0):
                assert theme[gid] in (high.get("vetoes") or []), (u, pid, gid)


def test_equal_priorities_by_preference_cost():
    # one seat in A: the person who listed A gets it, not the one who did not (lower id)
    people = [person("p1", ["B"]), person("p2", ["A"])]
    result = answer(waitlist([group("a", "A", 1), group("b", "B", 0 + 1)],
                             people + [person("p0", ["B"], priority=1)]))
    assert result["assignments"] == {"p0": "b", "p2": "a"}
    assert waiting(result) == ["p1"]
    # the sibling: by rank among listed themes
    people = [person("p1", ["B", "A"]), person("p2", ["A", "B"])]
    result = answer(waitlist([group("a", "A", 1)], people))
    assert result["assignments"] == {"p2": "a"}


def test_enough_seats_gives_the_same_assignments_as_refuse():
    problem = make_instance(60, 3, 3, seed=4)
    refused = answer(problem)
    listed = answer(dict(problem, overflow="waitlist"))
    assert listed["assignments"] == refused["assignments"]
    assert listed["objective"] == refused["objective"]
    assert listed["unplaced"] == [] and listed["metrics"]["unplaced"] == 0
    assert listed["metrics"]["placed"] == 60


# --- facilitators, pins and pairs among the unplaced ----------------------------------------

def test_facilitators_take_their_seats_first():
    people = [person("f1", role="facilitator", priority=-3),
              person("f2", role="facilitator", priority=-3)]
    people += [person(f"p{i}", priority=5) for i in range(5)]
    result = answer(waitlist([group("a", "A", 2), group("b", "B", 2)], people))
    assert result["status"] == "optimal"
    placed = result["assignments"]
    assert {placed["f1"], placed["f2"]} == {"a", "b"}
    assert len(placed) == 4 and len(waiting(result)) == 3


def test_facilitators_short_of_seats():
    # three facilitators for two rooms of one: one per room, the third waits
    people = [person(f"f{i}", role="facilitator", priority=i) for i in range(3)]
    people.append(person("p1", priority=9))
    result = answer(waitlist([group("a", "A", 1), group("b", "B", 1)], people))
    assert result["status"] == "optimal"
    assert sorted(result["assignments"]) == ["f1", "f2"]
    assert waiting(result) == ["p1", "f0"]
    assert rules_of(result, "f0") == ["no_seat"]


def test_too_few_facilitators_is_still_a_conflict():
    people = [person("f1", role="facilitator")] + [person(f"p{i}") for i in range(6)]
    result = answer(waitlist([group("a", "A", 2), group("b", "B", 2)], people))
    assert result["status"] == "infeasible"
    assert "1 facilitator for 2 groups" in result["conflicts"][0]["message"]
    assert "unplaced" in result


def test_a_pinned_person_is_placed_before_higher_priorities():
    people = [person("p1", priority=9), person("p2", priority=9), person("p3")]
    result = answer(waitlist([group("a", "A", 2)], people, pins={"p3": "a"}))
    assert result["assignments"]["p3"] == "a" and len(result["assignments"]) == 2
    assert waiting(result) == ["p2"]


def test_a_pinned_person_waits_when_the_pinned_group_is_full():
    people = [person("p1"), person("p2"), person("p3", priority=-1)]
    result = answer(waitlist([group("a", "A", 1), group("b", "B", 5)], people,
                             pins={"p1": "a", "p2": "a"}))
    assert result["assignments"] == {"p1": "a", "p3": "b"}
    assert result["unplaced"] == [{"id": "p2", "position": 1, "reasons": [
        {"rule": "pin", "message": "pinned to a, which has no seat left", "groups": ["a"]}]}]


def test_a_pinned_persons_partner_waits_with_them():
    people = [person("p1"), person("p2"), person("p3"), person("p4", priority=-1)]
    result = answer(waitlist([group("a", "A", 2), group("b", "B", 1)], people,
                             pins={"p1": "a", "p2": "a"}, together=[["p2", "p3"]]))
    assert result["assignments"] == {"p1": "a", "p4": "b"}
    assert waiting(result) == ["p2", "p3"]
    assert rules_of(result, "p2") == ["pin"] and rules_of(result, "p3") == ["together"]
    partner = result["unplaced"][1]["reasons"][0]
    assert partner["people"] == ["p2"] and "p2 is pinned to a" in partner["message"]


def test_a_pair_with_one_seat_left_waits_and_a_single_takes_it():
    people = [person("p0", priority=9), person("p1", priority=5), person("p2", priority=5),
              person("p3")]
    result = answer(waitlist([group("a", "A", 2)], people, together=[["p1", "p2"]]))
    assert result["assignments"] == {"p0": "a", "p3": "a"}
    assert waiting(result) == ["p1", "p2"]
    assert result["unplaced"][0]["reasons"] == [{
        "rule": "together", "people": ["p2"],
        "message": "must be in the same group as p2, and no group had two seats left"}]


def test_a_pair_needs_its_seats_in_one_group_of_a_theme():
    # two seats left in theme A, one in each room: not enough for the pair
    people = [person("p0", priority=9), person("p1", priority=9), person("p2"), person("p3"),
              person("p4", priority=-1)]
    result = answer(waitlist([group("a1", "A", 2), group("a2", "A", 2)], people,
                             pins={"p0": "a1", "p1": "a2"}, together=[["p2", "p3"]]))
    assert sorted(result["assignments"]) == ["p0", "p1", "p4"]
    assert waiting(result) == ["p2", "p3"]
    assert result["unplaced"][0]["reasons"][0]["message"] == (
        "must be in the same group as p3, and no group had two seats left")


def test_a_pair_goes_where_it_leaves_room_for_its_own_priority():
    # the pair prefers B, but B is the only theme p0 and p4 can take: the pair takes A
    people = [person("p0", vetoes=["A"]), person("p1", ["B", "A"]), person("p2", ["B", "A"]),
              person("p4", vetoes=["A"]), person("p3", priority=-1)]
    result = answer(waitlist([group("a", "A", 2), group("b", "B", 2)], people,
                             together=[["p1", "p2"]]))
    assert result["assignments"] == {"p0": "b", "p1": "a", "p2": "a", "p4": "b"}
    assert waiting(result) == ["p3"]


# --- vetoes --------------------------------------------------------------------------------

def test_vetoes_are_kept_where_a_theme_is_otherwise_best():
    people = [person(f"p{i}", vetoes=["A"]) for i in range(3)] + [person("q", ["A"])]
    result = answer({"groups": [group("a", "A", 4), group("b", "B", 3)], "participants": people})
    assert result["status"] == "optimal"
    assert all(result["assignments"][f"p{i}"] == "b" for i in range(3))


def test_vetoes_with_pins_conflict_naming_the_veto():
    problem = {"groups": [group("a", "A", 4), group("b", "B", 4)],
               "participants": [person("p1", vetoes=["B"]), person("p2")],
               "pins": {"p1": "b"}}
    for overflow in ("refuse", "waitlist"):
        result = answer(dict(problem, overflow=overflow))
        assert result["status"] == "infeasible"
        (conflict,) = result["conflicts"]
        assert conflict["message"] == ("These rules cannot all hold together: p1 is pinned to "
                                       "b; p1 cannot take part in theme B.")
        assert [r["rule"] for r in conflict["rules"]] == ["pin", "veto"]
        assert conflict["rules"][1]["themes"] == ["B"]


def test_a_veto_of_a_together_partner_conflicts_with_a_pin():
    problem = {"groups": [group("a", "A", 4), group("b", "B", 4)],
               "participants": [person("p1"), person("p2", vetoes=["B"])],
               "pins": {"p1": "b"}, "together": [["p1", "p2"]]}
    (conflict,) = answer(problem)["conflicts"]
    assert [r["rule"] for r in conflict["rules"]] == ["pin", "together", "veto"]
    assert "p2 cannot take part in theme B" in conflict["message"]


def test_vetoes_that_leave_too_few_seats_conflict():
    people = [person(f"p{i}", vetoes=["B"]) for i in range(3)] + [person("q")]
    result = answer({"groups": [group("a", "A", 2), group("b", "B", 2)], "participants": people})
    assert result["status"] == "infeasible"
    message = result["conflicts"][0]["message"]
    assert "p0, p1 and p2 cannot take part in theme B" in message and "a holds at most 2" in message


def test_vetoing_every_theme():
    problem = {"groups": [group("a", "A", 4), group("b", "B", 4)],
               "participants": [person("p1", vetoes=["A", "B"]), person("p2")]}
    refused = answer(problem)
    assert refused["status"] == "infeasible"
    assert refused["conflicts"][0]["message"] == ("p1 cannot take part in any theme: they veto "
                                                  "A and B")
    assert refused["conflicts"][0]["people"] == ["p1"]
    listed = answer(dict(problem, overflow="waitlist"))
    assert listed["status"] == "optimal" and list(listed["assignments"]) == ["p2"]
    assert listed["unplaced"] == [{"id": "p1", "position": 1, "reasons": [{
        "rule": "no_seat", "themes": [], "vetoes": ["A", "B"],
        "message": "they cannot take part in any theme (they veto A and B)"}]}]


def test_a_pinned_person_vetoing_every_theme_waits():
    problem = waitlist([group("a", "A", 4)], [person("p1", vetoes=["A"]), person("p2")],
                       pins={"p1": "a"})
    result = answer(problem)
    assert result["assignments"] == {"p2": "a"} and waiting(result) == ["p1"]


@pytest.mark.parametrize("seed", range(30))
def test_vetoes_are_never_broken(seed):
    rng = random.Random(seed)
    problem = random_problem(rng, rng.randint(20, 80), rng.randint(2, 6), n_themes=3)
    themes = sorted({g["theme"] for g in problem["groups"]})
    for p in problem["participants"]:
        if rng.random() < 0.4:
            others = [t for t in themes if t not in p["preferences"]]
            if len(others) > 1 or (others and rng.random() < 0.5):
                p["vetoes"] = rng.sample(others, k=rng.randint(1, max(1, len(others) - 1)))
    if seed % 2:
        problem["overflow"] = "waitlist"
    result = answer(problem)
    if result["status"] == "infeasible":
        assert result["conflicts"]
        return
    theme = {g["id"]: g["theme"] for g in problem["groups"]}
    by_id = {p["id"]: p for p in problem["participants"]}
    for pid, gid in result["assignments"].items():
        assert theme[gid] not in (by_id[pid].get("vetoes") or [])
    placed = problem if seed % 2 == 0 else dict(problem, participants=[
        p for p in problem["participants"] if p["id"] in result["assignments"]])
    assert violations(placed, result["assignments"]) == []
    values = stage_values(placed, result["assignments"])
    assert all(values[k] == v for k, v in result["objective"].items())


@pytest.mark.parametrize("seed", range(20))
def test_tiny_vetoes_answer_or_conflict(seed):
    problem = tiny_problem(seed, vetoes=True)
    result = answer(problem)
    if result["status"] != "infeasible":
        assert violations(problem, result["assignments"]) == []


# --- a listed theme wins a tie ----------------------------------------------------------------

def test_a_listed_theme_wins_a_tie_over_an_unlisted_one():
    """The issue's tie: u5 in a theme they never listed (rank 2, after their one listed
    theme), v1 at their first choice, gave the same worst rank and rank sum as u5 at
    their first choice and v1 at their listed second."""
    people = [person("u5", ["A"]), person("v1", ["A", "B"])]
    result = answer({"groups": [group("a", "A", 1), group("b", "B", 1)], "participants": people})
    assert result["assignments"] == {"u5": "a", "v1": "b"}
    assert result["metrics"]["unlisted_ids"] == []
    assert result["objective"]["unlisted"] == 0 and result["objective"]["rank_sum"] == 3
    stages = [s["name"] for s in result["stages"]]
    assert stages.index("worst_rank") + 1 == stages.index("unlisted") == \
        stages.index("rank_sum") - 1


def test_a_listed_last_theme_is_not_an_unlisted_one():
    """Prefs [A, B] and [A, B, C] both rank C third; only for the first is it unlisted
    (the count model's classes must tell them apart)."""
    people = [person(f"x{i}", ["A", "B"]) for i in range(3)]
    people += [person(f"y{i}", ["A", "B", "C"]) for i in range(3)]
    groups = [group("a", "A", 1), group("b", "B", 2), group("c", "C", 3)]
    result = answer({"groups": groups, "participants": people})
    assert sorted(p for p, g in result["assignments"].items() if g == "c") == ["y0", "y1", "y2"]
    assert result["objective"]["unlisted"] == 0


def test_unlisted_is_minimised_only_after_the_worst_rank():
    # keeping everyone unlisted out would need a rank 3 for y: worse
    people = [person("x", ["A"]), person("y", ["A", "B", "C"])]
    groups = [group("a", "A", 1), group("c", "C", 1)]
    result = answer({"groups": groups, "participants": people})
    assert result["objective"]["worst_rank"] == 2
    assert result["assignments"] == {"x": "c", "y": "a"}
    assert result["metrics"]["unlisted_ids"] == ["x"]


def test_a_move_forced_by_a_veto_says_so():
    problem = {"groups": [group("a", "A", 3), group("b", "B", 3)],
               "participants": [person("p1", vetoes=["A"]), person("p2")],
               "previous": {"p1": "a", "p2": "a"}}
    result = answer(problem)
    assert result["assignments"]["p1"] == "b"
    assert result["moves"]["p1"]["rules"] == ["veto"]
    assert "their veto" in result["moves"]["p1"]["message"]


def test_vetoes_with_many_themes():
    """Beyond ten themes the count models check the vetoes' Hall condition on unions of
    the people's open themes only (rules.hall_sets); the answer still keeps every veto."""
    themes = [f"T{n:02d}" for n in range(12)]
    groups = [group(f"g{n:02d}", t, 3) for n, t in enumerate(themes)]
    rng = random.Random(7)
    people = []
    for i in range(30):
        vetoes = rng.sample(themes, k=rng.choice([0, 0, 3, 9, 11]))
        people.append(person(f"p{i:02d}", vetoes=vetoes))
    result = answer({"groups": groups, "participants": people})
    assert result["status"] in ("optimal", "feasible"), result.get("conflicts")
    theme = {g["id"]: g["theme"] for g in groups}
    for p in people:
        assert theme[result["assignments"][p["id"]]] not in p.get("vetoes", [])
    # one more person who can only take T00 (full with those who can only take it?)
    only = [p for p in people if sorted(set(themes) - set(p.get("vetoes", []))) == ["T00"]]
    crowd = [person(f"q{i}", vetoes=themes[1:]) for i in range(4 - len(only))]
    refused = answer({"groups": groups, "participants": people + crowd})
    assert refused["status"] == "infeasible"
    assert "cannot take part in themes" in refused["conflicts"][0]["message"]


def test_veto_cut_names_the_themes_too_few_seats_serve():
    from allocator.solver.prepare import prepare
    from allocator.solver.rules import hall_holds, veto_cut

    groups = [group("a", "A", 5), group("b", "B", 5), group("c", "C", 5)]
    people = [person("p1", vetoes=["B", "C"]), person("p2", vetoes=["B", "C"]),
              person("p3", vetoes=["C"]), person("p4")]
    prep = prepare(parse_problem({"groups": groups, "participants": people}))
    everyone = list(range(4))
    assert veto_cut(prep, everyone, [2, 1, 1]) is None and hall_holds(prep, everyone, [2, 1, 1])
    assert veto_cut(prep, everyone, [1, 2, 1]) == (frozenset({0}), 2)  # A serves p1, p2
    assert veto_cut(prep, everyone, [2, 0, 2]) == (frozenset({0, 1}), 3)  # A, B: p1-p3
