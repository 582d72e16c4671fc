"""Budgets: deterministic work limits that decide answers, the wall clock as a safety net.

Every limit that can change an answer is a count of work (HiGHS branch-and-bound nodes,
CP-SAT deterministic time, a fixed number of improvement passes), so the same problem
gives the same answer on an idle laptop and on a loaded server. The problem's
``time_limit_s`` is a promise about *when* an answer comes: a :class:`Clock` watches it,
stages that would not fit are not started, and a step the clock had to cut marks the
answer as not reproducible, saying which.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

# HiGHS branch-and-bound nodes per stage: enough to prove every benchmark instance
# (docs/benchmarks.md); past it a stage keeps its best answer and reports its bound.
NODE_LIMIT = 20_000
# CP-SAT's deterministic time (about seconds on a 2010 core) for the hard-rule model,
# and for each check of the deletion filter that makes a conflict minimal.
RULES_DETERMINISTIC_S = 20.0
CHECK_DETERMINISTIC_S = 2.0
# CP-SAT's deterministic time (one worker) for each exact spread stage (organisation,
# then gender and country) when the model is tiny and the organiser granted no more
# (``Problem.mix_s``): tiny models are proven in a fraction of it.
SPREAD_DETERMINISTIC_S = 0.5
# The share of the time limit the organiser's ``mix_s`` may use at most: one CP-SAT
# deterministic second of the exact spread model took 1.4-3 s alone and up to 5 s beside
# three busy processes on 2 cores shared with other work (load average 7; 240 people,
# issue 28), so a twentieth leaves the wall clock a safety net only.
MIX_SHARE = 0.05
# Swap passes of the organisation/gender/country improvement (spread.py).
SPREAD_PASSES = 3
# Pairs of interchangeable people (same sector, ranks and previous group) the class swaps
# of the spread stages look at, at most, in one solve: about 0.3 s of Python at 10,000
# people on 2 cores; a count, so the answer does not depend on the machine.
CLASS_SWAP_PAIRS = 150_000
# Kept back from the time limit for the final checks, figures and reasons: a share of
# the limit, and at least this long per person (0.13-0.26 s at 10,000 people on 2 cores
# idle, 0.20-0.35 s beside two CPU hogs: benchmarks/limits.py's "after s").
FINISH_SHARE = 0.05
FINISH_S_PER_PERSON = 40e-6
# A HiGHS stage needs about this long per model variable before it has any answer (its
# root: presolve, the LP relaxation, the first heuristics): 0.77 s for the 40,592 variables
# of 10,000 people on an idle 2-core machine (benchmarks/solver.py's stage table), twice
# that beside two busy processes. A solve that could not get that far is not started.
ROOT_S_PER_VARIABLE = 40e-6
# Kept back from the model stages for the spread stages' min-cost flows, which always run
# (0.18-0.25 s at 10,000 people on 2 cores idle, 0.27-0.38 s beside two CPU hogs:
# benchmarks/limits.py's "flows s").
SPREAD_S_PER_PERSON = 60e-6
# The shortest time limit the engine promises to keep: a complete first answer and the
# final checks take about 85 µs per person on 2 cores (benchmarks/limits.py: 0.85 s at
# 10,000 people); the limit allows for that with room for a loaded machine.
SHORTEST_S = 0.1
SHORTEST_S_PER_PERSON = 150e-6


def mix_budget(mix_s: float, time_limit_s: float) -> float:
    """Deterministic seconds the exact spread stages may use together: what the organiser
    granted, at most ``MIX_SHARE`` of the time limit (both inputs, so deterministic)."""
    return max(0.0, min(mix_s, MIX_SHARE * time_limit_s))


def shortest_limit(people: int) -> float:
    """The shortest ``time_limit_s`` (seconds, rounded up to 0.1 s) within which an answer
    for ``people`` people is promised: 0.1 s + 150 µs per person (1.6 s at 10,000)."""
    return math.ceil(10 * (SHORTEST_S + SHORTEST_S_PER_PERSON * max(0, people)) - 1e-9) / 10


# How the stages are named in sentences people read (the keys are the JSON's).
STAGE_WORDS = {"balance": "sector balance", "moves": "stability", "worst_rank": "worst rank",
               "unlisted": "unlisted themes", "rank_sum": "rank sum",
               "evenness": "even group sizes",
               "organization": "organisation spread",
               "diversity": "gender and country spread"}


@dataclass
class Clock:
    """The time left of a solve's limit, and what the wall clock had to cut."""

    seconds: float
    people: int = 0
    start: float = field(default_factory=time.monotonic)
    cuts: list[str] = field(default_factory=list)
    later: float = 0.0  # seconds kept back for the steps after the current one
    marks: dict[str, float] = field(default_factory=dict)  # milestone -> seconds from start

    @property
    def deadline(self) -> float:
        """When the answer is due (monotonic seconds)."""
        return self.start + self.seconds

    def left(self) -> float:
        """Seconds until the answer is due (never negative)."""
        return max(0.0, self.deadline - time.monotonic())

    def elapsed(self) -> float:
        """Seconds since the solve began."""
        return time.monotonic() - self.start

    def working_left(self) -> float:
        """Seconds left for optimising, with the time to finish (and ``later``) kept back."""
        reserve = max(FINISH_SHARE * self.seconds, FINISH_S_PER_PERSON * self.people)
        return max(0.0, self.left() - reserve - self.later)

    def mark(self, milestone: str) -> None:
        """Note the seconds from the start to ``milestone`` (the solution's timeline)."""
        self.marks[milestone] = self.elapsed()

    def keep_back(self, seconds: float) -> None:
        """Keep ``seconds`` back for the steps after the current one (0: none)."""
        self.later = seconds

    def cut(self, what: str) -> None:
        """Record that the wall clock, not a work budget, ended ``what``."""
        if what not in self.cuts:
            self.cuts.append(what)

    def cut_stage(self, name: str) -> None:
        """Record that the wall clock ended the stage keyed ``name`` (see STAGE_WORDS)."""
        self.cut(f"the {STAGE_WORDS.get(name, name)} stage")

    @property
    def reproducible(self) -> bool:
        """True when no step was cut by the wall clock (the answer depends on work only)."""
        return not self.cuts

    def detail(self) -> str:
        """Why the answer may differ on another run, in words (empty when it may not)."""
        if not self.cuts:
            return ""
        return (f"the {self.seconds:g} s time limit cut {', '.join(self.cuts)} before its "
                "work budget was spent; on a faster or less busy machine the answer may be "
                "better")
