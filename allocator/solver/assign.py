"""From counts to people: which members of a class go where, decided by ids and spread."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable

from allocator.solver.countmodel import CountModel
from allocator.solver.prepare import Prepared


def spread_order(prep: Prepared, members: list[int]) -> list[int]:
    """Members interleaved by organisation (largest first), then gender and country.

    Dealing people out in this order sends each organisation's people to as many
    destinations as possible; ties are broken by id, so the order is reproducible.
    """
    by_org: dict[int, list[int]] = defaultdict(list)
    for i in members:
        by_org[prep.org_of[i]].append(i)
    queues = sorted(by_org.values(), key=lambda q: (-len(q), q[0]))
    for q in queues:
        q.sort(key=lambda i: (prep.gender_of[i], prep.country_of[i], i))
    order: list[int] = []
    depth = 0
    while len(order) < len(members):
        for q in queues:
            if depth < len(q):
                order.append(q[depth])
        depth += 1
    return order


def apportion(prep: Prepared, members: list[int],
              quotas: list[tuple[Hashable, int]]) -> dict[Hashable, list[int]]:
    """Split ``members`` into destinations of the given sizes, spreading organisations."""
    remaining = {d: n for d, n in quotas if n > 0}
    share = dict(remaining)
    result: dict[Hashable, list[int]] = {d: [] for d, _ in quotas}
    keys = [d for d, n in quotas if n > 0]
    for i in spread_order(prep, members):
        best = max((d for d in keys if remaining[d] > 0),
                   key=lambda d: (remaining[d] / share[d], -keys.index(d)))
        result[best].append(i)
        remaining[best] -= 1
    return result


def extract_fine(model: CountModel, values: dict) -> dict[int, int]:
    """Person -> group from a fine model's solution (pools are single groups).

    Fine classes are interchangeable in every respect, so ids decide: the first
    members stay, and pooled movers are dealt out in group order.
    """
    where: dict[int, int] = {}
    leavers: dict[int, list[int]] = {}
    for k, klass in enumerate(model.classes):
        if klass.prev is None:
            quotas = [(pool[0], round(values[v])) for p, pool in enumerate(model.pools)
                      if (v := model.take.get((k, p))) is not None]
            _deal(klass.members, quotas, where)
            continue
        n = round(values[model.stay[k]]) if k in model.stay else 0
        for i in klass.members[:n]:
            where[i] = klass.prev
        leavers.setdefault(model.mover_of[k], []).extend(klass.members[n:])
    for mi, people in leavers.items():
        quotas = [(pool[0], round(values[v])) for p, pool in enumerate(model.pools)
                  if (v := model.move_take.get((mi, p))) is not None]
        _deal(sorted(people), quotas, where)
    for (u, g), v in model.unit_var.items():
        if values[v] > 0.5:
            for i in model.prep.units[u]:
                where[i] = g
    return where


def _deal(members: list[int], quotas: list[tuple[int, int]], where: dict[int, int]) -> None:
    people = iter(members)
    for g, n in sorted(quotas):
        for _ in range(n):
            where[next(people)] = g
