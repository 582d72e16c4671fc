"""Issue 29: what a waiting list costs, and what the unlisted stage costs the rank sum.

    .venv/bin/python -m benchmarks.overflow                    # both parts
    .venv/bin/python -m benchmarks.overflow --part waitlist --sizes forum
    .venv/bin/python -m benchmarks.overflow --part unlisted --before 0882836

``waitlist``: the benchmark instances with 10% more people than seats (every room shrunk
to hold people / 1.1), 5% of people vetoing a theme they did not list, the rules
instance's pins and pairs scaled, and priorities three ways: all equal (one tier),
three tiers (10% with duties, 60% checked in, the rest), and registration order (every
person their own priority). Each run is a fresh process: the selection alone
(``waitlist.select``), then the whole solve and the same problem without the people who
wait (what the engine does after the selection), both warm (a first solve is discarded).

``unlisted``: each benchmark instance solved by this tree and by the solver of commit
``--before`` (git archive into a temporary directory: no worktree), both through the CLI
with ``--no-timings``; worst rank, rank sum and the number placed in a theme they did not
list, before and after. ``--cut N`` cuts every preference list to its first N themes
(people who list little, as in ratingallocate's races, are where ties on rank arise).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.instances import SIZES, instance, make_instance, with_rules

ROOT = Path(__file__).resolve().parents[1]


def overflow_instance(name: str, priorities: str, seed: int = 0,
                      time_limit_s: float = 60) -> dict:
    """The named size with 10% more people than seats, vetoes, pairs and priorities."""
    people, groups, themes = SIZES[name]
    problem = make_instance(people, groups, themes, seed=seed, time_limit_s=time_limit_s)
    problem = with_rules(problem, pins=people // 100, apart=people // 50,
                         together=people // 60, seed=seed + 1)
    rng = random.Random(seed + 29)
    seats = sum(g["capacity"] for g in problem["groups"])
    target = round(people / 1.1)
    for g in problem["groups"]:
        g["capacity"] = max(3, round(g["capacity"] * target / seats))
        g["min_size"] = g["capacity"] // 3
    # rounding: exactly people / 1.1 seats
    surplus = sum(g["capacity"] for g in problem["groups"]) - target
    for g in sorted(problem["groups"], key=lambda g: -g["capacity"])[:abs(surplus)]:
        g["capacity"] -= 1 if surplus > 0 else -1
    keys = sorted({g["theme"] for g in problem["groups"]})
    for n, p in enumerate(problem["participants"]):
        if p["role"] != "facilitator" and rng.random() < 0.05:
            others = [t for t in keys if t not in p["preferences"]]
            if others:
                p["vetoes"] = [rng.choice(others)]
        if priorities == "tiers":
            p["priority"] = rng.choices([2, 1, 0], weights=[10, 60, 30])[0]
        elif priorities == "registration":
            p["priority"] = -n
    # a pin into a theme the person vetoes would be a conflict, not a benchmark
    for pid in problem["pins"]:
        person = next(p for p in problem["participants"] if p["id"] == pid)
        person.pop("vetoes", None)
    return dict(problem, overflow="waitlist")


def _waitlist_run(name: str, priorities: str, limit: float) -> dict:
    """In a fresh process: the selection alone, the whole solve, and the solve of the
    placed people alone (both warm)."""
    from allocator.solver import parse_problem, solve
    from allocator.solver.prepare import prepare
    from allocator.solver.waitlist import placed_problem, select

    problem = parse_problem(overflow_instance(name, priorities, time_limit_s=limit))
    solve(problem)  # cold: imports and first loads; the figures are warm
    start = time.monotonic()
    solution = solve(problem)
    whole = time.monotonic() - start
    start = time.monotonic()
    selection = select(prepare(problem))
    selected = time.monotonic() - start
    placed = placed_problem(problem, set(solution.assignments))
    start = time.monotonic()
    alone = solve(placed)
    engine = time.monotonic() - start
    return {"size": name, "priorities": priorities, "people": len(problem.people),
            "seats": sum(g.capacity for g in problem.groups),
            "placed": len(selection.placed), "waiting": len(selection.unplaced),
            "select_s": round(selected, 3), "solve_s": round(whole, 2),
            "placed_only_s": round(engine, 2), "status": solution.status,
            "reproducible": solution.reproducible,
            "same": alone.assignments == solution.assignments,
            "worst_rank": solution.metrics["worst_rank"],
            "unlisted": solution.metrics["unlisted"]}


def waitlist(sizes: list[str], limit: float) -> None:
    print(f"time limit {limit:g} s")
    print("| size | priorities | people | seats | placed | waiting | selection s | "
          "whole solve s | placed people alone s | status | worst rank | unlisted |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|")
    for name in sizes:
        for priorities in ("equal", "tiers", "registration"):
            code = (f"import json; from benchmarks.overflow import _waitlist_run; "
                    f"print(json.dumps(_waitlist_run({name!r}, {priorities!r}, {limit!r})))")
            out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True,
                                 capture_output=True, text=True).stdout
            r = json.loads(out.strip().splitlines()[-1])
            print(f"| {r['size']} | {r['priorities']} | {r['people']:,} | {r['seats']:,} | "
                  f"{r['placed']:,} | {r['waiting']:,} | {r['select_s']} | {r['solve_s']} | "
                  f"{r['placed_only_s']} | {r['status']}"
                  f"{'' if r['reproducible'] else ' (cut by the clock)'}"
                  f"{'' if r['same'] else ', other assignments'} | {r['worst_rank']} | "
                  f"{r['unlisted']} |", flush=True)


def _cli(pythonpath: str, problem: Path) -> tuple[dict, float]:
    env = dict(os.environ, PYTHONPATH=pythonpath)
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "allocator.solver", str(problem),
                           "--no-timings"], env=env, capture_output=True, text=True)
    wall = time.monotonic() - start
    if done.returncode not in (0, 2):
        raise RuntimeError(done.stderr)
    return json.loads(done.stdout), wall


def stage(answer: dict, name: str) -> str:
    """A stage's status and bound, e.g. "optimal" or "feasible (bound 3)"."""
    found = next(s for s in answer["stages"] if s["name"] == name)
    return found["status"] if found["status"] == "optimal" else \
        f"{found['status']} (bound {found['best_bound']})"


