"""How big an exact spread model HiGHS solves quickly (the reason for FINE_GLOBAL_LIMIT).

    .venv/bin/python -m benchmarks.fine_model

For growing workshop-like instances, the exact fine model is forced on (no size limit)
and each spread stage may take up to 20 s; prints the model's class variables, the time
of each stage and whether it was proven.
"""

from __future__ import annotations

import time

from allocator.solver import countmodel, engine, parse_problem
from benchmarks.instances import make_instance

SIZES = [(83, 3, 3), (150, 6, 3), (250, 8, 4), (400, 12, 4), (600, 18, 6)]


def main() -> None:
    """Print one row per size."""
    engine.FINE_GLOBAL_LIMIT = 10**9
    engine.SPREAD_STAGE_MAX_S = 20.0
    calls: list[tuple[int, str, float]] = []
    original = countmodel.CountModel.solve

    def timed(self, objective, seconds, hint=None):
        start = time.monotonic()
        out = original(self, objective, seconds, hint)
        calls.append((self.model.get_num_variables(), out.status, time.monotonic() - start))
        return out

    countmodel.CountModel.solve = timed
    print("| people / groups | exact model's variables (all) | organisation stage "
          "| diversity stage |")
    print("|---|---|---|---|")
    for people, groups, themes in SIZES:
        calls.clear()
        engine.solve(parse_problem(make_instance(people, groups, themes, seed=1,
                                                 time_limit_s=60)))
        spread = calls[-2:] if len(calls) >= 2 else []
        if len(spread) == 2:
            (nvars, org, org_s), (_, div, div_s) = spread
            print(f"| {people} / {groups} | {nvars} | {org} in {org_s:.2f} s | "
                  f"{div} in {div_s:.2f} s |")
        else:
            print(f"| {people} / {groups} | – | not reached | not reached |")


if __name__ == "__main__":
    main()
