"""What organisers notice: stability, facilitators, reasons, determinism, the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from allocator.solver import parse_problem, solution_to_dict, solve
from benchmarks.instances import make_instance
from tests.solver.checker import stage_values, violations

ROOT = Path(__file__).resolve().parents[2]


def answer(problem):
    return solution_to_dict(solve(parse_problem(problem)))


def test_workshop_is_balanced_and_everyone_is_placed():
    problem = make_instance(83, 3, 3, seed=3)
    result = answer(problem)
    # the spread stages are heuristic unless the organiser grants them work (mix_s)
    assert all(s["status"] == "optimal" for s in result["stages"]
               if s["name"] not in ("organization", "diversity"))
    granted = answer(dict(problem, mix_s=1))
    assert granted["status"] == "optimal"
    assert granted["objective"]["organization"] <= result["objective"]["organization"]
    assert violations(problem, result["assignments"]) == []
    for group in result["metrics"]["groups"].values():
        assert len(group["facilitators"]) == 1
        for figures in group["sectors"].values():
            assert figures["min"] <= figures["count"] <= figures["max"]


def test_late_arrivals_do_not_reshuffle_the_announced_groups():
    problem = make_instance(83, 3, 3, seed=5)
    first = answer(problem)
    late = make_instance(88, 3, 3, seed=5)["participants"][83:]
    for n, person in enumerate(late):
        person["id"] = f"late{n}"
    again = dict(problem, participants=problem["participants"] + late,
                 previous=first["assignments"])
    second = answer(again)
    assert second["status"] in ("optimal", "feasible")
    assert violations(again, second["assignments"]) == []
    moved = [p for p, g in first["assignments"].items() if second["assignments"][p] != g]
    assert second["objective"]["moves"] == len(moved)
    # only as many moves as the balance of the larger event forces, and each is explained
    # by the rules that are above stability
    fresh = answer(dict(problem, participants=problem["participants"] + late))
    assert len(moved) <= sum(1 for p, g in first["assignments"].items()
                             if fresh["assignments"][p] != g)
    assert second["objective"]["balance"] == 0
    # every move names the rule that keeps the person from going back
    assert set(second["moves"]) == set(moved)
    for pid in moved:
        entry = second["moves"][pid]
        assert entry["from"] == first["assignments"][pid]
        assert entry["rules"] and "none" not in entry["rules"], entry


def test_a_forced_move_names_its_rule():
    # wg1 was announced with 3 government people; a late NGO registration makes the
    # event half NGO, so balance forces one government person out of wg1
    problem = {
        "groups": [{"id": "wg1", "theme": "a", "capacity": 3},
                   {"id": "wg2", "theme": "b", "capacity": 3}],
        "participants": [{"id": f"g{i}", "sector": "gov", "preferences": ["a"]}
                         for i in range(3)] + [
            {"id": "n1", "sector": "ngo", "preferences": ["a"]},
            {"id": "n2", "sector": "ngo", "preferences": ["b"]},
            {"id": "n3", "sector": "ngo", "preferences": ["b"]}],
        "previous": {"g0": "wg1", "g1": "wg1", "g2": "wg1"},
    }
    result = answer(problem)
    assert result["objective"]["moves"] >= 1
    for entry in result["moves"].values():
        assert entry["from"] == "wg1" and entry["to"] == "wg2"
        assert set(entry["rules"]) & {"sector_share", "balance", "full"}, entry
        assert entry["message"].startswith(
            "Moved from the group announced to them, because keeping them there")


def test_facilitators_one_per_group_and_matched_to_their_theme():
    problem = {
        "groups": [{"id": f"g{n}", "theme": t, "capacity": 10}
                   for n, t in enumerate(["a", "b", "c"])],
        "participants": [
            {"id": "f1", "sector": "x", "role": "facilitator", "preferences": ["c"]},
            {"id": "f2", "sector": "x", "role": "facilitator", "preferences": ["a"]},
            {"id": "f3", "sector": "x", "role": "facilitator", "preferences": ["b"]},
            {"id": "f4", "sector": "x", "role": "facilitator", "preferences": ["b"]},
        ] + [{"id": f"p{i}", "sector": "gov", "preferences": []} for i in range(6)],
    }
    result = answer(problem)
    where = result["assignments"]
    assert (where["f1"], where["f2"]) == ("g2", "g0")
    assert {where["f3"], where["f4"]} == {"g1", "g2"} or where["f3"] == where["f4"] == "g1"
    counts = [sum(1 for f in ("f1", "f2", "f3", "f4") if where[f] == g)
              for g in ("g0", "g1", "g2")]
    assert sorted(counts) == [1, 1, 2]


def test_reasons_are_true_for_the_answer():
    # theme a is wanted by everyone but holds one; pinned and paired people say why
    problem = {
        "groups": [{"id": "ga", "theme": "a", "capacity": 1},
                   {"id": "gb", "theme": "b", "capacity": 6}],
        "participants": [{"id": f"p{i}", "sector": "gov", "preferences": ["a", "b"]}
                         for i in range(6)],
        "pins": {"p5": "gb"},
        "together": [["p3", "p4"]],
    }
    result = answer(problem)
    where = result["assignments"]
    assert sum(1 for g in where.values() if g == "ga") == 1
    for pid, entries in result["reasons"].items():
        assert where[pid] == "gb"
        (entry,) = entries
        assert entry["theme"] == "a" and entry["rank"] == 1
        assert "full" in entry["rules"]
        assert "ga 1/1" in entry["message"]
    assert "pin" in result["reasons"]["p5"][0]["rules"]
    placed_together = where["p3"] == where["p4"] == "gb"
    assert placed_together and "together" in result["reasons"]["p3"][0]["rules"]
    assert set(result["reasons"]) == {p for p, g in where.items() if g == "gb"}


def test_sector_share_is_named_when_it_keeps_someone_out():
    # half the people are from government and all want theme a: rooms are large, but
    # each group must be about half government, so some go to b
    problem = {
        "groups": [{"id": "ga", "theme": "a", "capacity": 10},
                   {"id": "gb", "theme": "b", "capacity": 10}],
        "participants": (
            [{"id": f"g{i}", "sector": "gov", "preferences": ["a"]} for i in range(4)]
            + [{"id": f"n{i}", "sector": "ngo", "preferences": ["b"]} for i in range(4)]),
    }
    result = answer(problem)
    assert result["objective"]["balance"] == 0
    assert result["objective"]["rank_sum"] == 8 + 3
    where = result["assignments"]
    outside = [p for p, g in where.items() if g != ("ga" if p.startswith("g") else "gb")]
    assert len(outside) == 3 and set(result["reasons"]) == set(outside)
    for pid in outside:
        rules = result["reasons"][pid][0]["rules"]
        assert rules == ["sector_share"], rules
        sector = "gov" if pid.startswith("g") else "ngo"
        assert f"{sector} of at most" in result["reasons"][pid][0]["message"]


def test_same_input_same_bytes():
    problem = make_instance(300, 9, 3, seed=11)
    runs = [json.dumps(solution_to_dict(solve(parse_problem(problem)), timings=False))
            for _ in range(2)]
    assert runs[0] == runs[1]
    shuffled = dict(problem, participants=list(reversed(problem["participants"])),
                    groups=list(reversed(problem["groups"])))
    assert json.dumps(solution_to_dict(solve(parse_problem(shuffled)), timings=False)) == runs[0]


def run_cli(tmp_path, problem, *args):
    path = tmp_path / "problem.json"
    path.write_text(problem if isinstance(problem, str) else json.dumps(problem))
    out = tmp_path / "solution.json"
    proc = subprocess.run([sys.executable, "-m", "allocator.solver", str(path), "-o", str(out),
                           *args], cwd=ROOT, capture_output=True, text=True, timeout=120)
    return proc.returncode, json.loads(out.read_text()) if out.exists() else None, proc


def test_cli_exit_codes(tmp_path):
    ok = make_instance(40, 2, 2, seed=1)
    code, body, _ = run_cli(tmp_path, ok)
    assert code == 0 and body["status"] == "optimal"
    assert violations(ok, body["assignments"]) == []
    assert stage_values(ok, body["assignments"])["rank_sum"] == body["objective"]["rank_sum"]
    code, body, _ = run_cli(tmp_path, {"groups": [{"id": "g", "theme": "t", "capacity": 1}],
                                       "participants": [{"id": "a", "sector": "s"},
                                                        {"id": "b", "sector": "s"}]})
    assert code == 2 and body["status"] == "infeasible"
    assert body["conflicts"][0]["message"] == "2 people but 1 seats"
    code, body, _ = run_cli(tmp_path, {"groups": [], "participants": [], "colour": 1})
    assert code == 2 and body["status"] == "invalid"
    assert "groups must be a non-empty list" in body["errors"]
    assert "unknown field 'colour'" in body["errors"]
    code, body, _ = run_cli(tmp_path, "{not json")
    assert code == 2 and body["status"] == "invalid"


@pytest.mark.parametrize(("problem", "needle"), [
    ({"groups": [{"id": "g", "theme": "t", "capacity": 0}], "participants": []}, "capacity"),
    ({"groups": [{"id": "g", "theme": "t", "capacity": 2, "min_size": 3}],
      "participants": []}, "min_size"),
    ({"groups": [{"id": "g", "theme": "t", "capacity": 2}],
      "participants": [{"id": "a", "sector": "s"}, {"id": "a", "sector": "s"}]}, "more than once"),
    ({"groups": [{"id": "g", "theme": "t", "capacity": 2}],
      "participants": [{"id": "a", "sector": "s", "preferences": ["t", "t"]}]}, "twice"),
    ({"groups": [{"id": "g", "theme": "t", "capacity": 2}],
      "participants": [{"id": "a", "sector": "s"}], "pins": {"a": "nope"}}, "unknown group"),
    ({"groups": [{"id": "g", "theme": "t", "capacity": 2}],
      "participants": [{"id": "a", "sector": "s"}], "apart": [["a", "a"]]}, "itself"),
    ({"groups": [{"id": "g", "theme": "t", "capacity": 2}],
      "participants": [{"id": "a", "sector": "s", "role": "chair"}]}, "role"),
    ({"groups": [{"id": "g", "theme": "t", "capacity": 2}], "participants": [],
      "time_limit_s": -1}, "time_limit_s"),
])
def test_invalid_problems_are_named(problem, needle):
    from allocator.solver import InvalidProblem

    with pytest.raises(InvalidProblem) as info:
        parse_problem(problem)
    assert any(needle in e for e in info.value.errors), info.value.errors


def test_evenness_when_every_facilitator_is_pinned():
    """Found by benchmarks/solver.py (10,000 people, stable): with no facilitator free to
    move, the theme-by-theme evenness model met a constant facilitator count and failed."""
    problem = make_instance(300, 12, 3, seed=1, time_limit_s=30)
    facilitators = [p["id"] for p in problem["participants"] if p["role"] == "facilitator"]
    groups = [g["id"] for g in problem["groups"]]
    problem["pins"] = dict(zip(facilitators, groups, strict=True))
    result = answer(problem)
    assert result["status"] in ("optimal", "feasible")
    values = stage_values(problem, result["assignments"])
    assert result["objective"]["evenness"] == values["evenness"]


def _rooms(seed: int, capacities: tuple[int, ...], people: int = 82) -> dict:
    """Issue 28's shape: 76 participants and 6 facilitators, three themes of two rooms
    (groups g and g+3 share a theme), the given capacities and no minimum sizes."""
    problem = make_instance(people, len(capacities), 3, seed=seed)
    for group, capacity in zip(problem["groups"], capacities, strict=True):
        group["capacity"], group["min_size"] = capacity, 0
    return problem


def _uneven_rooms(problem: dict, result: dict) -> list[str]:
    """Rooms outside floor/ceil of their capacity share of their theme's people."""
    from fractions import Fraction
    from math import ceil, floor

    sizes = {g: m["size"] for g, m in result["metrics"]["groups"].items()}
    out = []
    for theme in {g["theme"] for g in problem["groups"]}:
        rooms = [g for g in problem["groups"] if g["theme"] == theme]
        seats = sum(g["capacity"] for g in rooms)
        people = sum(sizes[g["id"]] for g in rooms)
        for g in rooms:
            share = Fraction(people * g["capacity"], seats)
            if not floor(share) <= sizes[g["id"]] <= ceil(share):
                out.append(f"{g['id']}: {sizes[g['id']]} of {people} on {theme}")
    return out


