"""Random problems for the solver tests (seeded, so failures reproduce)."""

from __future__ import annotations

import random

SECTORS = ["government", "civil_society", "private_sector", "media", "academia"]
THEMES = ["structured-cooperation", "information-sharing", "non-traditional"]


def tiny_problem(seed: int, *, people: int | None = None, rules: bool = True,
                 vetoes: bool = False, waitlist: bool = False) -> dict:
    """A problem small enough (at most 8 people) to enumerate every assignment.

    With ``vetoes`` some people veto themes they did not list (now and then every theme);
    with ``waitlist`` the problem asks for a waiting list and people have priorities. Both
    are drawn after everything else, so a seed's problem is otherwise the same.
    """
    rng = random.Random(seed)
    n_groups = rng.choice([2, 2, 3])
    n_people = people if people is not None else rng.randint(2, 8 if n_groups == 2 else 7)
    themes = rng.sample(THEMES, k=rng.choice([1, 2, 3]) if n_groups == 3 else rng.choice([1, 2]))
    groups = []
    for g in range(n_groups):
        cap = rng.randint(1, n_people)
        groups.append({"id": f"g{g}", "theme": themes[g % len(themes)], "capacity": cap,
                       "min_size": rng.choice([0, 0, 0, 1, 2]) if cap >= 2 else 0})
    n_fac = rng.choice([0, 0, 0, n_groups, n_groups + 1]) if n_people > n_groups + 1 else 0
    participants = []
    for i in range(n_people):
        prefs = rng.sample(THEMES, k=rng.randint(0, 3))
        participants.append({
            "id": f"p{i}",
            "sector": rng.choice(SECTORS[:3]),
            "organization": rng.choice(["Org A", "org  a", "Org B", None]),
            "country": rng.choice(["AT", "CO", None]),
            "gender": rng.choice(["female", "male", None]),
            "role": "facilitator" if i < n_fac else "participant",
            "preferences": prefs,
        })
    problem: dict = {"groups": groups, "participants": participants, "time_limit_s": 20}
    if rules:
        ids = [p["id"] for p in participants]
        if rng.random() < 0.3:
            problem["pins"] = {rng.choice(ids): rng.choice(groups)["id"]}
        if rng.random() < 0.3 and n_people >= 2:
            problem["apart"] = [rng.sample(ids, 2)]
        if rng.random() < 0.3 and n_people >= 2:
            problem["together"] = [rng.sample(ids, 2)]
        if rng.random() < 0.3:
            problem["previous"] = {pid: rng.choice(groups)["id"]
                                   for pid in rng.sample(ids, k=rng.randint(1, len(ids)))}
    if vetoes:
        used = sorted({g["theme"] for g in groups})
        for p in participants:
            if rng.random() < 0.35:
                others = [t for t in used if t not in p["preferences"]]
                if others:
                    p["vetoes"] = rng.sample(others, k=rng.randint(1, len(others)))
    if waitlist:
        problem["overflow"] = "waitlist"
        for p in participants:
            p["priority"] = rng.choice([0, 0, 1, 2, -1])
    return problem


def random_problem(rng: random.Random, n_people: int, n_groups: int,
                   n_themes: int = 3) -> dict:
    """A larger problem with realistic skew: popular themes, big organisations."""
    themes = [f"theme-{t}" for t in range(n_themes)]
    groups = [{"id": f"wg{g:03d}", "theme": themes[g % n_themes],
               "capacity": rng.randint(n_people // n_groups + 2, n_people // n_groups + 10),
               "min_size": rng.choice([0, 1, 2])} for g in range(n_groups)]
    participants = []
    n_fac = rng.choice([0, n_groups, n_groups + 2])
    for i in range(n_people):
        prefs = rng.sample(themes, k=rng.randint(0, n_themes))
        participants.append({
            "id": f"p{i:05d}", "sector": rng.choices(SECTORS, weights=[30, 35, 15, 5, 15])[0],
            "organization": f"Org {int(rng.paretovariate(1.2)) % 40}",
            "country": rng.choice(["AT", "DE", "CO", "TH", None]),
            "gender": rng.choice(["female", "male", "non_binary", None]),
            "role": "facilitator" if i < n_fac else "participant",
            "preferences": prefs,
        })
    return {"groups": groups, "participants": participants, "time_limit_s": 30}
