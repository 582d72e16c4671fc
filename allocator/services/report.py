"""The workshop's report: facts, the adopted recommendations and each group's summary of
its discussion per theme, the rapporteur's summary, credits, participation as numbers.

Built from the database alone, so the same data gives the same document. Participants
stay numbers: participation is counted (per sector, per group), recommendations and
summaries carry no author, and the event's facts are the organisers' own words. The
credits name only who led the programme (moderator, chair, rapporteur, speakers: public
roles, as the registration form says).
"""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import asdict, dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select

from allocator.access import PUBLIC, Principal, person_view
from allocator.errors import Forbidden, Unavailable
from allocator.extensions import db
from allocator.markup import blocks
from allocator.models import (
    ACTIVE,
    DUTIES,
    Assignment,
    Event,
    Participant,
    Recommendation,
    WorkingGroup,
)
from allocator.models.base import utcnow
from allocator.services import audit, documents, networking, paper, summaries
from allocator.services.allocation import published_run_id
from allocator.services.events import require_open
from allocator.services.invitations import when
from allocator.services.taxonomy import for_event
from allocator.services.wording import duty_words

IN_THE_STATEMENT = ("adopted", "amended")


@dataclass
class ThemeSection:
    """One theme: its question and the recommendations adopted on it, in order."""

    title: str
    question: str
    recommendations: list[tuple[str, str]] = field(default_factory=list)  # (title, text)
    # beside each recommendation (same index), what was merged into it: (title, group, text)
    merged: list[list[tuple[str, str, str]]] = field(default_factory=list)
    # each group's summary of its discussion: (group's name, text)
    summaries: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Report:
    """What the report says."""

    title: str
    when: str
    venue: str
    shape: str
    participants: int  # placed in working groups (or registered, before publishing)
    by_sector: list[tuple[str, int]]
    by_group: list[tuple[str, str, int]]  # (group, theme, people)
    themes: list[ThemeSection]
    summary: str
    # who led the programme, a public role: (duties in words, name, organisation)
    credits: list[tuple[str, str, str]] = field(default_factory=list)
    # the paper it is laid out for: "A4", or "Letter" in a Letter country (services.paper)
    paper: str = "A4"

    # the directory and contact exchanges, as numbers (never who met whom)
    networking: dict[str, int] = field(default_factory=dict)
    # registered (taking part or not), checked in at the desk, placed in working groups
    # (None: nothing published)
    registered: int = 0
    arrived: int = 0
    placed: int | None = None

    @property
    def networking_line(self) -> str:
        """The networking figures as a sentence, in the reader's language ("" when nobody
        used it)."""
        figures = self.networking or {}
        if not any(figures.values()):
            return ""
        return _("%(people)s listed themselves in the workshop's directory; %(requests)s were "
                 "sent and %(accepted)s accepted.",
                 people=ngettext("%(num)d person", "%(num)d people", figures.get("listed", 0)),
                 requests=ngettext("%(num)d contact request", "%(num)d contact requests",
                                   figures.get("requests", 0)),
                 accepted=ngettext("%(num)d exchange", "%(num)d exchanges",
                                   figures.get("accepted", 0)))

    @property
    def participation(self) -> str:
        """How many took part, as a sentence in the reader's language: attendance is who
        checked in; registered and placed are said apart where they differ."""
        registered, arrived, placed = self.registered, self.arrived, self.placed
        if arrived == 0:
            if placed is None:
                return ngettext("%(num)d participant registered; no check-in was recorded at "
                                "the desk.", "%(num)d participants registered; no check-in "
                                "was recorded at the desk.", registered)
            if placed == registered:
                return ngettext("%(num)d participant registered, all placed in working "
                                "groups; no check-in was recorded at the desk.",
                                "%(num)d participants registered, all placed in working "
                                "groups; no check-in was recorded at the desk.", registered)
            return ngettext("%(num)d participant registered, %(placed)d placed in working "
                            "groups; no check-in was recorded at the desk.",
                            "%(num)d participants registered, %(placed)d placed in working "
                            "groups; no check-in was recorded at the desk.", registered,
                            placed=placed)
        if arrived == registered and placed in (None, arrived):
            return ngettext("%(num)d participant took part.", "%(num)d participants took "
                            "part.", arrived)
        if placed is not None and placed != arrived:
            return ngettext("%(num)d participant took part (checked in) of %(registered)d "
                            "registered; %(placed)d placed in working groups.",
                            "%(num)d participants took part (checked in) of %(registered)d "
                            "registered; %(placed)d placed in working groups.", arrived,
                            registered=registered, placed=placed)
        return ngettext("%(num)d participant took part (checked in) of %(registered)d "
                        "registered.", "%(num)d participants took part (checked in) of "
                        "%(registered)d registered.", arrived, registered=registered)


