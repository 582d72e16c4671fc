"""Warm in-process solves: the median of several, with each stage's wall time and result.

    .venv/bin/python -m benchmarks.warm workshop rules forum large --runs 5
    .venv/bin/python -m benchmarks.warm rules --limit 10 --highs   # every HiGHS solve's size
    .venv/bin/python -m benchmarks.warm rules --seeds 8 --runs 3   # one line per seed
    .venv/bin/python -m benchmarks.warm forum --seeds 5 --runs 3 --sized-up-to 10000

The first solve of each size is not counted (it imports OR-Tools' back-ends). On a shared
machine the median of several runs is the figure to quote. With ``--highs`` every HiGHS
solve prints its model size, nodes and simplex iterations: counts of work that do not
depend on the machine's load, unlike its seconds.
"""

from __future__ import annotations

import argparse
import statistics
import time

from allocator.solver import parse_problem, solve
from benchmarks.instances import SIZES, instance


def _watch_highs() -> None:
    """Print every HiGHS solve's size and work (wraps ``lp.solve``)."""
    from allocator.solver import lp

    original = lp.solve

    def solve_and_tell(proto, **kwargs):
        result = original(proto, **kwargs)
        if kwargs.get("backend", "highs") == "highs":
            print(f"  HiGHS {result.wall_s:.3f} s, {len(proto.variables.ids)} variables, "
                  f"{len(proto.linear_constraints.ids)} rows, {result.nodes} nodes, "
                  f"{result.iterations} simplex iterations, {result.reason}"
                  f"{' (LP relaxation)' if kwargs.get('relaxation') else ''}, objective "
                  f"{result.objective if result.objective is None else round(result.objective, 2)}",
                  flush=True)
        return result

    lp.solve = solve_and_tell


def main() -> None:
    """Solve each size once to warm up, then ``--runs`` times; print medians and stages."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="+", choices=list(SIZES))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--limit", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--mix", type=float, default=0.0, help="the problem's mix_s")
    parser.add_argument("--highs", action="store_true", help="print every HiGHS solve")
    parser.add_argument("--sized-up-to", type=int, default=None,
                        help="give the sized start to models of up to N variables "
                             "(engine.SIZED_RANGE's upper end; 0: to none)")
    parser.add_argument("--seeds", type=int, default=0,
                        help="seeds 0..N-1, one line each: median and stage values")
    args = parser.parse_args()
    if args.sized_up_to is not None:
        from allocator.solver import engine

        engine.SIZED_RANGE = (engine.SIZED_RANGE[0], args.sized_up_to)
    if args.seeds:
        for name in args.sizes:
            for seed in range(args.seeds):
                _one_line(name, seed, args)
        return
    for name in args.sizes:
        problem = parse_problem(dict(instance(name, seed=args.seed, time_limit_s=args.limit),
                                     mix_s=args.mix))
        solve(problem)
        if args.highs:
            _watch_highs()
        walls = []
        for _ in range(args.runs):
            start = time.monotonic()
            solution = solve(problem)
            walls.append(time.monotonic() - start)
        print(f"{name}: warm median {statistics.median(walls):.3f} s "
              f"(runs {', '.join(f'{w:.3f}' for w in walls)}); reproducible "
              f"{solution.reproducible}")
        for s in solution.stages:
            print(f"  {s.name}: {s.objective} (bound {s.best_bound}, {s.status}), "
                  f"{s.wall_s:.3f} s")
        print("  timeline: " + ", ".join(f"{k} {v:.3f}" for k, v in solution.timeline.items()))


def _one_line(name: str, seed: int, args: argparse.Namespace) -> None:
    """The warm median of one seed, with every stage's value and status."""
    problem = parse_problem(dict(instance(name, seed=seed, time_limit_s=args.limit),
                                 mix_s=args.mix))
    solve(problem)
    walls = []
    for _ in range(args.runs):
        start = time.monotonic()
        solution = solve(problem)
        walls.append(time.monotonic() - start)
    stages = ", ".join(f"{s.name} {s.objective}{'' if s.status == 'optimal' else '*'}"
                       for s in solution.stages)
    print(f"{name} seed {seed}: warm median {statistics.median(walls):.3f} s; {stages}",
          flush=True)


if __name__ == "__main__":
    main()
