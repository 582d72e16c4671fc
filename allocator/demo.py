"""The aide-memoire's workshop as demo data: its programme and roles, invented people.

A moderator and five experts lead it, as the aide-memoire says: one expert chairs, one is
the rapporteur, all speak, and the other three facilitate a working group each. Everyone
is made up, with well-known placeholder names from many languages so nobody mistakes
them for real people; the organisations are the kinds the aide-memoire names.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from allocator.extensions import db
from allocator.models import Event, Participant, Recommendation, WorkingGroup
from allocator.services import events as event_service
from allocator.services import invitations, programme
from allocator.services.participants import build_participant, event_themes
from allocator.validation import fold

VIENNA = ZoneInfo("Europe/Vienna")
EVENT_NAME = ("Building the Bridges – Cooperation between Civil Society and Law Enforcement")

THEMES = [
    ("structured-cooperation", "Structured Cooperation",
     "Is it possible, feasible, and/or desirable? If yes, what kind of structure – what are "
     "the best models, and the necessary terms, procedures, and conditions? How to develop a "
     "shared understanding of the crime."),
    ("information-sharing", "Information Sharing",
     "How can we improve transnational data sharing, and data sharing between key "
     "stakeholders, including law enforcement? What could a harmonized data management "
     "system look like? What are the core data protection guidelines to which all "
     "stakeholders should adhere?"),
    ("non-traditional-stakeholders", "Non-Traditional Stakeholders",
     "What can and should law enforcement organizations expect from non-traditional "
     "anti-trafficking stakeholders? What can non-traditional anti-trafficking stakeholders "
     "expect from law enforcement?"),
]
GROUPS = [
    ("Working group 1 – Structured Cooperation", "structured-cooperation", "Room M1"),
    ("Working group 2 – Information Sharing", "information-sharing", "Room M2"),
    ("Working group 3 – Non-Traditional Stakeholders", "non-traditional-stakeholders", "Room M3"),
]
# Who leads the morning: (name, organisation, sector, role, duties). The three experts who
# facilitate come in the groups' order, so the demo's rules pin each to their theme's group.
LEADS = [
    ("Giulia Esempio", "European Commission", "international_organization", "participant",
     ["moderator"]),
    ("Anna Przykładowa", "OSCE Office for Democratic Institutions and Human Rights",
     "international_organization", "participant", ["chair", "speaker"]),
    ("Jean Exemple", "Independent expert", "academia", "participant",
     ["rapporteur", "speaker"]),
    ("Somchai Tua-yang", "IOM (Bangkok)", "international_organization", "facilitator",
     ["speaker"]),
    ("Paula Ejemplo", "Women's shelter network (Colombia)", "civil_society", "facilitator",
     ["speaker"]),
    ("Peter Beispiel", "Labour Inspectorate (Austria)", "government", "facilitator",
     ["speaker"]),
]
FIRST = ["Erika", "Max", "Jane", "John", "Joe", "Mario", "Maria", "Jean", "Marie", "Ola",
         "Kari", "Matti", "Maija", "Jan", "Anna", "Łukasz", "Taro", "Hanako", "Gildong",
         "Jón", "Jānis", "Pera", "Marko", "Vasya", "Juan", "Fulano", "Ayşe", "Ali", "Fulan",
         "Nguyễn Văn", "Nguyễn Thị", "Sicrano", "Beltrano", "Jakab", "Chidi", "Amara"]
LAST = ["Mustermann", "Doe", "Bloggs", "Rossi", "Dupont", "Nordmann", "Meikäläinen",
        "Jansen", "Kowalski", "Przykładowy", "Yamada", "Hong", "Jónsson", "Bērziņš", "Perić",
        "Marković", "Pupkin", "dela Cruz", "de Tal", "Veli", "al-Fulani", "Example", "Sample",
        "Placeholder", "Gipsz", "Mẫu"]
ORGANISATIONS = {
    "government": ["Ministry of the Interior", "National Police", "Labour Inspectorate",
                   "Border Guard Service", "Public Prosecutor's Office",
                   "Ministry of Foreign Affairs", "National Anti-Trafficking Coordinator"],
    "parliament": ["Parliamentary Committee on Human Rights", "Parliamentary Assembly Delegation"],
    "private_sector": ["Example Airlines", "Example Hotel Group", "Example Bank",
                       "Example Recruitment Agency", "Example Garment Brand"],
    "civil_society": ["Safe Harbour Shelter", "Migrant Workers' Help Desk", "Open Doors Hotline",
                      "Survivors' Voice Network", "Trade Union Federation",
                      "Legal Aid Clinic", "Faith-based Outreach Network"],
    "media": ["Daily Example Gazette", "Example Broadcasting Corporation"],
    "academia": ["Institute for Migration Studies", "University of Example",
                 "Centre for Criminology"],
    "international_organization": ["IOM", "UNODC", "OSCE", "ILO", "UNICEF", "OHCHR",
                                   "Council of Europe"],
}
SECTOR_COUNTS = {"government": 18, "parliament": 5, "private_sector": 8, "civil_society": 22,
                 "media": 4, "academia": 7, "international_organization": 14}
COUNTRIES = ["AT", "DE", "IT", "FR", "GB", "NL", "PL", "RO", "BG", "MD", "UA", "TH", "VN",
             "PH", "NG", "CO", "BR", "US", "TR", "RS", "HU", "NO", "FI", "LV", "JP", "KR"]
GENDERS = ["female", "female", "male", "male", "female", "male", "non_binary", "undisclosed"]
FIRST_CHOICE_WEIGHTS = {"information-sharing": 45, "structured-cooperation": 35,
                        "non-traditional-stakeholders": 20}


def _ascii_slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", ".", fold(text)).strip(".")


def _preferences(rng: random.Random) -> list[str]:
    length = rng.choices([3, 2, 1, 0], weights=[60, 20, 12, 8])[0]
    keys = list(FIRST_CHOICE_WEIGHTS)
    ranked: list[str] = []
    while len(ranked) < length:
        remaining = [k for k in keys if k not in ranked]
        weights = [FIRST_CHOICE_WEIGHTS[k] for k in remaining]
        ranked.append(rng.choices(remaining, weights=weights)[0])
    return ranked


def demo_people(seed: int = 2008) -> list[dict]:
    """The invented participants, the moderator and the five experts, as registration
    data."""
    rng = random.Random(seed)
    people: list[dict] = []
    used: set[str] = set()
    themes = iter(theme for _, theme, _ in GROUPS)
    for number, (name, organisation, sector, role, duties) in enumerate(LEADS, start=1):
        # a facilitating expert asks for their theme: the allocation places them there
        wanted = [next(themes)] if role == "facilitator" else []
        people.append({"full_name": name, "email": f"lead-{number}@programme.example",
                       "organization": organisation, "sector": sector, "country": None,
                       "gender": None, "role": role, "duties": duties,
                       "preferences": wanted, "badge_shows_organization": True})
    for sector, count in SECTOR_COUNTS.items():
        for _ in range(count):
            while True:
                name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
                if name not in used:
                    used.add(name)
                    break
            organisation = rng.choice(ORGANISATIONS[sector])
            domain = _ascii_slug(organisation).replace(".", "-")[:40].strip("-") + ".example"
            people.append({
                "full_name": name,
                "email": f"{_ascii_slug(name)}@{domain}",
                "organization": organisation,
                "sector": sector,
                "country": rng.choice(COUNTRIES),
                "gender": rng.choice(GENDERS),
                "role": "participant",
                "preferences": _preferences(rng),
            })
    return people


def database_is_empty() -> bool:
    """True when no event exists yet."""
    return (db.session.scalar(select(func.count()).select_from(Event)) or 0) == 0


def workshop_day(today: dt.date | None = None) -> dt.date:
    """The demo workshop's day: four weeks from today, so a fresh demo is never expired.

    The aide-memoire's workshop ran on 15 February 2008; dated then, with 90 days'
    retention, the first daily purge would erase every demo participant.
    """
    return (today or dt.date.today()) + dt.timedelta(days=28)


def seed_demo() -> Event:
    """Create the demo workshop with its themes, groups and people."""
    day = workshop_day()
    event = event_service.create_event({
        "name": EVENT_NAME,
        "starts_at": dt.datetime.combine(day, dt.time(9, 30), tzinfo=VIENNA),
        "ends_at": dt.datetime.combine(day, dt.time(12, 30), tzinfo=VIENNA),
        "timezone": "Europe/Vienna",
        "venue": "Vienna International Centre, Vienna, Austria",
        "language": "English",
        "retention_days": 90,
        "registration_closes_at": dt.datetime.combine(day - dt.timedelta(days=7),
                                                      dt.time(18, 0), tzinfo=VIENNA),
        "contact_email": "workshop-desk@example.org",
    })
    for position, (key, title, description) in enumerate(THEMES):
        event_service.create_theme(event, {"key": key, "title": title,
                                           "description": description, "position": position})
    for name, theme, room in GROUPS:
        event_service.create_group(event, {"name": name, "theme": theme, "room": room,
                                           "capacity": 35, "min_size": 10})
    themes = event_themes(event)
    db.session.add_all(build_participant(event, person, themes) for person in demo_people())
    db.session.add_all(build_participant(event, {**person, "status": "invited"}, themes)
                       for person in INVITEES)
    db.session.commit()
    # What the groups might have drafted by the end of their hour: proposals to adopt,
    # amend, merge or drop in the plenary.
    for group in db.session.scalars(select(WorkingGroup).where(
            WorkingGroup.event_id == event.id).order_by(WorkingGroup.id)):
        for position, (title, text) in enumerate(DRAFTS[group.theme.key], start=1):
            db.session.add(Recommendation(
                event_id=event.id, group_id=group.id, title=title, text=text,
                question=group.theme.description, position=position, status="proposed",
                changed_by_role="demo"))
    db.session.commit()
    _programme(event, day)
    # Their invitations wait in the outbox: without SMTP_URL, the organisers' Invitations
    # page shows each link to hand over.
    invitations.invite(event, {})
    return event


def _programme(event: Event, day: dt.date) -> None:
    """The aide-memoire's morning: the moderator opens, an expert speaks on each theme
    with questions after, the working groups meet for an hour, the plenary fine-tunes
    their recommendations, the chair closes. (The aide-memoire's 25 minutes of
    questions after every talk do not fit the three hours with the groups; 15 do.)"""
    leads = {p.full_name: p.id for p in db.session.scalars(select(Participant).where(
        Participant.event_id == event.id)) if p.duties}
    moderator, chair, rapporteur, *experts = [leads[name] for name, *_ in LEADS]

    def at(hhmm: str) -> dt.datetime:
        return dt.datetime.combine(day, dt.time.fromisoformat(hhmm), tzinfo=VIENNA)

    items = [("09:30", "09:40", "Opening", "talk", None, [moderator, chair])]
    start = dt.datetime.combine(day, dt.time(9, 40))
    for (key, title, _), expert in zip(THEMES, experts, strict=True):
        talk, questions = start + dt.timedelta(minutes=10), start + dt.timedelta(minutes=25)
        items.append((f"{start:%H:%M}", f"{talk:%H:%M}", title, "talk", key, [expert]))
        items.append((f"{talk:%H:%M}", f"{questions:%H:%M}", f"Questions: {title}",
                      "questions", key, [expert]))
        start = questions
    items += [("10:55", "11:55", "Working groups", "working_groups", None, []),
              ("11:55", "12:25", "Plenary: the groups' recommendations", "plenary", None,
               [moderator, rapporteur]),
              ("12:25", "12:30", "Close", "talk", None, [chair])]
    for starts, ends, title, kind, theme, speakers in items:
        programme.add(event, {"starts_at": at(starts), "ends_at": at(ends), "title": title,
                              "kind": kind, "room": "Board Room C", "theme": theme,
                              "speaker_ids": speakers})


DRAFTS = {
    "structured-cooperation": [
        ("A standing cooperation agreement",
         "Law enforcement and civil society sign a written agreement setting out roles, "
         "referral procedures and a yearly review."),
        ("Joint training",
         "Police, labour inspectors and NGO staff are trained **together**, so that each "
         "knows what the other can do:\n\n- identifying victims\n- referring them to "
         "support\n- protecting their data"),
    ],
    "information-sharing": [
        ("Agreed data standards",
         "A minimum common set of anonymised data on cases, shared between countries and "
         "stakeholders in one format."),
        ("Data protection first",
         "Personal data of victims is shared *only* with their informed consent and only "
         "as far as their protection requires."),
    ],
    "non-traditional-stakeholders": [
        ("Clear points of contact",
         "Each law-enforcement agency names a contact for businesses, trade unions and "
         "the media who report suspected trafficking."),
        ("Supply-chain reporting",
         "Companies report on trafficking risks in their supply chains, and law "
         "enforcement says what it does with the reports."),
    ],
}


# Invited weeks ahead, not answered yet: a name and an e-mail are all the organisers give.
INVITEES = [
    {"full_name": "Mario Rossi", "email": "mario.rossi@example.org"},
    {"full_name": "Kari Nordmann", "email": "kari.nordmann@example.org"},
    {"full_name": "Jan Novák", "email": "jan.novak@example.org"},
    {"full_name": "Chen Xiaoming", "email": "chen.xiaoming@example.org"},
    {"full_name": "Fulan al-Fulani", "email": "fulan@example.org"},
    {"full_name": "Ivan Ivanovich Ivanov", "email": "ivan.ivanov@example.org"},
]