def may_read(event: Event, principal: Principal) -> None:
    """403 unless ``principal`` may download the report: organisers always, facilitators
    once the organisers have released it."""
    if principal.can("recommendations:moderate"):
        return
    if event.report_released_at is None:
        raise Forbidden("The organisers have not released the report yet; ask them for "
                        "it, or download it once they have.")


def release(event: Event, released: bool) -> Event:
    """Let facilitators download the report (``released``) or stop them again."""
    require_open(event)
    if released and event.report_released_at is None:
        event.report_released_at = utcnow()
    elif not released:
        event.report_released_at = None
    audit.record("report.released" if released else "report.withdrawn", event_id=event.id,
                 subject=("event", event.id))
    db.session.commit()
    return event


def build(event: Event) -> Report:
    """Gather the report of ``event`` (numbers from the published allocation if any)."""
    words = for_event(event)
    groups = {g.id: g for g in db.session.scalars(
        select(WorkingGroup).where(WorkingGroup.event_id == event.id)
        .order_by(WorkingGroup.id))}
    run_id = published_run_id(event)
    if run_id is not None:
        rows = db.session.execute(
            select(Assignment.group_id, Participant.sector)
            .join(Participant, Participant.id == Assignment.participant_id)
            .where(Assignment.run_id == run_id, Participant.status.in_(ACTIVE))).all()
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
    joined = _merged_into(event)
    for recommendation in adopted:
        group = groups.get(recommendation.group_id)
        if group is not None:
            sections[group.theme_id].recommendations.append(
                (recommendation.title, recommendation.text))
            sections[group.theme_id].merged.append([
                (m.title, groups[m.group_id].name if m.group_id in groups else "", m.text)
                for m in joined.get(recommendation.id, [])])
    written = summaries.by_group(event)
    for group in groups.values():
        if group.id in written:
            sections[group.theme_id].summaries.append((group.name, written[group.id]))
    theme_count = len(themes)
    shape = _("%(groups)s on %(themes)s, then a plenary that fine-tuned and adopted the "
              "recommendations.",
              groups=ngettext("%(num)d working group", "%(num)d working groups", len(groups)),
              themes=ngettext("%(num)d theme", "%(num)d themes", theme_count))
    statuses = Counter(db.session.scalars(select(Participant.status).where(
        Participant.event_id == event.id, Participant.status.in_(ACTIVE))))
    return Report(
        title=event.name, when=when(event), venue=event.venue, shape=shape,
        participants=len(rows), registered=sum(statuses.values()),
        arrived=statuses.get("checked_in", 0), networking=networking.figures(event),
        placed=len(rows) if run_id is not None else None,
        by_sector=[(words.label(s), sectors.get(s, 0)) for s in event.sectors],
        by_group=[(g.name, g.theme.title, per_group.get(g.id, 0)) for g in groups.values()]
        if run_id is not None else [],
        themes=[sections[t.id] for t in themes], summary=event.report_summary or "",
        credits=credits(event), paper=paper.for_event(event).name)


def _merged_into(event: Event) -> dict[int, list[Recommendation]]:
    """Merged recommendations by the one they finally joined (a chain A → B → C ends at C),
    in their order."""
    merged = list(db.session.scalars(
        select(Recommendation).where(Recommendation.event_id == event.id,
                                     Recommendation.status == "merged")
        .order_by(Recommendation.position, Recommendation.group_id, Recommendation.id)))
    into = {m.id: m.merged_into_id for m in merged}
    out: dict[int, list[Recommendation]] = {}
    for item in merged:
        target, seen = item.merged_into_id, {item.id}
        while target in into and target not in seen:  # follow the chain, never loop
            seen.add(target)
            target = into[target]
        if target is not None:
            out.setdefault(target, []).append(item)
    return out


