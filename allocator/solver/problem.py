"""The solver's input and output: plain dataclasses, and their JSON forms."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

ROLES = ("participant", "facilitator")
OVERFLOWS = ("refuse", "waitlist")
MAX_TIME_LIMIT_S = 3600.0


class InvalidProblem(ValueError):
    """The problem is malformed; ``errors`` says where, in words."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class Group:
    """A working group: one theme, a capacity and a minimum size (everyone counts)."""

    id: str
    theme: str
    capacity: int
    min_size: int = 0
    name: str | None = None

    @property
    def label(self) -> str:
        """How messages name the group: its name when given, else its id."""
        return self.name or self.id


@dataclass(frozen=True)
class Person:
    """Someone to place. Preferences are theme keys, first choice first."""

    id: str
    sector: str
    organization: str | None = None
    country: str | None = None
    gender: str | None = None
    role: str = "participant"
    preferences: tuple[str, ...] = ()
    # higher is placed first when the seats are too few (``overflow: "waitlist"``)
    priority: int = 0
    # themes the person cannot take part in: a hard rule, never placed there
    vetoes: tuple[str, ...] = ()

    @property
    def is_facilitator(self) -> bool:
        """Facilitators are placed by their own rule and left out of sector balance."""
        return self.role == "facilitator"


@dataclass(frozen=True)
class Problem:
    """Everything the solver needs. Only groups and people are required."""

    groups: tuple[Group, ...]
    people: tuple[Person, ...]
    pins: dict[str, str] = field(default_factory=dict)
    apart: tuple[tuple[str, str], ...] = ()
    together: tuple[tuple[str, str], ...] = ()
    previous: dict[str, str] = field(default_factory=dict)
    time_limit_s: float = 30.0
    seed: int = 0
    # Work the organiser grants the exact spread model (organisations, genders,
    # countries): CP-SAT deterministic seconds, about seconds of one core (budget.py)
    mix_s: float = 0.0
    # more people than seats: "refuse" (infeasible) or "waitlist" (place as many as fit)
    overflow: str = "refuse"


@dataclass
class Stage:
    """One lexicographic stage: what it minimised, what it reached, what is proven."""

    name: str
    objective: float | None
    best_bound: float | None
    status: str  # optimal | feasible | skipped
    wall_s: float = 0.0
    detail: str = ""


@dataclass
class Conflict:
    """A set of rules that cannot all hold, said in words an organiser understands.

    ``rules`` lists every rule of the set in the order they chain (each shares a person
    or a group with the one before), as ``{"rule", "people", "groups", ...}`` with ids,
    so that a caller can word it with names (see ``allocator.solver.conflicts``).
    """

    rule: str
    message: str
    people: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    rules: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Solution:
    """The answer: every person in exactly one group, with proof and explanations."""

    status: str  # optimal | feasible | infeasible
    assignments: dict[str, str]
    stages: list[Stage] = field(default_factory=list)
    metrics: dict[str, Any] = field(default_factory=dict)
    reasons: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    moves: dict[str, dict[str, Any]] = field(default_factory=dict)
    conflicts: list[Conflict] = field(default_factory=list)
    wall_s: float = 0.0
    # False when the wall clock, not a work budget, ended a stage (``reproducible_detail``
    # says which): the same input may then give another answer on another run.
    reproducible: bool = True
    reproducible_detail: str = ""
    # Seconds from the start to milestones: "first_answer", "model_started" and
    # "model_built" (the first count model), "preferences" (worst rank and rank sum
    # settled), "spread_started", "flows_done" and "swaps_done" (the spread's min-cost flows, then
    # its gender and country swaps).
    # Timings, so left out of the reproducible output.
    timeline: dict[str, float] = field(default_factory=dict)
    # The problem's ``overflow``; with "waitlist", ``unplaced`` lists who waits, in the
    # waiting list's order: ``{"id", "position", "reasons": [{"rule", "message", ...}]}``.
    overflow: str = "refuse"
    unplaced: list[dict[str, Any]] = field(default_factory=list)


