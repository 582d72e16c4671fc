"""Figures about an allocation, and for each person why no better theme was possible.

Everything here is derived from the allocation itself, so it is true for it whatever
model produced it.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from allocator.solver.evaluate import band, fair_cap, group_members, scores
from allocator.solver.prepare import Prepared, org_key


def balance_excess(prep: Prepared, sector_counts: Counter, n: int) -> int:
    """How far one group's sector counts (by sector index) are outside the bands that
    balance allows for a group of n (evaluate.band): the sum of shortfalls and excesses."""
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
    # a theme the person did not list is not "their choice n+1": counted apart
    unlisted = {i for i in ranked
                if prep.ranks[i][prep.group_theme[where[i]]] > len(people[i].preferences)}
    rank_counts = Counter(prep.ranks[i][prep.group_theme[where[i]]] for i in ranked
                          if i not in unlisted)
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
        "unlisted": len(unlisted),
        "unlisted_ids": sorted(people[i].id for i in unlisted),
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
                    if people[i].preferences
                    and prep.ranks[i][prep.group_theme[g]] <= len(people[i].preferences)
                ).items())
            },
            "unlisted": sum(1 for i in members if people[i].preferences
                            and prep.ranks[i][prep.group_theme[g]] > len(people[i].preferences)),
        }
    result["groups"] = groups
    return result


MESSAGES = {
    "no_group": "There is no working group on this theme.",
    "pin": "An organiser pinned this person to their group.",
    "together": "This person must stay with {partners}.",
    "apart": "Every group on this theme holds someone this person must be kept apart from.",
    "stability": "This person stays in the group already announced to them.",
    "facilitator": "The groups on this theme already have their share of facilitators.",
    "facilitator_needed": "Their group would be left without its share of facilitators.",
    "full": "Its groups were full ({detail}).",
    "sector_share": "Their sector's share there was reached ({detail}).",
    "balance": "Moving them would break the sector balance of their group or of that one.",
    "min_size": "Their group would fall below its minimum size.",
    "even_sizes": "Moving them would make the groups of a theme uneven in size.",
    "veto": "They cannot take part in this theme (their veto).",
    "none": "No rule kept this person out; the search stopped at the time limit first.",
}


class _Blocks:
    """What keeps one person from moving, alone, from their group to another."""

    def __init__(self, prep: Prepared, where: list[int]) -> None:
        problem = prep.problem
        self.prep, self.where = prep, where
        self.groups = problem.groups
        members = group_members(prep, where)
        self.size = [len(m) for m in members]
        self.fac = [sum(1 for i in m if prep.sector_of[i] < 0) for m in members]
        self.sectors = [Counter(prep.sector_of[i] for i in m if prep.sector_of[i] >= 0)
                        for m in members]
        self.n = [sum(c.values()) for c in self.sectors]
        self.excess = [balance_excess(prep, self.sectors[g], self.n[g])
                       for g in range(len(self.groups))]
        self.partners: dict[int, list[str]] = {}
        self.apart_of: dict[int, set[int]] = {}
        for a, b in problem.together:
            ia, ib = prep.pindex[a], prep.pindex[b]
            self.partners.setdefault(ia, []).append(b)
            self.partners.setdefault(ib, []).append(a)
        for a, b in problem.apart:
            ia, ib = prep.pindex[a], prep.pindex[b]
            self.apart_of.setdefault(ia, set()).add(ib)
            self.apart_of.setdefault(ib, set()).add(ia)
        self._delta: dict[tuple[int, int, int], int] = {}
        theme_of = prep.group_theme
        self.theme_people = Counter()
        for g, n in enumerate(self.size):
            self.theme_people[theme_of[g]] += n
        self.uneven = {t: self._uneven(t, {}) for t in range(len(prep.theme_groups))}

    def _uneven(self, t: int, change: dict[int, int]) -> int:
        """Theme t's evenness excess with the group sizes changed by ``change``."""
        groups = self.prep.theme_groups[t]
        if len(groups) < 2:
            return 0
        seats = sum(self.groups[g].capacity for g in groups)
        people = self.theme_people[t] + sum(change.get(g, 0) for g in groups)
        total = 0
        for g in groups:
            lo, hi = band(seats, self.groups[g].capacity, people)
            size = self.size[g] + change.get(g, 0)
            total += max(0, size - hi) + max(0, lo - size)
        return total

    def _evenness_change(self, g: int, h: int) -> int:
        """How the evenness excess changes when one person moves from g to h."""
        themes = {self.prep.group_theme[g], self.prep.group_theme[h]}
        change = {g: -1, h: 1}
        return sum(self._uneven(t, change) - self.uneven[t] for t in themes)

    def _balance_change(self, g: int, s: int, step: int) -> int:
        key = (g, s, step)
        if key not in self._delta:
            counts = Counter(self.sectors[g])
            counts[s] += step
            self._delta[key] = (balance_excess(self.prep, counts, self.n[g] + step)
                                - self.excess[g])
        return self._delta[key]

    def personal(self, i: int, g: int) -> set[str]:
        """Rules tied to the person, whatever the destination."""
        rules = set()
        if self.prep.pin[i] is not None:
            rules.add("pin")
        if i in self.partners:
            rules.add("together")
        return rules

    def between(self, i: int, g: int, h: int) -> set[str]:
        """Group rules that moving person i from group g to group h would break."""
        prep = self.prep
        rules = set()
        if self.apart_of.get(i) and any(self.where[j] == h for j in self.apart_of[i]):
            rules.add("apart")
        if self.size[h] >= self.groups[h].capacity:
            rules.add("full")
        if self.size[g] - 1 < self.groups[g].min_size:
            rules.add("min_size")
        if self._evenness_change(g, h) > 0:
            rules.add("even_sizes")
        s = prep.sector_of[i]
        if s < 0:
            lo, hi = prep.fac_bounds
            if prep.facilitator_rule() and self.fac[h] + 1 > hi:
                rules.add("facilitator")
            if prep.facilitator_rule() and self.fac[g] - 1 < lo:
                rules.add("facilitator_needed")
        elif self._balance_change(h, s, 1) + self._balance_change(g, s, -1) > 0:
            hi = band(prep.n_participants, prep.sector_total[s], self.n[h] + 1)[1]
            rules.add("sector_share" if self.sectors[h][s] + 1 > hi else "balance")
        return rules