def unlisted(sizes: list[str], before: str, seeds: int, cut: int | None = None) -> None:
    with tempfile.TemporaryDirectory() as old:
        archive = subprocess.run(["git", "archive", before, "allocator/solver"], cwd=ROOT,
                                 check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", old], input=archive, check=True)
        Path(old, "allocator", "__init__.py").write_text("")
        print("| size | seed | worst rank before → after | unlisted before → after | "
              "rank sum before → after | unlisted stage after | wall s before / after |")
        print("|---|---:|---|---|---|---|---|")
        for name in sizes:
            for seed in range(seeds if name != "large" else 1):
                path = Path(old, f"{name}-{seed}.json")
                problem = instance(name, seed=seed, time_limit_s=60)
                if cut is not None:  # short lists, as in ratingallocate's races
                    for p in problem["participants"]:
                        p["preferences"] = p["preferences"][:cut]
                path.write_text(json.dumps(problem))
                was, was_s = _cli(old, path)
                now, now_s = _cli(str(ROOT), path)
                a, b = was["metrics"], now["metrics"]
                flag = "" if now["status"] == was["status"] == "optimal" else \
                    f" ({was['status']} / {now['status']})"
                print(f"| {name} | {seed} | {a['worst_rank']} → {b['worst_rank']} | "
                      f"{a['unlisted']} → {b['unlisted']} | {a['rank_sum']:,} → "
                      f"{b['rank_sum']:,} | {stage(now, 'unlisted')} | "
                      f"{was_s:.1f} / {now_s:.1f}{flag} |", flush=True)


def main() -> None:
    """Print the tables of docs/benchmarks.md's issue 29 section."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["waitlist", "unlisted", "both"], default="both")
    parser.add_argument("--sizes", nargs="+", default=None)
    parser.add_argument("--before", default="0882836",
                        help="the commit whose solver has no unlisted stage")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--cut", type=int, default=None,
                        help="unlisted: cut every preference list to this many themes")
    parser.add_argument("--limit", type=float, default=30.0,
                        help="time_limit_s of the waiting-list instances")
    args = parser.parse_args()
    if args.part in ("waitlist", "both"):
        waitlist(args.sizes or ["forum", "large"], args.limit)
    if args.part in ("unlisted", "both"):
        unlisted(args.sizes or list(SIZES), args.before, args.seeds, args.cut)


if __name__ == "__main__":
    main()
