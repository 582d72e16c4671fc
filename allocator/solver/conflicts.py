"""Conflicts said in people's terms: every rule of a minimal set, in the order they chain.

A set found by :mod:`allocator.solver.rules` is a list of rules; here each becomes a
structured entry (what kind, whom, which group) and the list is ordered as a chain — each
rule shares a person or a group with the one before — so that an organiser reads
"a is pinned to WG1; a and b must be together; b and c must be kept apart; c is pinned to
WG1" and sees why. :func:`conflict_message` words it with any labels: the solver's own
(ids, group names) or the service's (people's names).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from allocator.solver.prepare import Prepared
from allocator.solver.problem import Conflict
from allocator.solver.rules import Rule


def rule_entries(prep: Prepared, rules: list[Rule]) -> list[dict[str, Any]]:
    """Each rule as ``{"rule", "people", "groups", ...}`` with ids, in chain order."""
    problem = prep.problem
    gid = [g.id for g in problem.groups]
    pid = [p.id for p in problem.people]
    entries: list[dict[str, Any]] = []
    for kind, n in rules:
        if kind == "pin":
            entries.append({"rule": "pin", "people": [pid[n]], "groups": [gid[prep.pin[n]]]})
        elif kind in ("together", "apart"):
            a, b = (problem.together if kind == "together" else problem.apart)[n]
            entries.append({"rule": kind, "people": [a, b], "groups": []})
        elif kind == "capacity":
            entries.append({"rule": "capacity", "people": [], "groups": [gid[n]],
                            "capacity": problem.groups[n].capacity})
        elif kind == "min_size":
            entries.append({"rule": "min_size", "people": [], "groups": [gid[n]],
                            "min_size": problem.groups[n].min_size})
        elif kind == "veto":
            vetoes = list(problem.people[n].vetoes)
            entries.append({"rule": "veto", "people": [pid[n]],
                            "groups": [g.id for g in problem.groups if g.theme in vetoes],
                            "themes": vetoes})
        elif kind == "vetoes":
            ruled = set(prep.unit_of) | {i for i, g in enumerate(prep.pin) if g is not None}
            vetoers = [i for i, p in enumerate(problem.people) if p.vetoes and i not in ruled]
            entries.append({"rule": "vetoes", "people": [pid[i] for i in vetoers],
                            "groups": [],
                            "themes": sorted({t for i in vetoers
                                              for t in problem.people[i].vetoes})})
        elif kind == "facilitators":
            lo, hi = prep.fac_bounds
            entries.append({"rule": "facilitators", "people": [], "groups": [],
                            "per_group": [lo, hi]})
    return chain(entries)


KIND_ORDER = ["pin", "veto", "together", "apart", "vetoes", "capacity", "min_size",
              "facilitators"]


def chain(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Order rules so that each shares a person or group with the previous one.

    Starts from a rule with an end that no other rule shares (a chain's end), else from
    the first pin; when a chain breaks off, the next one starts the same way.
    """
    def ends(entry: dict[str, Any]) -> set[str]:
        return {f"p:{p}" for p in entry["people"]} | {f"g:{g}" for g in entry["groups"]}

    left = list(entries)
    ordered: list[dict[str, Any]] = []
    while left:
        counts: dict[str, int] = {}
        for entry in left:
            for end in ends(entry):
                counts[end] = counts.get(end, 0) + 1

        def start_key(entry: dict[str, Any], counts: dict[str, int] = counts) -> tuple[int, int]:
            loose = any(counts[e] == 1 for e in ends(entry)) and entry["rule"] != "capacity"
            return (0 if loose else 1, 0 if entry["rule"] == "pin" else 1)

        current = min(left, key=start_key)
        left.remove(current)
        ordered.append(current)
        reached = ends(current)
        while True:
            near = [e for e in left if ends(e) & reached]
            if not near:
                break
            # follow a person first (a is pinned; a and b together; b and c apart ...),
            # else keep rules of one kind side by side ("a, b and c are pinned to WG1")
            step = min(near, key=lambda e, last=ordered[-1], reached=reached: (
                not any(end.startswith("p:") for end in ends(e) & reached),
                e["rule"] != last["rule"], KIND_ORDER.index(e["rule"])))
            left.remove(step)
            ordered.append(step)
            shared = reached & ends(step)
            reached = (ends(step) - shared) or ends(step)
            if step["rule"] == ordered[-2]["rule"] == "pin":
                reached |= shared  # the group the pins share is still the open end
    return ordered


def _names(names: list[str]) -> str:
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def rule_text(entry: dict[str, Any], person: Callable[[str], str],
              group: Callable[[str], str], theme: Callable[[str], str] = str) -> str:
    """One rule in words, e.g. "Ana Ruiz is pinned to WG1" (``theme`` words a theme key:
    its title, where the caller knows it)."""
    kind = entry["rule"]
    people = [person(p) for p in entry["people"]]
    groups = [group(g) for g in entry["groups"]]
    if kind == "pin":
        return f"{_names(people)} {'is' if len(people) == 1 else 'are'} pinned to {groups[0]}"
    if kind == "together":
        return f"{people[0]} and {people[1]} must be together"
    if kind == "apart":
        return f"{people[0]} and {people[1]} must be kept apart"
    if kind == "capacity":
        return f"{groups[0]} holds at most {entry['capacity']}"
    if kind == "min_size":
        return f"{groups[0]} needs at least {entry['min_size']}"
    if kind in ("veto", "vetoes"):
        themes = [theme(t) for t in entry["themes"]]
        return (f"{_names(people)} cannot take part in theme{'s' if len(themes) > 1 else ''} "
                f"{_names(themes)}")
    lo, hi = entry["per_group"]
    count = f"{lo}" if lo == hi else f"{lo} or {hi}"
    return f"each group gets {count} facilitator{'s' if hi > 1 else ''}"


def _merged(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Neighbouring pins to the same group said once: "a, b and c are pinned to WG1"."""
    out: list[dict[str, Any]] = []
    for entry in entries:
        last = out[-1] if out else None
        if last and entry["rule"] == last["rule"] == "pin" and entry["groups"] == last["groups"]:
            out[-1] = {**last, "people": last["people"] + entry["people"]}
        else:
            out.append(entry)
    return out


def conflict_message(entries: list[dict[str, Any]], person: Callable[[str], str],
                     group: Callable[[str], str], theme: Callable[[str], str] = str) -> str:
    """The whole chain in one sentence an organiser can act on."""
    parts = [rule_text(e, person, group, theme) for e in _merged(entries)]
    return "These rules cannot all hold together: " + "; ".join(parts) + "."


def to_conflict(prep: Prepared, rules: list[Rule]) -> Conflict:
    """A minimal set as the solver's :class:`Conflict`, worded with ids and group labels."""
    entries = rule_entries(prep, rules)
    labels = {g.id: g.label for g in prep.problem.groups}
    people = sorted({p for e in entries for p in e["people"]})
    groups = sorted({g for e in entries for g in e["groups"]})
    return Conflict("combination", conflict_message(entries, str, labels.__getitem__),
                    people=people, groups=groups, rules=entries)