CREDIT_ORDER = {duty: n for n, duty in enumerate(DUTIES)}


def credits(event: Event) -> list[tuple[str, str, str]]:
    """Who led the programme: (their duties in words, name, organisation), the moderator
    first, then the chair, the rapporteur and the speakers; through the one rule for
    what anyone may see of a person (a programme duty is a public role)."""
    people = [p for p in db.session.scalars(select(Participant).where(
        Participant.event_id == event.id, Participant.status.in_(ACTIVE),
        Participant.erased_at.is_(None))) if p.duties]
    people.sort(key=lambda p: (min(CREDIT_ORDER.get(d, 9) for d in p.duties),
                               p.search_key, p.id))
    out = []
    for person in people:
        shown = person_view(PUBLIC, {"full_name": person.full_name,
                                     "organization": person.organization,
                                     "status": person.status, "erased_at": person.erased_at,
                                     "duties": person.duties})
        if shown:
            out.append((duty_words(person.duties), shown["full_name"], shown["organization"]))
    return out


def docx(report: Report) -> bytes:
    """The report as an editable Word document: built-in styles (Title, Heading 1 and 2,
    List Number, Table Grid), no inline formatting, so the rapporteur restyles it whole.
    Laid out as the PDF is: the report's paper (A4 or Letter), 2 cm margins, "page / pages"
    below, recommendations numbered from 1 in each theme, table headings on every page."""
    from docx import Document

    document = Document()
    _page(document, report.paper)
    document.core_properties.title = report.title
    document.core_properties.author = "allocator"
    document.add_paragraph(report.title, style="Title")
    document.add_paragraph(report.when)
    if report.venue:
        document.add_paragraph(report.venue)
    document.add_paragraph(report.shape)
    if report.summary:
        document.add_heading(_("Summary"), level=1)
        for paragraph in report.summary.split("\n\n"):
            document.add_paragraph(paragraph.strip())
    document.add_heading(_("Recommendations"), level=1)
    for section in report.themes:
        document.add_heading(section.title, level=2)
        if section.question:
            document.add_paragraph(section.question, style="Quote")
        if not section.recommendations:
            document.add_paragraph(_("No recommendation was adopted on this theme."))
        numbering = _new_list(document, "List Number")  # 1, 2, … again in each theme
        for index, (title, text) in enumerate(section.recommendations):
            _numbered(document.add_paragraph(title, style="List Number"), numbering)
            _markdown(document, text)
            for merged_title, group_name, merged_text in (
                    section.merged[index] if index < len(section.merged) else []):
                document.add_paragraph(_("Merged into it:") + f" {merged_title}"
                                       + (f" ({group_name})" if group_name else ""))
                _markdown(document, merged_text)
        for group_name, text in section.summaries:
            document.add_heading(_("Discussion in %(group)s", group=group_name), level=3)
            _markdown(document, text)
    if report.credits:
        document.add_heading(_("Credits"), level=1)
        for duties, name, organisation in report.credits:
            document.add_paragraph(f"{duties}: {name}" + (f", {organisation}"
                                                          if organisation else ""))
    document.add_heading(_("Participation"), level=1)
    document.add_paragraph(report.participation)
    if report.networking_line:
        document.add_heading(_("Networking"), level=2)
        document.add_paragraph(report.networking_line)
    if report.participants:
        from docx.shared import Cm

        document.add_picture(io.BytesIO(chart_png(report)), width=Cm(15))
        document.add_paragraph(str(CHART_CAPTION), style="Caption")
    _table(document, [_("Sector"), _("Participants")], report.by_sector)
    if report.by_group:
        document.add_paragraph("")
        _table(document, [_("Working group"), _("Theme"), _("Participants")], report.by_group)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def pdf(report: Report) -> bytes:
    """The report as PDF: the HTML template ``report/report.html`` through WeasyPrint.
    Raises ReportUnavailable when WeasyPrint's system libraries (Pango) are missing."""
    from flask import render_template

    return html_to_pdf(render_template(
        "report/report.html", report=report,
        chart=chart_svg(report) if report.participants else None, caption=CHART_CAPTION))