@pytest.mark.parametrize("seed", [8, 10])
def test_two_equal_rooms_of_a_theme_differ_by_one_at_most(seed):
    """Issue 28: 76 participants, 6 facilitators, three themes with two rooms of 16 each
    came out 15 and 10 (seed 8), 9 and 12 (seed 10): evenness ranked after the
    preferences, and the sector bands of the theme's members left no even split. Even
    rooms are part of balance now, ranked before the preferences."""
    problem = _rooms(seed, (16,) * 6)
    result = answer(problem)
    assert violations(problem, result["assignments"]) == []
    assert _uneven_rooms(problem, result) == []
    assert result["objective"]["evenness"] == 0 and result["best_bound"]["evenness"] == 0
    values = stage_values(problem, result["assignments"])
    assert result["objective"]["rank_sum"] == values["rank_sum"]
    stages = [s["name"] for s in result["stages"]]
    assert stages.index("balance") < stages.index("evenness") < stages.index("worst_rank")


@pytest.mark.parametrize(("seed", "capacities"), [
    (8, (20, 16, 12, 12, 16, 20)),   # unequal rooms: sizes follow the capacity shares
    (10, (24, 10, 16, 8, 22, 16)),
    (3, (16,) * 6),
    (5, (14, 18, 15, 18, 14, 17)),
])
def test_rooms_of_unequal_size_follow_their_capacity_share(seed, capacities):
    problem = _rooms(seed, capacities)
    result = answer(problem)
    assert violations(problem, result["assignments"]) == []
    assert _uneven_rooms(problem, result) == []
    assert result["objective"]["evenness"] == 0


@pytest.mark.parametrize("people", [40, 130])
def test_even_rooms_at_other_sizes(people):
    """Siblings of the issue's example at other sizes (rooms scaled to about 15% spare)."""
    capacity = round(people * 1.15 / 6)
    problem = _rooms(1, (capacity,) * 6, people=people)
    result = answer(problem)
    assert violations(problem, result["assignments"]) == []
    assert _uneven_rooms(problem, result) == []


def test_a_stable_re_run_keeps_rooms_even_without_needless_moves():
    """With a previous allocation, stability still ranks before even rooms (a late
    registration must not reshuffle announced groups); evenness then before preferences."""
    problem = _rooms(8, (16,) * 6)
    first = answer(problem)
    again = answer(dict(problem, previous=first["assignments"]))
    assert again["objective"]["moves"] == 0
    stages = [s["name"] for s in again["stages"]]
    assert stages.index("moves") < stages.index("evenness") < stages.index("worst_rank")
    assert _uneven_rooms(problem, again) == []
