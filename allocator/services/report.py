"""The workshop's report: facts, participation as numbers, the adopted recommendations.

Built from the database alone, so the same data gives the same document. It names no
participant: participation is counted (per sector, per group), recommendations carry no
author, and the event's facts are the organisers' own words.
"""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select

from allocator.extensions import db
from allocator.models import (
    ACTIVE,
    Assignment,
    Event,
    Participant,
    Recommendation,
    WorkingGroup,
)
from allocator.normalise import counted
from allocator.services.allocation import published_run
from allocator.services.invitations import when
from allocator.services.taxonomy import for_event

IN_THE_STATEMENT = ("adopted", "amended")


@dataclass
class ThemeSection:
    """One theme: its question and the recommendations adopted on it, in order."""

    title: str
    question: str
    recommendations: list[tuple[str, str]] = field(default_factory=list)  # (title, text)


@dataclass
class Report:
    """What the report says."""

    title: str
    when: str
    venue: str
    shape: str
    participants: int
    by_sector: list[tuple[str, int]]
    by_group: list[tuple[str, str, int]]  # (group, theme, people)
    themes: list[ThemeSection]
    summary: str

    @property
    def participation(self) -> str:
        """How many took part, as a sentence."""
        return f"{counted(self.participants, 'participant')} took part."


def build(event: Event) -> Report:
    """Gather the report of ``event`` (numbers from the published allocation if any)."""
    words = for_event(event)
    groups = {g.id: g for g in db.session.scalars(
        select(WorkingGroup).where(WorkingGroup.event_id == event.id)
        .order_by(WorkingGroup.id))}
    run = published_run(event)
    if run is not None:
        rows = db.session.execute(
            select(Assignment.group_id, Participant.sector)
            .join(Participant, Participant.id == Assignment.participant_id)
            .where(Assignment.run_id == run.id, Participant.status.in_(ACTIVE))).all()
    else:
        rows = [(None, sector) for (sector,) in db.session.execute(
            select(Participant.sector).where(Participant.event_id == event.id,
                                             Participant.status.in_(ACTIVE))).all()]
    sectors = Counter(sector for _, sector in rows)
    per_group = Counter(gid for gid, _ in rows if gid is not None)
    themes = list(event.themes)
    sections = {t.id: ThemeSection(t.title, t.description or "") for t in themes}
    adopted = db.session.scalars(
        select(Recommendation).where(Recommendation.event_id == event.id,
                                     Recommendation.status.in_(IN_THE_STATEMENT))
        .order_by(Recommendation.position, Recommendation.group_id, Recommendation.id))
    for recommendation in adopted:
        group = groups.get(recommendation.group_id)
        if group is not None:
            sections[group.theme_id].recommendations.append(
                (recommendation.title, recommendation.text))
    theme_count = len(themes)
    shape = (f"{len(groups)} working group{'s' if len(groups) != 1 else ''} on "
             f"{theme_count} theme{'s' if theme_count != 1 else ''}, then a plenary that "
             "fine-tuned and adopted the recommendations.")
    return Report(
        title=event.name, when=when(event), venue=event.venue, shape=shape,
        participants=len(rows),
        by_sector=[(words.label(s), sectors.get(s, 0)) for s in event.sectors],
        by_group=[(g.name, g.theme.title, per_group.get(g.id, 0)) for g in groups.values()]
        if run is not None else [],
        themes=[sections[t.id] for t in themes], summary=event.report_summary or "")


def docx(report: Report) -> bytes:
    """The report as an editable Word document: built-in styles (Title, Heading 1 and 2,
    List Number, Table Grid), no inline formatting, so the rapporteur restyles it whole."""
    from docx import Document

    document = Document()
    document.core_properties.title = report.title
    document.core_properties.author = "allocator"
    document.add_paragraph(report.title, style="Title")
    document.add_paragraph(report.when)
    if report.venue:
        document.add_paragraph(report.venue)
    document.add_paragraph(report.shape)
    if report.summary:
        document.add_heading("Summary", level=1)
        for paragraph in report.summary.split("\n\n"):
            document.add_paragraph(paragraph.strip())
    document.add_heading("Recommendations", level=1)
    for section in report.themes:
        document.add_heading(section.title, level=2)
        if section.question:
            document.add_paragraph(section.question, style="Quote")
        if not section.recommendations:
            document.add_paragraph("No recommendation was adopted on this theme.")
        for title, text in section.recommendations:
            document.add_paragraph(title, style="List Number")
            if text:
                document.add_paragraph(text)
    document.add_heading("Participation", level=1)
    document.add_paragraph(report.participation)
    _table(document, ["Sector", "Participants"], report.by_sector)
    if report.by_group:
        document.add_paragraph("")
        _table(document, ["Working group", "Theme", "Participants"], report.by_group)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def pdf(report: Report) -> bytes:
    """The report as PDF: the HTML template ``report/report.html`` through WeasyPrint.
    Raises ReportUnavailable when WeasyPrint's system libraries (Pango) are missing."""
    from flask import render_template

    try:
        from weasyprint import HTML
    except OSError as exc:  # Pango, HarfBuzz or fontconfig not installed
        raise ReportUnavailable(str(exc)) from exc
    html = render_template("report/report.html", report=report)
    return HTML(string=html).write_pdf()


class ReportUnavailable(RuntimeError):
    """PDF cannot be made on this machine (WeasyPrint's system libraries are missing)."""


def _table(document, headings: list[str], rows: list[tuple]) -> None:  # noqa: ANN001
    table = document.add_table(rows=1, cols=len(headings))
    table.style = "Table Grid"
    for cell, heading in zip(table.rows[0].cells, headings, strict=True):
        cell.text = heading
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = str(value)

