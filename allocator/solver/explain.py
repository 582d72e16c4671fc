"""Figures about an allocation, and for each person why no better theme was possible.

Everything here is derived from the allocation itself, so it is true for it whatever
model produced it.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from allocator.solver.evaluate import band, fair_cap, group_members, scores
from allocator.solver.prepare import Prepared, org_key


def _balance_excess(prep: Prepared, sector_counts: Counter, n: int) -> int:
    total = 0
    for s, share in enumerate(prep.sector_total):
        lo, hi = band(prep.n_participants, share, n)
        c = sector_counts.get(s, 0)
        total += max(0, c - hi) + max(0, lo - c)
    return total


def measure(prep: Prepared, where: list[int]) -> dict[str, Any]:
    """Rank counts, worst rank, first-choice share and per-group figures."""
    problem = prep.problem
    people = problem.people
    ranked = [i for i, p in enumerate(people) if p.preferences]
    rank_counts = Counter(prep.ranks[i][prep.group_theme[where[i]]] for i in ranked)
    display_org: dict[str, str] = {}
    for p in people:
        key = org_key(p.organization)
        if key and key not in display_org:
            display_org[key] = p.organization or ""
    result: dict[str, Any] = {
        "people": len(people),
        "participants": prep.n_participants,
        "facilitators": prep.n_facilitators,
        "with_preferences": len(ranked),
        "rank_counts": {str(r): rank_counts[r] for r in sorted(rank_counts)},
        "first_choice_share": round(rank_counts.get(1, 0) / len(ranked), 4) if ranked else None,
    }
    achieved = scores(prep, where)
    result.update({
        "worst_rank": max((prep.ranks[i][prep.group_theme[where[i]]] for i in ranked),
                          default=None),
        "rank_sum": achieved.rank_sum,
        "balance_excess": achieved.balance,
        "organization_excess": achieved.organization,
        "diversity_excess": achieved.diversity,
    })
    if problem.previous:
        result["moves"] = achieved.moves
    groups: dict[str, Any] = {}
    total = prep.n_people
    org_totals = Counter(org_key(p.organization) for p in people if p.organization)
    for g, members in enumerate(group_members(prep, where)):
        group = problem.groups[g]
        sectors = Counter(prep.sector_of[i] for i in members if prep.sector_of[i] >= 0)
        n = sum(sectors.values())
        size = len(members)
        orgs = Counter(org_key(people[i].organization) for i in members
                       if people[i].organization)
        genders = Counter(people[i].gender for i in members if people[i].gender)
        countries = Counter(people[i].country for i in members if people[i].country)
        groups[group.id] = {
            "theme": group.theme,
            "size": size,
            "capacity": group.capacity,
            "min_size": group.min_size,
            "facilitators": [people[i].id for i in members if prep.sector_of[i] < 0],
            "participants": n,
            "sectors": {
                sector: {
                    "count": sectors.get(s, 0),
                    "share": round(prep.sector_total[s] * n / prep.n_participants, 3)
                    if prep.n_participants else 0,
                    "min": band(prep.n_participants, prep.sector_total[s], n)[0],
                    "max": band(prep.n_participants, prep.sector_total[s], n)[1],
                }
                for s, sector in enumerate(prep.sectors)
            },
            "organizations": {
                "distinct": len(orgs),
                "above_fair_share": {
                    display_org[o]: {"count": c, "fair_share": fair_cap(total, org_totals[o], size)}
                    for o, c in sorted(orgs.items())
                    if c > fair_cap(total, org_totals[o], size)
                },
            },
            "genders": dict(sorted(genders.items())),
            "countries": dict(sorted(countries.items())),
            "rank_counts": {
                str(r): c for r, c in sorted(Counter(
                    prep.ranks[i][prep.group_theme[g]] for i in members
                    if people[i].preferences).items())
            },
        }
    result["groups"] = groups
    return result


MESSAGES = {
    "no_group": "There is no working group on this theme.",
    "pin": "An organiser pinned this person to their group.",
    "together": "This person must stay with {partners}.",
    "apart": "Every group on this theme holds someone this person must be kept apart from.",
    "stability": "This person stays in the group already announced to them.",
    "facilitator": "The groups on this theme already have their share of facilitators, or "
                   "this person's group would lose its facilitator.",
    "full": "Its groups were full ({detail}).",
    "sector_share": "Their sector's share there was reached ({detail}).",
    "balance": "Moving them would break the sector balance of their group or of that one.",
    "min_size": "Their group would fall below its minimum size.",
    "none": "No rule kept this person out; the search stopped at the time limit first.",
}


def explain(prep: Prepared, where: list[int], *, optimal: bool) -> dict[str, list[dict]]:
    """For everyone not at their first choice: what kept them out of each better theme."""
    problem = prep.problem
    people, groups = problem.people, problem.groups
    members = group_members(prep, where)
    size = [len(m) for m in members]
    fac = [sum(1 for i in m if prep.sector_of[i] < 0) for m in members]
    sectors = [Counter(prep.sector_of[i] for i in m if prep.sector_of[i] >= 0) for m in members]
    n = [sum(c.values()) for c in sectors]
    excess = [_balance_excess(prep, sectors[g], n[g]) for g in range(len(groups))]
    lo_f, hi_f = prep.fac_bounds
    rule_on = prep.facilitator_rule()
    theme_index = {t: k for k, t in enumerate(prep.themes)}
    partners: dict[int, list[str]] = {}
    apart_of: dict[int, set[int]] = {}
    for a, b in problem.together:
        ia, ib = prep.pindex[a], prep.pindex[b]
        partners.setdefault(ia, []).append(b)
        partners.setdefault(ib, []).append(a)
    for a, b in problem.apart:
        ia, ib = prep.pindex[a], prep.pindex[b]
        apart_of.setdefault(ia, set()).add(ib)
        apart_of.setdefault(ib, set()).add(ia)

    def delta_in(g: int, s: int) -> int:
        c = Counter(sectors[g])
        c[s] += 1
        return _balance_excess(prep, c, n[g] + 1) - excess[g]

    def delta_out(g: int, s: int) -> int:
        c = Counter(sectors[g])
        c[s] -= 1
        return _balance_excess(prep, c, n[g] - 1) - excess[g]

    cache_in: dict[tuple[int, int], int] = {}
    cache_out: dict[tuple[int, int], int] = {}
    reasons: dict[str, list[dict]] = {}
    for i, person in enumerate(people):
        if not person.preferences:
            continue
        g = where[i]
        current = prep.ranks[i][prep.group_theme[g]]
        if current == 1:
            continue
        s = prep.sector_of[i]
        entries = []
        for position, theme in enumerate(person.preferences[: current - 1], start=1):
            t = theme_index.get(theme)
            if t is None:
                entries.append({"theme": theme, "rank": position, "rules": ["no_group"],
                                "message": MESSAGES["no_group"]})
                continue
            personal: list[str] = []
            if prep.pin[i] is not None:
                personal.append("pin")
            if i in partners:
                personal.append("together")
            if problem.previous and prep.previous[i] == g:
                personal.append("stability")
            if s >= 0 and (g, s) not in cache_out:
                cache_out[g, s] = delta_out(g, s)
            per_group: list[set[str]] = []
            for h in prep.theme_groups[t]:
                blocked = set(personal)
                if apart_of.get(i) and any(where[j] == h for j in apart_of[i]):
                    blocked.add("apart")
                if size[h] >= groups[h].capacity:
                    blocked.add("full")
                if size[g] - 1 < groups[g].min_size:
                    blocked.add("min_size")
                if s < 0:
                    if rule_on and (fac[h] + 1 > hi_f or fac[g] - 1 < lo_f):
                        blocked.add("facilitator")
                else:
                    if (h, s) not in cache_in:
                        cache_in[h, s] = delta_in(h, s)
                    if cache_in[h, s] + cache_out[g, s] > 0:
                        lo, hi = band(prep.n_participants, prep.sector_total[s], n[h] + 1)
                        blocked.add("sector_share" if sectors[h][s] + 1 > hi else "balance")
                per_group.append(blocked)
            rules = sorted(set().union(*per_group)) if all(per_group) else []
            if not rules:
                rules = ["none"]
            entries.append(_entry(prep, theme, position, rules, t, size, sectors, n, s,
                                  partners.get(i, [])))
        if entries:
            reasons[person.id] = entries
    return reasons


ORDER = ["pin", "together", "apart", "stability", "facilitator", "full", "sector_share",
         "balance", "min_size", "none"]


def _entry(prep: Prepared, theme: str, position: int, rules: list[str], t: int,
           size: list[int], sectors: list[Counter], n: list[int], s: int,
           partners: list[str]) -> dict:
    rules = sorted(rules, key=ORDER.index)
    groups = prep.problem.groups
    messages = []
    for rule in rules:
        if rule == "full":
            detail = ", ".join(f"{groups[h].id} {size[h]}/{groups[h].capacity}"
                               for h in prep.theme_groups[t])
            messages.append(MESSAGES["full"].format(detail=detail))
        elif rule == "sector_share":
            sector = prep.sectors[s]
            detail = ", ".join(
                f"{groups[h].id}: {sectors[h][s]} {sector} of at most "
                f"{band(prep.n_participants, prep.sector_total[s], n[h] + 1)[1]}"
                for h in prep.theme_groups[t])
            messages.append(MESSAGES["sector_share"].format(detail=detail))
        elif rule == "together":
            messages.append(MESSAGES["together"].format(partners=", ".join(partners)))
        else:
            messages.append(MESSAGES[rule])
    return {"theme": theme, "rank": position, "rules": rules, "message": " ".join(messages)}
