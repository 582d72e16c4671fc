"""The time limit is a promise, and the answer depends on work, not on the machine.

A feasible problem never ends without an answer, however short the limit (how long the
answer takes is measured by benchmarks/solver.py). Every budget
that can change the answer is a count of work, so the same problem gives the same bytes
whether the machine is idle or busy; an answer the clock had to cut says so.
"""

from __future__ import annotations

import json
import multiprocessing
import multiprocessing.pool
import subprocess
import sys
import time

import pytest

from allocator.solver import parse_problem, solution_to_dict, solve
from benchmarks.instances import make_instance, with_rules
from tests.solver.checker import violations
from tests.solver.generate import tiny_problem

pytestmark = pytest.mark.slow


def _timed(problem: dict) -> tuple[dict, float]:
    parsed = parse_problem(problem)  # reading the input is not part of the promise
    start = time.monotonic()
    answer = solution_to_dict(solve(parsed))
    return answer, time.monotonic() - start


@pytest.mark.parametrize(("people", "groups", "themes", "rules", "limit"), [
    (10_000, 200, 20, False, 2.0),
    (10_000, 200, 20, True, 3.0),
    (1_200, 36, 9, True, 0.5),
])
def test_an_answer_within_the_limit_at_scale(people, groups, themes, rules, limit):
    """A complete, rule-keeping answer under a short limit at the service's largest size.
    How long it takes is measured by benchmarks/solver.py, not here (the house rule: no
    timed unit tests); bringing a 10,000-person solve inside its limit +10% on this
    machine is still open in issue 13."""
    problem = make_instance(people, groups, themes, seed=0, time_limit_s=limit)
    if rules:
        problem = with_rules(problem, pins=30, apart=300, together=20)
    answer, _ = _timed(problem)
    assert answer["status"] in ("optimal", "feasible"), answer.get("conflicts")
    assert violations(problem, answer["assignments"]) == []
    if not answer["reproducible"]:  # cut by the clock: it says which steps
        assert "time limit cut" in answer["reproducible_detail"]


@pytest.mark.parametrize("seed", range(60))
def test_a_tiny_limit_still_answers_every_feasible_problem(seed):
    problem = dict(tiny_problem(seed), time_limit_s=0.001)
    answer = solution_to_dict(solve(parse_problem(problem)))
    generous = solution_to_dict(solve(parse_problem(dict(problem, time_limit_s=30))))
    assert (answer["status"] == "infeasible") == (generous["status"] == "infeasible")
    if answer["status"] != "infeasible":
        assert violations(problem, answer["assignments"]) == []


def _hog(stop_at: float) -> None:
    while time.monotonic() < stop_at:
        pass


def _solve_cli(path) -> bytes:
    return subprocess.run([sys.executable, "-m", "allocator.solver", str(path),
                           "--no-timings"], capture_output=True, check=True).stdout


def test_the_same_bytes_alone_and_beside_cpu_hogs(tmp_path):
    """The reported case: 156 people with pairs and a pin, eight copies at once, gave
    other groups to 65 of them when a wall-clock cap decided the spread stage."""
    problem = with_rules(make_instance(156, 6, 3, seed=3, time_limit_s=60),
                         pins=1, apart=4, together=3)
    path = tmp_path / "problem.json"
    path.write_text(json.dumps(problem))
    alone = _solve_cli(path)
    assert json.loads(alone)["reproducible"] is True
    hogs = [multiprocessing.Process(target=_hog, args=(time.monotonic() + 120,))
            for _ in range(4)]
    for hog in hogs:
        hog.start()
    try:
        with multiprocessing.pool.ThreadPool(4) as pool:
            loaded = pool.map(_solve_cli, [path] * 4)
    finally:
        for hog in hogs:
            hog.terminate()
    assert all(answer == alone for answer in loaded)


def test_with_no_time_left_the_flows_keep_the_first_answer_and_say_so():
    """A (theme, sector) block the clock leaves no time for keeps the answer it was given
    (every rule already holds in it) instead of running its flow, and the answer says the
    clock cut the flows."""
    from allocator.solver.budget import Clock
    from allocator.solver.construct import first_answer, plan_sizes
    from allocator.solver.engine import _plan_from_where
    from allocator.solver.evaluate import hard_violations, scores
    from allocator.solver.prepare import prepare
    from allocator.solver.spread import spread_by_flow

    problem = parse_problem(with_rules(make_instance(300, 9, 3, seed=2), pins=3, apart=5,
                                       together=3))
    prep = prepare(problem)
    where = first_answer(prep, plan_sizes(prep, Clock(30, people=prep.n_people)))
    fixed = {i: where[i] for i, g in enumerate(prep.pin) if g is not None}
    plan = _plan_from_where(prep, where, fixed)
    movers = {t: [i for i in people if i not in plan.stay]
              for t, people in plan.theme_people.items()}
    placed = {**plan.placed, **plan.stay}
    late = Clock(0.0, people=prep.n_people)
    kept = spread_by_flow(prep, placed, movers, dict(plan.slots), late,
                          keep=dict(enumerate(where)))
    assert [kept[i] for i in range(prep.n_people)] == where
    assert "the organisation flows" in late.cuts and not late.reproducible
    timely = Clock(30, people=prep.n_people)
    spread = spread_by_flow(prep, placed, movers, dict(plan.slots), timely,
                            keep=dict(enumerate(where)))
    again = [spread[i] for i in range(prep.n_people)]
    assert timely.reproducible and hard_violations(prep, again) == []
    # with time, the flows spread organisations at least as well as the first answer
    assert again != where
    assert scores(prep, again).organization <= scores(prep, where).organization


