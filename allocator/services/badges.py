"""Printed material: name badges with the ticket's QR code, and a working group's
sign-in sheet. HTML templates through WeasyPrint; fonts from the system (Debian's
fonts-dejavu-core: Latin, Cyrillic, Greek, Arabic, Hebrew, Armenian, Georgian;
fonts-noto-core: Thai, Lao, Khmer, Myanmar, Devanagari, Bengali, Tamil, Sinhala, Ethiopic,
Thaana, Tibetan; fonts-noto-cjk: Chinese, Japanese, Korean), found by fontconfig, never
downloaded.

A printed page is read by anyone who passes by: what it shows of a person is what
:func:`allocator.access.person_view` gives the ``public`` reader (the organisation only
with the person's consent). Both are built once per content (:mod:`documents`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from flask import render_template
from sqlalchemy import select

from allocator.access import PUBLIC, person_view
from allocator.extensions import db
from allocator.i18n import direction, person_language, speaking
from allocator.models import ACTIVE, Assignment, Event, Participant, WorkingGroup
from allocator.services import documents, tickets
from allocator.services.allocation import published_run_id
from allocator.services.report import html_to_pdf
from allocator.services.wording import duty_words

# A4 sheets of eight (2 × 4 badges of 105 × 74 mm), or one badge per label (90 × 54 mm).
LAYOUTS = ("a4", "label")


@dataclass
class Badge:
    """One printed badge: what it shows, and the text of its QR code."""

    name: str
    organization: str  # empty unless the person agreed to show it
    group: str
    room: str
    code: str
    duty: str = ""  # "Rapporteur": what they do in the programme (a public role)
    language: str = "en"  # the language the person reads: their badge speaks it

    @property
    def direction(self) -> str:
        """The badge's writing direction ("rtl" for Arabic)."""
        return direction(self.language)

    @property
    def qr_svg(self) -> str:
        """The ticket as an inline SVG QR code (drawn only when the badge is)."""
        return tickets.qr_svg(self.code, scale=3)


def _groups(event: Event) -> dict[int, WorkingGroup]:
    """Each person's group in the published allocation: {participant id: group}."""
    run_id = published_run_id(event)
    if run_id is None:
        return {}
    groups = {g.id: g for g in event.groups}
    return {pid: groups[gid] for pid, gid in db.session.execute(
        select(Assignment.participant_id, Assignment.group_id)
        .where(Assignment.run_id == run_id)) if gid in groups}


def badge_people(event: Event, group_id: int | None = None) -> list[Participant]:
    """Who gets a badge: registered or checked in, not erased; by name. With
    ``group_id``, only that group's members in the published allocation."""
    people = list(db.session.scalars(select(Participant).where(
        Participant.event_id == event.id, Participant.status.in_(ACTIVE),
        Participant.erased_at.is_(None)).order_by(Participant.full_name, Participant.id)))
    if group_id is not None:
        placed = _groups(event)
        people = [p for p in people if placed.get(p.id) and placed[p.id].id == group_id]
    return people


def _shown(person: Participant) -> dict:
    """What a printed page shows of ``person`` (the public reader's view)."""
    return person_view(PUBLIC, {"full_name": person.full_name,
                                "organization": person.organization,
                                "status": person.status, "erased_at": person.erased_at,
                                "badge_shows_organization": person.badge_shows_organization}
                       ) or {"full_name": "", "organization": ""}


def badges(event: Event, group_id: int | None = None) -> list[Badge]:
    """The badges to print (issuing tickets to whoever has none yet)."""
    placed = _groups(event)
    people = badge_people(event, group_id)
    codes = tickets.payloads(people)
    out = []
    for person in people:
        if person.id not in codes:  # withdrew while the badges were being made
            continue
        group = placed.get(person.id)
        shown = _shown(person)
        language = person_language(person, event)
        with speaking(language):
            duty = duty_words(person.duties)
        out.append(Badge(name=shown["full_name"], organization=shown["organization"],
                         group=group.name if group else "", room=group.room if group else "",
                         code=codes[person.id], duty=duty, language=language))
    return out


def _event_facts(event: Event) -> dict:
    return {"name": event.name, "venue": event.venue, "starts_at": event.starts_at,
            "ends_at": event.ends_at, "timezone": event.timezone}


def badges_pdf(event: Event, layout: str = "a4", group_id: int | None = None) -> bytes:
    """Badges as PDF: ``layout`` "a4" (sheets of eight) or "label" (one per page), built
    once per content. Raises Busy while it is being built elsewhere, ReportUnavailable
    without Pango."""
    printed = badges(event, group_id)
    key = f"badges-{layout}-{group_id if group_id is not None else 'all'}"
    return documents.obtain(
        event.id, key, {"event": _event_facts(event), "badges": [asdict(b) for b in printed]},
        lambda: html_to_pdf(render_template("badges/badges.html", event=event, layout=layout,
                                            badges=printed)))


def sign_in_sheet_pdf(event: Event, group: WorkingGroup) -> bytes:
    """A working group's sign-in sheet: its published members (what a printed page shows
    of them), a signature column, and room for walk-ins; built once per content. Raises
    Busy while it is being built elsewhere, ReportUnavailable without Pango."""
    placed = _groups(event)
    members = [_shown(p) for p in badge_people(event) if placed.get(p.id) is group]
    facts = {"event": _event_facts(event), "group": [group.name, group.room, group.theme.title],
             "members": members, "published": bool(placed)}
    return documents.obtain(
        event.id, f"sign-in-sheet-{group.id}", facts,
        lambda: html_to_pdf(render_template("badges/sign_in_sheet.html", event=event,
                                            group=group, members=members,
                                            published=bool(placed))))
