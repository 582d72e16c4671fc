"""The aide-memoire's workshop as demo data: real programme, fictional participants.

The five experts are named as the aide-memoire publishes them (name and organisation
only). Everyone else is made up, with well-known placeholder names from many languages
so nobody mistakes them for real people.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from allocator.extensions import db
from allocator.models import Event, Recommendation, WorkingGroup
from allocator.services import events as event_service
from allocator.services import invitations
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
EXPERTS = [
    ("Maria Grazia Giammarinaro", "European Commission", "international_organization"),
    ("Lance Bonneau", "IOM (Bangkok)", "international_organization"),
    ("Astrid Ganterer", "ODIHR/OSCE", "international_organization"),
    ("Paul Holmes", "Independent expert (UK)", "civil_society"),
    ("Betty Pedraza", "Espacios de Mujer (Colombia)", "civil_society"),
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
    """The fictional participants and the five experts, as registration data."""
    rng = random.Random(seed)
    people: list[dict] = []
    used: set[str] = set()
    for number, (name, organisation, sector) in enumerate(EXPERTS, start=1):
        people.append({"full_name": name, "email": f"expert-{number}@facilitators.example",
                       "organization": organisation, "sector": sector, "country": None,
                       "gender": None, "role": "facilitator", "preferences": []})
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
    # Their invitations wait in the outbox: without SMTP_URL, the organisers' Invitations
    # page shows each link to hand over.
    invitations.invite(event, {})
    return event


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
