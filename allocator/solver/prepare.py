"""Derived facts the models share: ranks, shares, facilitator bounds, rule units."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from allocator.solver.problem import Person, Problem


def org_key(name: str | None) -> str | None:
    """Organisation names compared without case or spacing differences."""
    if not name:
        return None
    return " ".join(name.casefold().split())


def rank_of(person: Person, theme: str) -> int:
    """1 for a first choice; an unlisted theme ranks after every listed one."""
    try:
        return person.preferences.index(theme) + 1
    except ValueError:
        return len(person.preferences) + 1


# What a theme is to a person (``Prepared.marks``): an option they listed (or any theme,
# for someone who listed none), an option they did not list, or not an option (vetoed).
LISTED, UNLISTED, VETOED = 0, 1, 2


def mark_of(person: Person, theme: str) -> int:
    """LISTED, UNLISTED or VETOED: what ``theme`` is to ``person``."""
    if theme in person.vetoes:
        return VETOED
    if person.preferences and theme not in person.preferences:
        return UNLISTED
    return LISTED


@dataclass
class Prepared:
    """A problem with indices and the numbers every stage needs."""

    problem: Problem
    themes: list[str]
    group_theme: list[int]  # group index -> theme index
    theme_groups: list[list[int]]
    ranks: list[tuple[int, ...]]  # person index -> rank per theme index
    marks: list[tuple[int, ...]]  # person index -> LISTED/UNLISTED/VETOED per theme index
    sectors: list[str]  # sectors of participants (facilitators excluded), sorted
    sector_of: list[int]  # person index -> sector index, -1 for facilitators
    n_participants: int
    sector_total: list[int]
    n_facilitators: int
    fac_bounds: tuple[int, int]  # facilitators per group, when the rule applies
    pin: list[int | None]
    previous: list[int | None]
    units: list[list[int]]  # people placed together as one, or with an apart rule
    unit_of: dict[int, int]
    apart_units: list[tuple[int, int]]
    orgs: list[str]  # organisations with two or more people
    org_of: list[int]  # -1 when not counted
    org_total: list[int]
    genders: list[str]
    gender_of: list[int]
    gender_total: list[int]
    countries: list[str]
    country_of: list[int]
    country_total: list[int]
    pindex: dict[str, int] = field(default_factory=dict)
    gindex: dict[str, int] = field(default_factory=dict)

    @property
    def n_people(self) -> int:
        """Everyone to place, facilitators included."""
        return len(self.problem.people)

    def open_to(self, i: int, g: int) -> bool:
        """Whether person i may be placed in group g (its theme is not one they veto)."""
        return self.marks[i][self.group_theme[g]] != VETOED

    def facilitator_rule(self) -> bool:
        """Whether the one-facilitator-per-group rule applies (enough facilitators)."""
        return self.n_facilitators >= len(self.problem.groups) > 0


def _attribute(values: list[str | None], minimum: int) -> tuple[list[str], list[int], list[int]]:
    counts = Counter(v for v in values if v is not None)
    keys = sorted(k for k, c in counts.items() if c >= minimum)
    index = {k: n for n, k in enumerate(keys)}
    return keys, [index.get(v, -1) if v is not None else -1 for v in values], [
        counts[k] for k in keys]


def _components(n: int, edges: list[tuple[int, int]]) -> list[list[int]]:
    parent = list(range(n))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(n):
        groups[find(i)].append(i)
    return [sorted(m) for m in groups.values()]


def prepare(problem: Problem) -> Prepared:
    """Index a (parsed, id-sorted) problem."""
    groups, people = problem.groups, problem.people
    gindex = {g.id: n for n, g in enumerate(groups)}
    pindex = {p.id: n for n, p in enumerate(people)}
    themes = sorted({g.theme for g in groups})
    tindex = {t: n for n, t in enumerate(themes)}
    group_theme = [tindex[g.theme] for g in groups]
    theme_groups = [[n for n, t in enumerate(group_theme) if t == k] for k in range(len(themes))]
    ranks = [tuple(rank_of(p, t) for t in themes) for p in people]
    marks = [tuple(mark_of(p, t) for t in themes) for p in people]
    sectors = sorted({p.sector for p in people if not p.is_facilitator})
    sindex = {s: n for n, s in enumerate(sectors)}
    sector_of = [-1 if p.is_facilitator else sindex[p.sector] for p in people]
    sector_total = [0] * len(sectors)
    for s in sector_of:
        if s >= 0:
            sector_total[s] += 1
    n_fac = sum(p.is_facilitator for p in people)
    n_groups = len(groups)
    if n_fac >= n_groups > 0:
        fac_bounds = (n_fac // n_groups, math.ceil(n_fac / n_groups))
    else:
        fac_bounds = (0, 1)
    pin = [gindex.get(problem.pins.get(p.id, ""), None) for p in people]
    previous = [gindex.get(problem.previous.get(p.id, ""), None) for p in people]
    together = [(pindex[a], pindex[b]) for a, b in problem.together]
    apart_people = {pindex[x] for pair in problem.apart for x in pair}
    with_rules = sorted({i for e in together for i in e} | apart_people)
    comps = _components(len(people), together)
    units = [c for c in comps if len(c) > 1 or c[0] in apart_people]
    units.sort(key=lambda c: c[0])
    unit_of = {i: u for u, members in enumerate(units) for i in members}
    assert set(with_rules) <= set(unit_of)
    apart_units = sorted({tuple(sorted((unit_of[pindex[a]], unit_of[pindex[b]])))
                          for a, b in problem.apart})
    orgs, org_of, org_total = _attribute([org_key(p.organization) for p in people], 2)
    genders, gender_of, gender_total = _attribute([p.gender for p in people], 1)
    countries, country_of, country_total = _attribute([p.country for p in people], 1)
    return Prepared(
        problem=problem, themes=themes, group_theme=group_theme, theme_groups=theme_groups,
        ranks=ranks, marks=marks, sectors=sectors, sector_of=sector_of,
        n_participants=sum(1 for s in sector_of if s >= 0), sector_total=sector_total,
        n_facilitators=n_fac, fac_bounds=fac_bounds, pin=pin, previous=previous,
        units=units, unit_of=unit_of, apart_units=[(a, b) for a, b in apart_units],
        orgs=orgs, org_of=org_of, org_total=org_total,
        genders=genders, gender_of=gender_of, gender_total=gender_total,
        countries=countries, country_of=country_of, country_total=country_total,
        pindex=pindex, gindex=gindex,
    )
