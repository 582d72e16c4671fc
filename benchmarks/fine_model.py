"""How big an exact spread model is solved quickly (the reason for FINE_GLOBAL_LIMIT).

    .venv/bin/python -m benchmarks.fine_model

For growing workshop-like instances, the exact fine model is forced on (no size limit),
each spread stage runs with its usual work budgets (CP-SAT, then HiGHS from CP-SAT's best,
``engine._fine_solve``) and a 60 s time limit; prints the model's variables, the class
variables the limit counts, the time of each stage and whether it was proven. The first
row is issue 13's 156-person instance with a pin and pairs (tests/solver/test_anytime.py).
"""

from __future__ import annotations

import time

from allocator.solver import engine, parse_problem
from benchmarks.instances import make_instance, with_rules

SIZES = [(83, 3, 3), (150, 6, 3), (250, 8, 4), (400, 12, 4), (600, 18, 6), (1200, 36, 9)]


def main() -> None:
    """Print one row per size."""
    limit = engine.FINE_GLOBAL_LIMIT
    engine.FINE_GLOBAL_LIMIT = 10**9
    calls: list[tuple[int, int, str, float]] = []
    original = engine._fine_solve

    def timed(fine, expr, clock, stage, hint):
        start = time.monotonic()
        out = original(fine, expr, clock, stage, hint)
        calls.append((fine.mip.n_vars, len(fine.ranked), out.status,
                      time.monotonic() - start))
        return out

    engine._fine_solve = timed
    print(f"Engine's limit: {limit} class variables.\n")
    print("| people / groups | exact model's variables (all) | class variables "
          "| organisation stage | diversity stage |")
    print("|---|---|---|---|---|")
    issue = with_rules(make_instance(156, 6, 3, seed=3, time_limit_s=60), pins=1, apart=4,
                       together=3)
    cases = [((156, 6, " with rules"), issue)] + [
        ((people, groups, ""), make_instance(people, groups, themes, seed=1, time_limit_s=60))
        for people, groups, themes in SIZES]
    for (people, groups, note), problem in cases:
        calls.clear()
        engine.solve(parse_problem(problem))
        if len(calls) == 2:
            (nvars, classes, org, org_s), (_, _, div, div_s) = calls
            print(f"| {people} / {groups}{note} | {nvars} | {classes} | {org} in {org_s:.2f} s | "
                  f"{div} in {div_s:.2f} s |", flush=True)
        else:
            print(f"| {people} / {groups}{note} | – | – | not reached | not reached |", flush=True)


if __name__ == "__main__":
    main()
