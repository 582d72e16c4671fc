"""Printed material: name badges with the ticket's QR code, and a working group's
sign-in sheet. HTML templates through WeasyPrint; fonts from the system (Debian's
fonts-dejavu-core: Latin, Cyrillic, Greek, Arabic; fonts-noto-cjk: Chinese, Japanese,
Korean), found by fontconfig, never downloaded."""

from __future__ import annotations

from dataclasses import dataclass

from flask import render_template
from sqlalchemy import select

from allocator.extensions import db
from allocator.models import ACTIVE, Assignment, Event, Participant, WorkingGroup
from allocator.services import tickets
from allocator.services.allocation import published_run_id
from allocator.services.report import html_to_pdf

# A4 sheets of eight (2 × 4 badges of 105 × 74 mm), or one badge per label (90 × 54 mm).
LAYOUTS = ("a4", "label")


@dataclass
class Badge:
    """One printed badge."""

    name: str
    organization: str  # empty unless the person agreed to show it
    group: str
    room: str
    qr_svg: str


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
        out.append(Badge(
            name=person.full_name,
            organization=person.organization if person.badge_shows_organization else "",
            group=group.name if group else "", room=group.room if group else "",
            qr_svg=tickets.qr_svg(codes[person.id], scale=3)))
    return out


def badges_pdf(event: Event, layout: str = "a4", group_id: int | None = None) -> bytes:
    """Badges as PDF: ``layout`` "a4" (sheets of eight) or "label" (one per page).
    Raises ReportUnavailable without Pango."""
    return html_to_pdf(render_template("badges/badges.html", event=event, layout=layout,
                                badges=badges(event, group_id)))


def sign_in_sheet_pdf(event: Event, group: WorkingGroup) -> bytes:
    """A working group's sign-in sheet: its published members (organisation where they
    agreed), a signature column, and room for walk-ins. Raises ReportUnavailable."""
    placed = _groups(event)
    members = [p for p in badge_people(event) if placed.get(p.id) is group]
    return html_to_pdf(render_template("badges/sign_in_sheet.html", event=event, group=group,
                                members=members, published=bool(placed)))