def html_to_pdf(html: str) -> bytes:
    """A page of HTML (one of the templates) as PDF, through WeasyPrint. Raises
    ReportUnavailable when WeasyPrint's system libraries (Pango) are missing."""
    try:
        from weasyprint import HTML
    except OSError as exc:  # Pango, HarfBuzz or fontconfig not installed
        raise ReportUnavailable() from exc
    return HTML(string=html).write_pdf()


FORMATS = ("docx", "pdf")


def document(event: Event, fmt: str) -> bytes:
    """The report of ``event`` as ``fmt`` ("docx" or "pdf"), built once per content
    (:mod:`allocator.services.documents`), its download audited. Raises Busy while it is
    being built elsewhere, ReportUnavailable (PDF without Pango)."""
    built = build(event)
    body = documents.obtain(event.id, f"report.{fmt}", asdict(built),
                            lambda: docx(built) if fmt == "docx" else pdf(built))
    audit.record("report.downloaded", event_id=event.id, subject=("event", event.id),
                 details={"format": fmt})
    db.session.commit()
    return body


class ReportUnavailable(Unavailable):
    """PDF cannot be made on this machine (WeasyPrint's system libraries are missing)."""

    def __init__(self) -> None:
        super().__init__("This server cannot make PDF files: install Pango (Debian: "
                         "apt-get install libpango-1.0-0 libpangoft2-1.0-0). The report is "
                         "also available as DOCX.", title="Service Unavailable")


CHART_CAPTION = _l("Participants by sector")
LIST_STYLES = {"bullet": ("List Bullet 2", "List Bullet 3"),
               "number": ("List Number 2", "List Number 3")}


def _markdown(document, text: str) -> None:  # noqa: ANN001
    """A recommendation's text in the document: paragraphs, lists (styles "List Bullet 2"
    and "List Number 2", nested: "… 3"), emphasis as the "Strong" and "Emphasis" character
    styles. Each numbered list counts from 1, as in the PDF: a list starts again after
    anything that is not one of its items or items nested in them."""
    lists: dict[int, tuple[str, int | None]] = {}  # depth -> (kind, numbering) open there
    for block in blocks(text):
        style = LIST_STYLES[block.kind][min(block.depth, 2) - 1] if block.depth else None
        for depth in [d for d in lists if d > block.depth
                      or (d == block.depth and lists[d][0] != block.kind)]:
            del lists[depth]
        if block.depth and block.depth not in lists:
            lists[block.depth] = (block.kind, _new_list(document, style)
                                  if block.kind == "number" else None)
        paragraph = document.add_paragraph(style=style)
        if block.kind == "number":
            _numbered(paragraph, lists[block.depth][1])
        for words, character_style in block.runs:
            if words == "\n":
                paragraph.add_run().add_break()
            else:
                paragraph.add_run(words, style=character_style)


def _figure(report: Report):  # noqa: ANN202
    """Participants per sector as horizontal bars (matplotlib, no pyplot state)."""
    from matplotlib.figure import Figure

    labels = [label for label, _ in report.by_sector][::-1]
    counts = [count for _, count in report.by_sector][::-1]
    figure = Figure(figsize=(6.0, 0.45 * len(labels) + 0.8), dpi=150)
    axes = figure.add_subplot()
    bars = axes.barh(labels, counts, color="#0a3d73")
    axes.bar_label(bars, padding=3, fontsize=9)
    axes.set_xlabel("Participants")
    axes.xaxis.get_major_locator().set_params(integer=True)
    axes.spines[["top", "right"]].set_visible(False)
    axes.set_xlim(0, max(counts + [1]) * 1.15)
    figure.tight_layout()
    return figure