def explain(prep: Prepared, where: list[int]) -> dict[str, list[dict]]:
    """For everyone not at their first choice: what kept them out of each better theme."""
    problem = prep.problem
    blocks = _Blocks(prep, where)
    theme_index = {t: k for k, t in enumerate(prep.themes)}
    reasons: dict[str, list[dict]] = {}
    for i, person in enumerate(problem.people):
        if not person.preferences:
            continue
        g = where[i]
        current = prep.ranks[i][prep.group_theme[g]]
        if current == 1:
            continue
        entries = []
        for position, theme in enumerate(person.preferences[: current - 1], start=1):
            t = theme_index.get(theme)
            if t is None:
                entries.append({"theme": theme, "rank": position, "rules": ["no_group"],
                                "message": MESSAGES["no_group"]})
                continue
            personal = blocks.personal(i, g)
            if problem.previous and prep.previous[i] == g:
                personal.add("stability")
            per_group = [personal | blocks.between(i, g, h) for h in prep.theme_groups[t]]
            rules = sorted(set().union(*per_group)) if all(per_group) else ["none"]
            entries.append(_entry(prep, theme, position, rules, prep.theme_groups[t], blocks,
                                  prep.sector_of[i], blocks.partners.get(i, [])))
        if entries:
            reasons[person.id] = entries
    return reasons


def explain_moves(prep: Prepared, where: list[int]) -> dict[str, dict]:
    """For everyone not in their previous group: the rules that forbid moving them back."""
    blocks = _Blocks(prep, where)
    gid = [g.id for g in prep.problem.groups]
    moves: dict[str, dict] = {}
    for i, person in enumerate(prep.problem.people):
        before, now = prep.previous[i], where[i]
        if before is None or before == now:
            continue
        rules = sorted(blocks.personal(i, now) | blocks.between(i, now, before)) or ["none"]
        if not prep.open_to(i, before):  # a veto given since: no other rule matters
            rules = ["veto"]
        entry = _entry(prep, prep.problem.groups[before].theme, 0, rules, [before], blocks,
                       prep.sector_of[i], blocks.partners.get(i, []), back=True)
        moves[person.id] = {"from": gid[before], "to": gid[now], "rules": entry["rules"],
                            "message": entry["message"],
                            **{k: v for k, v in entry.items()
                               if k not in ("theme", "rank", "rules", "message")}}
    return moves


ORDER = ["veto", "pin", "together", "apart", "stability", "facilitator",
         "facilitator_needed", "full", "sector_share", "balance", "min_size", "even_sizes",
         "none"]


def _entry(prep: Prepared, theme: str, position: int, rules: list[str], groups: list[int],
           blocks: _Blocks, s: int, partners: list[str], back: bool = False) -> dict:
    rules = sorted(rules, key=ORDER.index)
    names = prep.problem.groups
    messages = []
    # what a caller needs to word the reasons itself (with names instead of ids)
    facts: dict[str, Any] = {}
    if "full" in rules:
        facts["fill"] = [{"group": names[h].id, "size": blocks.size[h],
                          "capacity": names[h].capacity} for h in groups]
    if "sector_share" in rules:
        facts["sector"] = prep.sectors[s]
        facts["sector_counts"] = [
            {"group": names[h].id, "count": blocks.sectors[h][s],
             "most": band(prep.n_participants, prep.sector_total[s], blocks.n[h] + 1)[1]}
            for h in groups]
    if "together" in rules:
        facts["partners"] = list(partners)
    for rule in rules:
        if rule == "full":
            detail = ", ".join(f"{names[h].label} {blocks.size[h]}/{names[h].capacity}"
                               for h in groups)
            messages.append(MESSAGES["full"].format(detail=detail))
        elif rule == "sector_share":
            sector = prep.sectors[s]
            detail = ", ".join(
                f"{names[h].label}: {blocks.sectors[h][s]} {sector} of at most "
                f"{band(prep.n_participants, prep.sector_total[s], blocks.n[h] + 1)[1]}"
                for h in groups)
            messages.append(MESSAGES["sector_share"].format(detail=detail))
        elif rule == "together":
            messages.append(MESSAGES["together"].format(partners=", ".join(partners)))
        elif rule == "none" and back:
            messages.append("No single rule keeps them out of their previous group; the "
                            "search stopped at the time limit first.")
        else:
            messages.append(MESSAGES[rule])
    if back:
        messages[0:0] = ["Moved from the group announced to them, because keeping them "
                         "there would break a rule:"] if rules != ["none"] else []
    return {"theme": theme, "rank": position, "rules": rules, "message": " ".join(messages),
            **facts}
