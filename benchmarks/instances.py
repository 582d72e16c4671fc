"""Seeded, realistic allocation problems for the benchmarks.

Sector shares like a UN.GIFT forum, theme popularity skewed (Zipf), organisations of
very different sizes (Pareto), facilitators one per group, capacity about 15% above
the number of people.
"""

from __future__ import annotations

import random

SECTORS = {"government": 26, "civil_society": 28, "international_organization": 16,
           "private_sector": 10, "academia": 10, "parliament": 5, "media": 5}
COUNTRIES = [f"C{n:02d}" for n in range(60)]
GENDERS = ["female", "male", "non_binary", "undisclosed"]

SIZES = {
    "workshop": (83, 3, 3),      # the aide-memoire: about 80 people, three themes
    "rules": (240, 9, 3),        # three workshops' worth, with organisers' rules (RULES)
    "forum": (1200, 36, 9),      # 1,200 people, 36 groups, 9 themes of 4 groups
    "large": (10000, 200, 20),   # 10,000 people, 200 groups, 20 themes of 10 groups
}
# pins, apart pairs and together pairs added to a size
RULES = {"rules": (12, 20, 8)}


def instance(name: str, seed: int = 0, time_limit_s: float = 60) -> dict:
    """The named size, with its rules if it has some."""
    problem = make_instance(*SIZES[name], seed=seed, time_limit_s=time_limit_s)
    if name in RULES:
        problem = with_rules(problem, *RULES[name])
    return problem


def make_instance(people: int, groups: int, themes: int, seed: int = 0,
                  time_limit_s: float = 60) -> dict:
    """A problem in the solver's JSON form."""
    rng = random.Random(seed)
    theme_keys = [f"theme-{t:02d}" for t in range(themes)]
    popularity = [1 / (t + 1) ** 0.8 for t in range(themes)]
    n_fac = groups
    seats = int(people * 1.15)
    group_list = []
    for g in range(groups):
        capacity = max(3, round(seats / groups * rng.uniform(0.8, 1.2)))
        group_list.append({"id": f"wg{g:03d}", "theme": theme_keys[g % themes],
                           "capacity": capacity, "min_size": max(0, capacity // 3)})
    # organisations: a few big delegations, a long tail of one- and two-person ones
    organisations: list[tuple[str, str]] = []
    for n in range(max(10, people // 4)):
        organisations.append((f"Org {n:04d}", rng.choices(list(SECTORS),
                                                           weights=list(SECTORS.values()))[0]))
    org_weights = [1 / (n + 1) ** 1.1 for n in range(len(organisations))]
    country_weights = [1 / (n + 1) ** 0.9 for n in range(len(COUNTRIES))]
    participants = []
    for i in range(people):
        org, sector = rng.choices(organisations, weights=org_weights)[0]
        listed = rng.choices([1, 2, 3, 4, 5, 0], weights=[10, 20, 35, 20, 10, 5])[0]
        listed = min(listed, themes)
        prefs: list[str] = []
        while len(prefs) < listed:
            pick = rng.choices(theme_keys, weights=popularity)[0]
            if pick not in prefs:
                prefs.append(pick)
        participants.append({
            "id": f"p{i:05d}",
            "sector": sector,
            "organization": org,
            "country": rng.choices(COUNTRIES, weights=country_weights)[0],
            "gender": rng.choices(GENDERS, weights=[48, 46, 2, 4])[0],
            "role": "facilitator" if i < n_fac else "participant",
            "preferences": prefs,
        })
    return {"groups": group_list, "participants": participants,
            "time_limit_s": time_limit_s, "seed": seed}


def with_rules(problem: dict, pins: int, apart: int, together: int, seed: int = 1) -> dict:
    """The problem with pins and pairs among its participants (not its facilitators)."""
    rng = random.Random(seed)
    people = [p["id"] for p in problem["participants"] if p["role"] != "facilitator"]
    chosen = rng.sample(people, pins + 2 * apart + 2 * together)
    groups = [g["id"] for g in problem["groups"]]
    pinned, rest = chosen[:pins], chosen[pins:]
    return dict(problem,
                pins={pid: rng.choice(groups) for pid in pinned},
                apart=[[rest[2 * n], rest[2 * n + 1]] for n in range(apart)],
                together=[[rest[2 * apart + 2 * n], rest[2 * apart + 2 * n + 1]]
                          for n in range(together)])