def chart_svg(report: Report) -> str:
    """The participation chart as SVG text (same data: same bytes; text kept as text)."""
    import matplotlib

    out = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": "allocator", "svg.fonttype": "none"}):
        _figure(report).savefig(out, format="svg", metadata={"Date": None})
    svg = out.getvalue()
    return svg[svg.index("<svg"):]  # without the XML prologue, to sit inside HTML


def chart_png(report: Report) -> bytes:
    """The participation chart as PNG (150 dpi) for the Word document."""
    out = io.BytesIO()
    _figure(report).savefig(out, format="png", metadata={"Software": None})
    return out.getvalue()


def _page(document, paper_name: str) -> None:  # noqa: ANN001
    """The page as the PDF's: ``paper_name``'s size, 2 cm margins, "page / pages" centred
    below (fields Word fills in), the Footer style's tab stops set to this page."""
    from docx.enum.text import WD_TAB_ALIGNMENT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Mm, Twips

    size = paper.LETTER if paper_name == paper.LETTER.name else paper.A4
    section = document.sections[0]
    # In twentieths of a point, as Word stores them (A4: 11906 × 16838).
    section.page_width = Twips(round(size.width_mm / 25.4 * 1440))
    section.page_height = Twips(round(size.height_mm / 25.4 * 1440))
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2))
    section.header_distance = section.footer_distance = Cm(1)
    width = Mm(size.width_mm) - Cm(4)
    stops = document.styles["Footer"].paragraph_format.tab_stops
    stops.clear_all()
    stops.add_tab_stop(width // 2, WD_TAB_ALIGNMENT.CENTER)
    stops.add_tab_stop(width, WD_TAB_ALIGNMENT.RIGHT)
    footer = section.footer.paragraphs[0]
    footer.style = "Footer"
    footer.add_run("\t")
    for n, field_code in enumerate(("PAGE", "NUMPAGES")):
        if n:
            footer.add_run(" / ")
        simple = OxmlElement("w:fldSimple")
        simple.set(qn("w:instr"), field_code)
        simple.append(OxmlElement("w:r"))
        simple[0].append(OxmlElement("w:t"))
        simple[0][0].text = "1"  # shown until Word or LibreOffice updates the field
        footer._p.append(simple)


def _new_list(document, style: str) -> int:  # noqa: ANN001
    """A new numbering of ``style``'s list that counts from 1 again: a w:num on the
    style's own list definition with a start override (Word continues a list that
    shares a definition unless told to start over). Its numId."""
    numbering = document.part.numbering_part.element
    style_num = document.styles[style].element.pPr.numPr.numId.val
    num = numbering.add_num(numbering.num_having_numId(style_num).abstractNumId.val)
    num.add_lvlOverride(ilvl=0).add_startOverride(1)
    return num.numId


def _numbered(paragraph, num_id: int) -> None:  # noqa: ANN001
    """``paragraph`` an item of the list ``num_id`` (at its style's level)."""
    numbering = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    numbering.get_or_add_ilvl().val = 0
    numbering.get_or_add_numId().val = num_id


def _table(document, headings: list[str], rows: list[tuple]) -> None:  # noqa: ANN001
    """A "Table Grid" table whose first row is its header: repeated at the top of every
    page it runs onto (w:tblHeader) and drawn by the style as a header (bold, shaded)."""
    from docx.oxml import OxmlElement

    _header_row_style(document.styles["Table Grid"])
    table = document.add_table(rows=1, cols=len(headings))
    table.style = "Table Grid"
    header = table.rows[0]
    header._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    for cell, heading in zip(header.cells, headings, strict=True):
        cell.text = heading
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = str(value)


def _header_row_style(style) -> None:  # noqa: ANN001
    """Give the table style a look for the first row (bold, lightly shaded), once: tables
    mark their first row as such (w:tblLook firstRow), so restyling stays in one place."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls, qn

    element = style.element
    if any(part.get(qn("w:type")) == "firstRow" for part in element.findall(qn("w:tblStylePr"))):
        return
    element.append(parse_xml(
        f'<w:tblStylePr {nsdecls("w")} w:type="firstRow">'
        '<w:rPr><w:b/><w:bCs/></w:rPr>'
        '<w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="E7ECF3"/></w:tcPr>'
        '</w:tblStylePr>'))

