"""Solver benchmark: the count model (this project) beside a plain CP-SAT model.

    .venv/bin/python -m benchmarks.solver                 # every size, baseline 60 s
    .venv/bin/python -m benchmarks.solver --baseline-s 120 --sizes workshop forum

Every size also runs a stable re-run: the first answer is announced, 3% more people
register late, and the event is allocated again with ``previous`` set.

Each run happens in a fresh process so that peak memory (ru_maxrss) is its own. The
baseline is the textbook model: one boolean per person and group, the same hard rules
and sector bands, and worst rank and rank sum folded into one weighted objective
(worst rank first), solved by CP-SAT with 2 workers. The 10,000-person baseline has
two million booleans and is only run with --baseline-large.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time

from benchmarks.instances import RULES, SIZES, instance, make_instance


def late_arrivals(name: str, seed: int, limit: float, first: dict) -> dict:
    """The same event after publishing, with 3% more people registered late."""
    people, groups, themes = SIZES[name]
    base = instance(name, seed=seed, time_limit_s=limit)
    late = make_instance(people * 3 // 100 + groups, groups, themes, seed=seed + 99)
    extra = late["participants"][groups:]  # the generator's first people are facilitators
    for n, person in enumerate(extra):
        person["id"] = f"late{n:04d}"
    return dict(base, participants=base["participants"] + extra, previous=first)


def run_count_model(name: str, seed: int, limit: float, stable: bool = False) -> dict:
    """Solve with allocator.solver, cold (the process's first solve, imports included)
    and warm (the same problem again); return the figures of the table."""
    from allocator.solver import parse_problem, solve
    from allocator.solver.evaluate import scores
    from allocator.solver.prepare import prepare

    problem = parse_problem(instance(name, seed=seed, time_limit_s=limit))
    if stable:
        first = solve(problem).assignments
        problem = parse_problem(late_arrivals(name, seed, limit, first))
    start = time.monotonic()
    solve(problem)
    cold = time.monotonic() - start
    start = time.monotonic()
    solution = solve(problem)
    wall = time.monotonic() - start
    stages = {s.name: s for s in solution.stages}
    prep = prepare(problem)
    gid = {g.id: n for n, g in enumerate(problem.groups)}
    where = [gid[solution.assignments[p.id]] for p in problem.people]
    achieved = scores(prep, where)
    proven = all(stages[n].status == "optimal" for n in ("worst_rank", "rank_sum"))
    return {
        "model": "count model, MathOpt + HiGHS (spread: flows and swaps)" + (
            f", stable re-run with {len(problem.people) - len(problem.previous)} late "
            f"arrivals: {achieved.moves} moves" if stable else ""),
        "wall_s": round(wall, 3),
        "cold_s": round(cold, 3),
        "first_answer_s": round(solution.timeline.get("first_answer", 0), 3),
        "preference_s": round(solution.timeline.get("preferences", wall), 3),
        "status": solution.status,
        "preferences": "optimal" if proven else "feasible",
        "gap": _gap(stages["rank_sum"].objective, stages["rank_sum"].best_bound),
        "worst_rank": achieved.worst_rank,
        "rank_sum": achieved.rank_sum,
        "balance": achieved.balance,
        "evenness": f"{achieved.evenness} ({stages['evenness'].status})",
        "organization": achieved.organization,
        "diversity": achieved.diversity,
        "spread": "optimal" if stages["diversity"].status == "optimal" else "heuristic",
        "reproducible": solution.reproducible,
        "stages": {s.name: [round(s.wall_s, 3), s.status] for s in solution.stages},
    }


def import_costs() -> dict[str, float]:
    """Seconds to start Python and import the package, and OR-Tools' solver back-ends
    (each in a fresh process, best of three)."""
    snippets = {
        "python": "pass",
        "allocator.solver": "import allocator.solver",
        "OR-Tools back-ends": "import ortools.math_opt.core.python.solver, "
                              "ortools.math_opt.model_pb2, ortools.sat.python.cp_model, "
                              "ortools.graph.python.min_cost_flow",
    }
    costs = {}
    for label, code in snippets.items():
        runs = []
        for _ in range(3):
            start = time.monotonic()
            subprocess.run([sys.executable, "-c", code], check=True)
            runs.append(time.monotonic() - start)
        costs[label] = round(min(runs), 2)
    return costs


def _gap(objective: float | None, bound: float | None) -> float | None:
    if objective is None or bound is None:
        return None
    return round((objective - bound) / max(1, abs(objective)), 4)


def run_baseline(name: str, seed: int, limit: float) -> dict:
    """The plain one-boolean-per-person-and-group CP-SAT model."""
    from ortools.sat.python import cp_model

    from allocator.solver import parse_problem
    from allocator.solver.evaluate import scores
    from allocator.solver.prepare import prepare

    problem = parse_problem(instance(name, seed=seed, time_limit_s=limit))
    prep = prepare(problem)
    start = time.monotonic()
    model = cp_model.CpModel()
    people, groups = range(prep.n_people), range(len(problem.groups))
    x = {(i, g): model.new_bool_var("") for i in people for g in groups}
    for i in people:
        model.add_exactly_one(x[i, g] for g in groups)
    lo_f, hi_f = prep.fac_bounds
    n_total, totals = prep.n_participants, prep.sector_total
    for g in groups:
        size = sum(x[i, g] for i in people)
        model.add(size <= problem.groups[g].capacity)
        model.add(size >= problem.groups[g].min_size)
        if prep.facilitator_rule():
            fac = sum(x[i, g] for i in people if prep.sector_of[i] < 0)
            model.add(fac >= lo_f)
            model.add(fac <= hi_f)
        n_g = sum(x[i, g] for i in people if prep.sector_of[i] >= 0)
        for s, share in enumerate(totals):
            count = sum(x[i, g] for i in people if prep.sector_of[i] == s)
            model.add(n_total * count - share * n_g <= n_total - 1)
            model.add(share * n_g - n_total * count <= n_total - 1)
    max_rank = max(max(r) for r in prep.ranks)
    worst = model.new_int_var(1, max_rank, "worst")
    rank_terms = []
    for i in people:
        rank_i = sum(prep.ranks[i][prep.group_theme[g]] * x[i, g] for g in groups)
        model.add(worst >= rank_i)
        rank_terms.append(rank_i)
    weight = prep.n_people * max_rank + 1
    model.minimize(weight * worst + sum(rank_terms))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = limit
    solver.parameters.num_workers = 2
    solver.parameters.random_seed = seed
    code = solver.solve(model)
    wall = time.monotonic() - start
    result = {"model": "plain CP-SAT, one boolean per person and group",
              "wall_s": round(wall, 2), "preference_s": round(wall, 2),
              "status": solver.status_name(code).lower(), "reproducible": False}
    if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        where = [next(g for g in groups if solver.value(x[i, g])) for i in people]
        achieved = scores(prep, where)
        result.update({
            "preferences": result["status"],
            "gap": _gap(solver.objective_value, solver.best_objective_bound),
            "worst_rank": achieved.worst_rank, "rank_sum": achieved.rank_sum,
            "balance": achieved.balance, "organization": achieved.organization,
            "diversity": achieved.diversity, "spread": "not modelled",
        })
    return result


def one(args: argparse.Namespace) -> None:
    """Child process: run one size with one model and print a JSON line."""
    if args.model == "baseline":
        result = run_baseline(args.one, args.seed, args.limit)
    else:
        result = run_count_model(args.one, args.seed, args.limit, args.model == "stable")
    result["size"] = args.one
    result["peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(result))


def main() -> None:
    """Run every size and model in its own process and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=list(SIZES), choices=list(SIZES))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--limit", type=float, default=60.0, help="count model time limit")
    parser.add_argument("--baseline-s", type=float, default=60.0)
    parser.add_argument("--baseline-large", action="store_true")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--one", choices=list(SIZES), help=argparse.SUPPRESS)
    parser.add_argument("--model", default="count", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        one(args)
        return
    rows = []
    for size in args.sizes:
        runs = [("count", args.limit), ("stable", args.limit)]
        # the plain model has no pins or pairs: it is not run where the size has rules
        if not args.no_baseline and size not in RULES and (
                size != "large" or args.baseline_large):
            runs.append(("baseline", args.baseline_s))
        for model, limit in runs:
            cmd = [sys.executable, "-m", "benchmarks.solver", "--one", size, "--model", model,
                   "--seed", str(args.seed), "--limit", str(limit)]
            out = subprocess.run(cmd, capture_output=True, text=True, check=True)
            rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
            print(f"# {size} {model}: done", file=sys.stderr)
    costs = import_costs()
    print(f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"seed {args.seed}. Starting Python: {costs['python']} s; importing "
          f"allocator.solver: {costs['allocator.solver']} s; importing OR-Tools' back-ends "
          f"(done by the first solve that needs them): {costs['OR-Tools back-ends']} s.\n")
    print("| size | people / groups | model | warm s | cold s | first answer s "
          "| preference stages s | preferences | gap | worst rank | rank sum | balance "
          "| evenness | org excess | diversity excess | spread | reproducible | peak MB |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        people, groups, _ = SIZES[r["size"]]
        print(f"| {r['size']} | {people:,} / {groups} | {r['model']} | {r['wall_s']} | "
              f"{r.get('cold_s', '–')} | {r.get('first_answer_s', '–')} | "
              f"{r['preference_s']} | {r.get('preferences', r['status'])} | "
              f"{_pct(r.get('gap'))} | {r.get('worst_rank', '–')} | {r.get('rank_sum', '–')} | "
              f"{r.get('balance', '–')} | {r.get('evenness', '–')} | "
              f"{r.get('organization', '–')} | {r.get('diversity', '–')} | "
              f"{r.get('spread', '–')} | {'yes' if r.get('reproducible') else 'no'} | "
              f"{r['peak_mb']} |")
    print("\nWhere the warm solve's time goes, stage by stage (seconds; * = not proven):\n")
    names = ["balance", "moves", "evenness", "worst_rank", "rank_sum", "organization",
             "diversity"]
    print("| size | model | first answer | " + " | ".join(names) + " |")
    print("|---|---|---|" + "---|" * len(names))
    for r in rows:
        if "stages" not in r:
            continue
        cells = []
        for name in names:
            wall, status = r["stages"].get(name, (None, None))
            cells.append("–" if wall is None else f"{wall}{'' if status == 'optimal' else '*'}")
        kind = "stable" if "stable" in r["model"] else "count"
        print(f"| {r['size']} | {kind} | {r['first_answer_s']} | " + " | ".join(cells) + " |")


def _pct(gap: float | None) -> str:
    return "–" if gap is None else f"{gap * 100:.2f}%"


if __name__ == "__main__":
    main()
