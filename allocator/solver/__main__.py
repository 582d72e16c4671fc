"""``python -m allocator.solver PROBLEM.json [-o SOLUTION.json]``.

Exit 0 with an answer, 2 for invalid input or an infeasible problem (the JSON says
why), 1 only for a bug.
"""

from __future__ import annotations

import argparse
import json
import sys
import traceback

from allocator.solver.engine import solve
from allocator.solver.problem import InvalidProblem, parse_problem, solution_to_dict


def main(argv: list[str] | None = None) -> int:
    """Run the solver on a problem file and write the solution as JSON."""
    parser = argparse.ArgumentParser(prog="python -m allocator.solver",
                                     description="Allocate people to working groups.")
    parser.add_argument("problem", help="problem JSON file ('-' for standard input)")
    parser.add_argument("-o", "--output", help="write the solution here instead of stdout")
    parser.add_argument("--no-timings", action="store_true",
                        help="leave out wall times, so equal inputs give equal bytes")
    args = parser.parse_args(argv)

    def emit(document: dict) -> None:
        text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
        if args.output:
            with open(args.output, "w", encoding="utf-8") as fh:
                fh.write(text)
        else:
            sys.stdout.write(text)

    try:
        if args.problem == "-":
            raw = sys.stdin.read()
        else:
            with open(args.problem, encoding="utf-8") as fh:
                raw = fh.read()
        data = json.loads(raw)
        problem = parse_problem(data)
    except (OSError, UnicodeDecodeError) as exc:
        emit({"status": "invalid", "errors": [f"cannot read the problem: {exc}"]})
        return 2
    except json.JSONDecodeError as exc:
        emit({"status": "invalid", "errors": [f"not valid JSON: {exc}"]})
        return 2
    except InvalidProblem as exc:
        emit({"status": "invalid", "errors": exc.errors})
        return 2
    try:
        solution = solve(problem)
    except TimeoutError as exc:
        emit({"status": "unknown", "errors": [str(exc)]})
        return 2
    except Exception:  # a bug: say so on stderr, exit 1
        traceback.print_exc()
        return 1
    emit(solution_to_dict(solution, timings=not args.no_timings))
    return 2 if solution.status == "infeasible" else 0


if __name__ == "__main__":
    sys.exit(main())
