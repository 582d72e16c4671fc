"""The same bytes alone and beside three CPU hogs: each problem file through the CLI.

    .venv/bin/python -m benchmarks.same_bytes PROBLEM.json [PROBLEM.json ...]

Each file is solved by ``python -m allocator.solver FILE --no-timings`` once alone and
once beside three busy-loop processes; prints whether the output is byte for byte the
same, whether each answer says it is reproducible, and the wall times.
"""

from __future__ import annotations

import json
import multiprocessing
import subprocess
import sys
import time


def _hog(stop_at: float) -> None:
    while time.monotonic() < stop_at:
        pass


def _cli(path: str) -> tuple[bytes, float]:
    start = time.monotonic()
    out = subprocess.run([sys.executable, "-m", "allocator.solver", path, "--no-timings"],
                         capture_output=True, check=True).stdout
    return out, time.monotonic() - start


def main() -> None:
    """Solve every file alone, then beside three hogs, and compare the bytes."""
    for path in sys.argv[1:]:
        alone, alone_s = _cli(path)
        hogs = [multiprocessing.Process(target=_hog, args=(time.monotonic() + 600,))
                for _ in range(3)]
        for hog in hogs:
            hog.start()
        try:
            loaded, loaded_s = _cli(path)
        finally:
            for hog in hogs:
                hog.terminate()
        print(f"{path}: same bytes {alone == loaded}; reproducible "
              f"{json.loads(alone)['reproducible']} / {json.loads(loaded)['reproducible']}; "
              f"alone {alone_s:.1f} s, beside 3 hogs {loaded_s:.1f} s", flush=True)


if __name__ == "__main__":
    main()
