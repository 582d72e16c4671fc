"""Every stage's objective, computed from an assignment (no model involved)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from allocator.solver.prepare import UNLISTED, VETOED, Prepared


def ceil_div(a: int, b: int) -> int:
    """Ceiling of a / b for integers, b > 0."""
    return -(-a // b)


def band(total: int, share: int, size: int) -> tuple[int, int]:
    """Floor and ceiling of ``share / total * size``: a sector's allowed count in a group."""
    if total == 0:
        return 0, 0
    return share * size // total, ceil_div(share * size, total)


def fair_cap(total: int, share: int, size: int) -> int:
    """The most people of one organisation (gender, country) a group holds at its fair share."""
    return ceil_div(share * size, total) if total else 0


@dataclass
class Scores:
    """The value of each lexicographic stage for one assignment."""

    balance: int
    moves: int
    worst_rank: int
    unlisted: int
    rank_sum: int
    evenness: int
    organization: int
    diversity: int


def evenness(prep: Prepared, members: list[list[int]]) -> int:
    """People beyond an even split of each theme over its groups, by capacity.

    A group's size should lie within the floor and ceiling of its share of its theme's
    people (share = its capacity over the theme's seats); the excess either way is
    counted. With equal rooms that means sizes differ by one at most.
    """
    total = 0
    groups = prep.problem.groups
    for theme_groups in prep.theme_groups:
        seats = sum(groups[g].capacity for g in theme_groups)
        people = sum(len(members[g]) for g in theme_groups)
        for g in theme_groups:
            lo, hi = band(seats, groups[g].capacity, people)
            size = len(members[g])
            total += max(0, size - hi) + max(0, lo - size)
    return total


def group_members(prep: Prepared, where: list[int]) -> list[list[int]]:
    """People per group index."""
    members: list[list[int]] = [[] for _ in prep.problem.groups]
    for person, group in enumerate(where):
        members[group].append(person)
    return members


def scores(prep: Prepared, where: list[int]) -> Scores:
    """Compute every stage's objective for ``where`` (person index -> group index)."""
    members = group_members(prep, where)
    balance = organization = diversity = 0
    total = prep.n_people
    for people in members:
        size = len(people)
        sectors = Counter(prep.sector_of[i] for i in people if prep.sector_of[i] >= 0)
        n = sum(sectors.values())
        for s, share in enumerate(prep.sector_total):
            lo, hi = band(prep.n_participants, share, n)
            count = sectors.get(s, 0)
            balance += max(0, count - hi) + max(0, lo - count)
        for of, totals in ((prep.org_of, prep.org_total),):
            counts = Counter(of[i] for i in people if of[i] >= 0)
            organization += sum(max(0, c - fair_cap(total, totals[a], size))
                                for a, c in counts.items())
        for of, totals in ((prep.gender_of, prep.gender_total),
                           (prep.country_of, prep.country_total)):
            counts = Counter(of[i] for i in people if of[i] >= 0)
            diversity += sum(max(0, c - fair_cap(total, totals[a], size))
                             for a, c in counts.items())
    ranks = [prep.ranks[i][prep.group_theme[g]] for i, g in enumerate(where)]
    unlisted = sum(1 for i, g in enumerate(where)
                   if prep.marks[i][prep.group_theme[g]] == UNLISTED)
    moves = sum(1 for i, g in enumerate(where)
                if prep.previous[i] is not None and prep.previous[i] != g)
    return Scores(balance=balance, moves=moves, worst_rank=max(ranks, default=0),
                  unlisted=unlisted, rank_sum=sum(ranks), evenness=evenness(prep, members),
                  organization=organization, diversity=diversity)


@dataclass(frozen=True)
class Broken:
    """One hard rule an assignment breaks: ``rule`` is capacity, min_size, facilitator
    (too many in ``group``; ``over`` False: too few), pin, veto (``people`` placed in
    ``group``, whose theme they veto), together or apart; ``people`` are person indices,
    ``group`` a group index (or None)."""

    rule: str
    group: int | None = None
    people: tuple[int, ...] = ()
    over: bool = True


def broken_rules(prep: Prepared, where: list[int]) -> list[Broken]:
    """Every hard rule ``where`` breaks (person index -> group index, -1: not placed yet).

    The one check of the hard rules: the engine checks its answer with it, a hand move
    and a late arrival's placement are refused by the rules they would newly break.
    People not placed count in no group and break no pair.
    """
    found: list[Broken] = []
    members: list[list[int]] = [[] for _ in prep.problem.groups]
    for person, group in enumerate(where):
        if group >= 0:
            members[group].append(person)
    groups = prep.problem.groups
    lo_f, hi_f = prep.fac_bounds
    for g, people in enumerate(members):
        if len(people) > groups[g].capacity:
            found.append(Broken("capacity", g))
        if len(people) < groups[g].min_size:
            found.append(Broken("min_size", g, over=False))
        if prep.facilitator_rule():
            fac = sum(1 for i in people if prep.sector_of[i] < 0)
            if fac > hi_f:
                found.append(Broken("facilitator", g))
            elif fac < lo_f:
                found.append(Broken("facilitator", g, over=False))
    for i, pin in enumerate(prep.pin):
        if pin is not None and where[i] >= 0 and where[i] != pin:
            found.append(Broken("pin", pin, (i,)))
    for i, g in enumerate(where):
        if g >= 0 and prep.marks[i][prep.group_theme[g]] == VETOED:
            found.append(Broken("veto", g, (i,)))
    for kind, pairs in (("together", prep.problem.together), ("apart", prep.problem.apart)):
        for a, b in pairs:
            x, y = prep.pindex[a], prep.pindex[b]
            if where[x] < 0 or where[y] < 0:
                continue
            if (where[x] != where[y]) if kind == "together" else (where[x] == where[y]):
                found.append(Broken(kind, where[x], (x, y)))
    return found


def newly_broken(prep: Prepared, before: list[int], after: list[int]) -> list[Broken]:
    """The hard rules ``after`` breaks that ``before`` did not (a move, a placement)."""
    already = set(broken_rules(prep, before))
    return [b for b in broken_rules(prep, after) if b not in already]


def hard_violations(prep: Prepared, where: list[int]) -> list[str]:
    """Broken hard rules, in words with the solver's ids (empty for a valid answer)."""
    groups, people = prep.problem.groups, prep.problem.people
    words = []
    for b in broken_rules(prep, where):
        who = " and ".join(people[i].id for i in b.people)
        if b.rule in ("capacity", "min_size"):
            words.append(f"{groups[b.group].id} holds "
                         f"{sum(1 for x in where if x == b.group)} "
                         f"{'> capacity' if b.rule == 'capacity' else '< min_size'}")
        elif b.rule == "facilitator":
            words.append(f"{groups[b.group].id} has too "
                         f"{'many' if b.over else 'few'} facilitators")
        elif b.rule == "pin":
            words.append(f"{who} is not in its pinned group")
        elif b.rule == "veto":
            words.append(f"{who} is in {groups[b.group].id}, whose theme "
                         f"{groups[b.group].theme} they veto")
        else:
            words.append(f"{who} are not {b.rule}")
    return words