# --- parsing -----------------------------------------------------------------------

def _text(value: Any, where: str, errors: list[str], *, optional: bool = False) -> str | None:
    if value is None and optional:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        errors.append(f"{where} must be a non-empty string")
        return None
    return value.strip()


def _int(value: Any, where: str, errors: list[str], *, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        errors.append(f"{where} must be a whole number of at least {minimum}")
        return minimum
    return value


def _pairs(raw: Any, name: str, ids: set[str], errors: list[str]) -> tuple[tuple[str, str], ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        errors.append(f"{name} must be a list of [person, person] pairs")
        return ()
    pairs: list[tuple[str, str]] = []
    for n, pair in enumerate(raw):
        if not isinstance(pair, list) or len(pair) != 2:
            errors.append(f"{name}[{n}] must be a pair of two person ids")
            continue
        a = _text(pair[0], f"{name}[{n}][0]", errors)
        b = _text(pair[1], f"{name}[{n}][1]", errors)
        if a is None or b is None:
            continue
        for pid in (a, b):
            if pid not in ids:
                errors.append(f"{name}[{n}] names unknown person {pid!r}")
        if a == b:
            errors.append(f"{name}[{n}] pairs {a!r} with itself")
        pairs.append((a, b) if a < b else (b, a))
    return tuple(sorted(set(pairs)))


def _mapping(raw: Any, name: str, ids: set[str], group_ids: set[str],
             errors: list[str]) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        errors.append(f"{name} must map person ids to group ids")
        return {}
    result: dict[str, str] = {}
    for pid, gid in raw.items():
        if pid not in ids:
            errors.append(f"{name} names unknown person {pid!r}")
        elif not isinstance(gid, str) or gid not in group_ids:
            errors.append(f"{name}[{pid!r}] names unknown group {gid!r}")
        else:
            result[pid] = gid
    return dict(sorted(result.items()))


def parse_problem(data: Any) -> Problem:
    """Validate a JSON-like problem and return it, with everything sorted by id."""
    errors: list[str] = []
    if not isinstance(data, dict):
        raise InvalidProblem(["the problem must be a JSON object"])
    known = {"groups", "participants", "pins", "apart", "together", "previous",
             "time_limit_s", "seed", "mix_s", "overflow"}
    errors.extend(f"unknown field {key!r}" for key in sorted(set(data) - known))
    raw_groups = data.get("groups")
    raw_people = data.get("participants")
    if not isinstance(raw_groups, list) or not raw_groups:
        errors.append("groups must be a non-empty list")
        raw_groups = []
    if not isinstance(raw_people, list):
        errors.append("participants must be a list")
        raw_people = []
    groups: list[Group] = []
    for n, g in enumerate(raw_groups):
        if not isinstance(g, dict):
            errors.append(f"groups[{n}] must be an object")
            continue
        extra = set(g) - {"id", "theme", "capacity", "min_size", "name"}
        errors.extend(f"groups[{n}] has unknown field {k!r}" for k in sorted(extra))
        gid = _text(g.get("id"), f"groups[{n}].id", errors)
        theme = _text(g.get("theme"), f"groups[{n}].theme", errors)
        capacity = _int(g.get("capacity"), f"groups[{n}].capacity", errors, minimum=1)
        min_size = _int(g.get("min_size", 0), f"groups[{n}].min_size", errors)
        if min_size > capacity:
            errors.append(f"group {gid!r}: min_size {min_size} exceeds capacity {capacity}")
        name = _text(g.get("name"), f"groups[{n}].name", errors, optional=True)
        if gid and theme:
            groups.append(Group(gid, theme, capacity, min_size, name))
    people: list[Person] = []
    for n, p in enumerate(raw_people):
        if not isinstance(p, dict):
            errors.append(f"participants[{n}] must be an object")
            continue
        extra = set(p) - {"id", "sector", "organization", "country", "gender", "role",
                          "preferences", "priority", "vetoes"}
        errors.extend(f"participants[{n}] has unknown field {k!r}" for k in sorted(extra))
        pid = _text(p.get("id"), f"participants[{n}].id", errors)
        sector = _text(p.get("sector"), f"participants[{n}].sector", errors)
        org = _text(p.get("organization"), f"participants[{n}].organization", errors,
                    optional=True)
        country = _text(p.get("country"), f"participants[{n}].country", errors, optional=True)
        gender = _text(p.get("gender"), f"participants[{n}].gender", errors, optional=True)
        role = p.get("role", "participant")
        if role not in ROLES:
            errors.append(f"participants[{n}].role must be one of {', '.join(ROLES)}")
            role = "participant"
        prefs_raw = p.get("preferences", [])
        prefs: list[str] = []
        if not isinstance(prefs_raw, list):
            errors.append(f"participants[{n}].preferences must be a list of theme keys")
        else:
            for m, key in enumerate(prefs_raw):
                key = _text(key, f"participants[{n}].preferences[{m}]", errors)
                if key is not None:
                    prefs.append(key)
            if len(set(prefs)) != len(prefs):
                errors.append(f"participants[{n}].preferences lists a theme twice")
        priority = p.get("priority", 0)
        if isinstance(priority, bool) or not isinstance(priority, int):
            errors.append(f"participants[{n}].priority must be a whole number")
            priority = 0
        vetoes = _vetoes(p.get("vetoes", []), n, prefs, errors)
        if pid and sector:
            people.append(Person(pid, sector, org, country, gender, role, tuple(prefs),
                                 priority, vetoes))
    themes = {g.theme for g in groups}
    for person in people:
        for theme in person.vetoes:
            if theme not in themes:
                errors.append(f"participant {person.id!r} vetoes theme {theme!r}, which no "
                              "group has")
    group_ids = [g.id for g in groups]
    person_ids = [p.id for p in people]
    for kind, ids in (("group", group_ids), ("participant", person_ids)):
        dupes = sorted(_dupes(ids))
        errors.extend(f"{kind} id {i!r} appears more than once" for i in dupes)
    ids, gids = set(person_ids), set(group_ids)
    pins = _mapping(data.get("pins"), "pins", ids, gids, errors)
    previous = _mapping(data.get("previous"), "previous", ids, gids, errors)
    apart = _pairs(data.get("apart"), "apart", ids, errors)
    together = _pairs(data.get("together"), "together", ids, errors)
    time_limit = data.get("time_limit_s", 30)
    if isinstance(time_limit, bool) or not isinstance(time_limit, (int, float)) or not (
            math.isfinite(time_limit) and 0 < time_limit <= MAX_TIME_LIMIT_S):
        errors.append(f"time_limit_s must be a number of seconds in (0, {MAX_TIME_LIMIT_S:g}]")
        time_limit = 10
    seed = data.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**31:
        errors.append("seed must be a whole number from 0 to 2^31-1")
        seed = 0
    mix = data.get("mix_s", 0)
    if isinstance(mix, bool) or not isinstance(mix, (int, float)) or not (
            math.isfinite(mix) and 0 <= mix <= MAX_TIME_LIMIT_S):
        errors.append(f"mix_s must be a number of seconds in [0, {MAX_TIME_LIMIT_S:g}]")
        mix = 0
    overflow = data.get("overflow", "refuse")
    if overflow not in OVERFLOWS:
        errors.append(f"overflow must be one of {', '.join(OVERFLOWS)}")
        overflow = "refuse"
    if errors:
        raise InvalidProblem(errors)
    return Problem(
        groups=tuple(sorted(groups, key=lambda g: g.id)),
        people=tuple(sorted(people, key=lambda p: p.id)),
        pins=pins, apart=apart, together=together, previous=previous,
        time_limit_s=float(time_limit), seed=seed, mix_s=float(mix), overflow=overflow,
    )


def _vetoes(raw: Any, n: int, prefs: list[str], errors: list[str]) -> tuple[str, ...]:
    """A participant's vetoes: theme keys, none twice, none also a preference."""
    if not isinstance(raw, list):
        errors.append(f"participants[{n}].vetoes must be a list of theme keys")
        return ()
    vetoes: list[str] = []
    for m, key in enumerate(raw):
        key = _text(key, f"participants[{n}].vetoes[{m}]", errors)
        if key is None:
            continue
        if key in vetoes:
            errors.append(f"participants[{n}].vetoes lists theme {key!r} twice")
        elif key in prefs:
            errors.append(f"participants[{n}] both prefers and vetoes theme {key!r}")
        else:
            vetoes.append(key)
    return tuple(vetoes)


def _dupes(ids: list[str]) -> set[str]:
    seen: set[str] = set()
    dupes: set[str] = set()
    for i in ids:
        (dupes if i in seen else seen).add(i)
    return dupes


def problem_to_dict(problem: Problem) -> dict[str, Any]:
    """The JSON form of a problem (what ``parse_problem`` reads)."""
    participants = []
    for p in problem.people:
        person: dict[str, Any] = {
            "id": p.id, "sector": p.sector, "organization": p.organization,
            "country": p.country, "gender": p.gender, "role": p.role,
            "preferences": list(p.preferences)}
        # left out at their defaults, so that earlier problems keep their form
        if p.priority:
            person["priority"] = p.priority
        if p.vetoes:
            person["vetoes"] = list(p.vetoes)
        participants.append(person)
    out: dict[str, Any] = {
        "groups": [{"id": g.id, "theme": g.theme, "capacity": g.capacity,
                    "min_size": g.min_size, "name": g.name} for g in problem.groups],
        "participants": participants,
        "pins": dict(problem.pins), "apart": [list(x) for x in problem.apart],
        "together": [list(x) for x in problem.together], "previous": dict(problem.previous),
        "time_limit_s": problem.time_limit_s, "seed": problem.seed,
    }
    if problem.mix_s:  # left out at its default, so that earlier problems keep their form
        out["mix_s"] = problem.mix_s
    if problem.overflow != "refuse":
        out["overflow"] = problem.overflow
    return out


def solution_to_dict(solution: Solution, *, timings: bool = True) -> dict[str, Any]:
    """The JSON form of a solution; without timings it is byte-for-byte reproducible."""
    out: dict[str, Any] = {"status": solution.status}
    out["reproducible"] = solution.reproducible
    if not solution.reproducible:
        out["reproducible_detail"] = solution.reproducible_detail
    if solution.status == "infeasible":
        out["conflicts"] = [
            {"rule": c.rule, "message": c.message, "people": c.people, "groups": c.groups,
             "rules": c.rules}
            for c in solution.conflicts
        ]
    out["assignments"] = dict(solution.assignments)
    if solution.overflow == "waitlist":  # absent otherwise, so earlier outputs keep their bytes
        out["unplaced"] = solution.unplaced
    out["objective"] = {s.name: s.objective for s in solution.stages}
    out["best_bound"] = {s.name: s.best_bound for s in solution.stages}
    out["stages"] = [
        {"name": s.name, "status": s.status, "objective": s.objective,
         "best_bound": s.best_bound, **({"wall_s": round(s.wall_s, 3)} if timings else {}),
         **({"detail": s.detail} if s.detail else {})}
        for s in solution.stages
    ]
    out["metrics"] = solution.metrics
    out["reasons"] = solution.reasons
    if solution.status != "infeasible":
        out["moves"] = solution.moves
    if timings:
        out["wall_s"] = round(solution.wall_s, 3)
        out["timeline"] = {k: round(v, 3) for k, v in solution.timeline.items()}
    return out
