"""The time limit as a promise: how long a solve takes against the limit it was given.

    .venv/bin/python -m benchmarks.limits                # idle machine
    .venv/bin/python -m benchmarks.limits --hogs 2       # beside two busy processes
    .venv/bin/python -m benchmarks.limits --rows 10000:2 10000:10:rules --repeat 3

Each row solves one ``benchmarks.instances.make_instance`` problem (``:rules`` adds 300
apart pairs) in a fresh process, after the imports, and prints the wall time against
``time_limit_s`` (the promise is the limit + 10%), the status, how many stages were
proven, whether the answer is reproducible, and when the first complete answer was
ready; "build s" how long the first count model took to build ("–": none was built),
"flows s" the spread's min-cost flows, "swaps s" its gender and country swaps (cut by
the clock when it runs short), "after s" everything after them (the
exact spread model where one is tried, the final checks, figures and reasons): the
costs the engine's budgets keep time for (``engine.BUILD_S_PER_VARIABLE``,
``budget.SPREAD_S_PER_PERSON``, ``budget.FINISH_S_PER_PERSON``). ``--hogs N`` runs N
processes that only burn CPU beside it, as on a busy server.
The shortest limit the service accepts (``budget.shortest_limit``) is printed beside.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import subprocess
import sys
import time

DEFAULT_ROWS = ["80:0.2", "1200:1", "10000:2", "10000:3:rules", "10000:5", "10000:7",
                "10000:10", "10000:30"]


def one(people: int, limit: float, rules: bool) -> dict:
    """Solve one instance in this process; the figures of one row."""
    from benchmarks.instances import make_instance, with_rules

    groups = max(3, people // 50)
    themes = max(3, groups // 10)
    problem = make_instance(people, groups, themes, seed=0, time_limit_s=limit)
    if rules:
        problem = with_rules(problem, 0, 300, 0)
    from allocator.solver import parse_problem, solve
    from allocator.solver.budget import shortest_limit

    parsed = parse_problem(problem)
    start = time.monotonic()
    solution = solve(parsed)
    wall = time.monotonic() - start
    return {"people": people, "limit": limit, "rules": rules, "wall": wall,
            "status": solution.status, "shortest": shortest_limit(people),
            "proven": sum(s.status == "optimal" for s in solution.stages),
            "stages": len(solution.stages), "reproducible": solution.reproducible,
            "first": solution.timeline.get("first_answer", 0.0),
            "build": _span(solution.timeline, "model_started", "model_built"),
            "flows": _span(solution.timeline, "spread_started", "flows_done"),
            "swaps": _span(solution.timeline, "flows_done", "swaps_done"),
            "after": wall - solution.timeline.get("swaps_done", wall),
            "cut": solution.reproducible_detail}


def _span(timeline: dict[str, float], start: str, end: str) -> float | None:
    """Seconds between two milestones of a solve's timeline (None: not reached)."""
    if start not in timeline or end not in timeline:
        return None
    return timeline[end] - timeline[start]


def _s(seconds: float | None) -> str:
    return "–" if seconds is None else f"{seconds:.2f}"


def _hog() -> None:
    while True:
        pass


def main() -> None:
    """Print the table (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", nargs="*", default=DEFAULT_ROWS,
                        help="people:limit[:rules] per row")
    parser.add_argument("--hogs", type=int, default=0, help="busy processes beside it")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        people, limit, rules = args.one.split(":")
        print(json.dumps(one(int(people), float(limit), rules == "1")))
        return
    hogs = [multiprocessing.Process(target=_hog, daemon=True) for _ in range(args.hogs)]
    for hog in hogs:
        hog.start()
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"{args.hogs} CPU hogs beside each solve")
    print(f"{'people':>7} {'rules':>5} {'limit s':>7} {'wall s':>7} {'over':>6} "
          f"{'status':>8} {'proven':>7} {'repro':>5} {'first s':>7} {'build s':>7} {'flows s':>7} "
          f"{'swaps s':>7} {'after s':>7} {'shortest s':>10}")
    try:
        for row in args.rows:
            parts = row.split(":")
            people, limit = int(parts[0]), float(parts[1])
            rules = len(parts) > 2 and parts[2] == "rules"
            for _ in range(args.repeat):
                out = subprocess.run(
                    [sys.executable, "-m", "benchmarks.limits", "--one",
                     f"{people}:{limit}:{int(rules)}"],
                    capture_output=True, text=True, check=True)
                r = json.loads(out.stdout.strip().splitlines()[-1])
                over = (r["wall"] / r["limit"] - 1) * 100
                repro = "yes" if r["reproducible"] else "no"
                print(f"{people:>7} {'yes' if rules else 'no':>5} {limit:>7g} "
                      f"{r['wall']:>7.2f} {over:>+5.0f}% {r['status']:>8} "
                      f"{r['proven']:>3}/{r['stages']:<3} {repro:>5} "
                      f"{r['first']:>7.3f} {_s(r['build']):>7} {_s(r['flows']):>7} "
                      f"{_s(r['swaps']):>7} {_s(r['after']):>7} {r['shortest']:>10g}", flush=True)
    finally:
        for hog in hogs:
            hog.terminate()


if __name__ == "__main__":
    main()