# 0.005 s: the 83-person workshop takes about 0.02 s warm (docs/benchmarks.md)
@pytest.mark.parametrize("limit", [0.001, 0.005])
def test_what_the_clock_cut_names_only_stages_it_cut_in_words(limit):
    """The reason an answer is not reproducible names the stages the clock cut, in words
    (never a JSON key such as rank_sum), and no stage the answer reports as proven."""
    from allocator.solver.budget import STAGE_WORDS

    answer = solution_to_dict(solve(parse_problem(dict(
        make_instance(83, 3, 3, seed=0), time_limit_s=limit))))
    detail = answer["reproducible_detail"]
    assert not answer["reproducible"] and "time limit cut" in detail
    assert not any(key in detail for key in STAGE_WORDS if "_" in key)
    named = [s for s in answer["stages"] if f"the {STAGE_WORDS[s['name']]} stage" in detail]
    # a stage, or on a busy machine the building of the exact spread model before its stages
    assert named or "the exact spread model" in detail, detail
    assert all(s["status"] != "optimal" for s in named), detail
    assert all(s["detail"] for s in answer["stages"] if s["status"] != "optimal")


def _few_organisations(problem: dict, orgs: int, countries: int) -> dict:
    """The problem with its people in fewer organisations and countries, so that the exact
    spread model is small enough to be granted work (the shape issue 28 measured)."""
    people = [dict(p, organization=f"Org {int(p['organization'][4:]) % orgs}",
                   country=f"C{int(p['country'][1:]) % countries:02d}")
              for p in problem["participants"]]
    return dict(problem, participants=people)


@pytest.mark.parametrize("name", ["workshop", "rules", "rules-mix", "waitlist"])
def test_the_same_bytes_beside_three_cpu_hogs(tmp_path, name):
    """Issue 28: the 240-person instance with rules and a 10 s limit answered "not
    reproducible" and gave other bytes beside three busy processes, because HiGHS ran the
    gender and country stage into the wall clock. Every budget is work now. Issue 29: the
    waiting list's selection is counted, not timed (240 people, 10% more than seats,
    priorities in three tiers, vetoes, pins and pairs)."""
    from benchmarks.instances import instance
    from benchmarks.overflow import overflow_instance

    if name == "waitlist":
        problem = overflow_instance("rules", "tiers", time_limit_s=10)
    elif name == "rules-mix":  # the organiser grants the exact spread model 0.5 s of work
        # (a 30 s limit: a twentieth of it holds 0.5 s; on 2 cores shared with other work
        # at load 9 the 10 s limit's 0.25 s was cut beside the hogs)
        problem = dict(_few_organisations(instance("rules", time_limit_s=30), 40, 12),
                       mix_s=0.5)
    else:
        problem = instance(name, time_limit_s=10)
    path = tmp_path / "problem.json"
    path.write_text(json.dumps(problem))
    alone = _solve_cli(path)
    assert json.loads(alone)["reproducible"] is True, json.loads(alone)["reproducible_detail"]
    hogs = [multiprocessing.Process(target=_hog, args=(time.monotonic() + 120,))
            for _ in range(3)]
    for hog in hogs:
        hog.start()
    try:
        loaded = _solve_cli(path)
    finally:
        for hog in hogs:
            hog.terminate()
    assert loaded == alone


def test_stages_the_clock_leaves_no_time_report_the_answer_kept(monkeypatch):
    """Under load the stages after balance found no time left and reported the first
    answer's figures while the allocation kept was the balance stage's (it had moved
    people): "stage unlisted: model says 5, allocation has 36", a crash (exit 1) instead
    of an answer. Here the clock has no time from the end of the balance stage on."""
    from allocator.solver import engine
    from benchmarks.instances import instance

    original = engine._Stages._stage

    def starving(self, name, model, expr, incumbent):
        out = original(self, name, model, expr, incumbent)
        if name == "balance":
            monkeypatch.setattr(self.clock, "working_left", lambda: 0.0)
        return out

    monkeypatch.setattr(engine._Stages, "_stage", starving)
    answer = solution_to_dict(solve(parse_problem(instance("rules", time_limit_s=60))))
    assert answer["status"] == "feasible" and not answer["reproducible"]
    cut = [s for s in answer["stages"] if "time limit" in s.get("detail", "")]
    assert cut and all(s["status"] == "feasible" for s in cut)
