"""What a printed group list and a printed report look like, read back from the files the
API hands out: the paper of the event's country, headings on every page, each theme's
recommendations numbered from 1 as in the PDF."""

from __future__ import annotations

import io

import openpyxl
import pytest
from docx import Document
from docx.oxml.ns import qn

from tests.conftest import bearer
from tests.support.workshop import published

A4_MM, LETTER_MM = (210.0, 297.0), (215.9, 279.4)
A4_PAPER, LETTER_PAPER = 9, 1  # a spreadsheet's paper codes (ECMA-376 ST_PaperSize)


def _adopt(client, org, base, group: int, title: str, text: str = "") -> None:
    r = client.post(f"{base}/groups/{group}/recommendations", headers=org,
                    json={"title": title, "status": "adopted", "text": text or f"{title}."})
    assert r.status_code == 201, r.json


def _move(client, org, base, timezone: str, venue: str) -> None:
    r = client.patch(base, headers=org, json={"timezone": timezone, "venue": venue})
    assert r.status_code == 200, r.json


def _report(client, org, base):
    r = client.get(f"{base}/report.docx", headers=org)
    assert r.status_code == 200, r.data[:300]
    return Document(io.BytesIO(r.data))


def _page_mm(document) -> tuple[float, float]:
    section = document.sections[0]
    return section.page_width.mm, section.page_height.mm


def numbered_items(document, style: str = "List Number") -> dict[str, list[str]]:
    """What Word shows before each numbered paragraph of ``style`` ("1. Title"), under the
    Heading 2 (theme) above it: a list counts on per list definition, and starts again where a
    numbering says startOverride, as Word does."""
    numbering = document.part.numbering_part.element
    counters: dict[int, int] = {}
    started: set[int] = set()
    out: dict[str, list[str]] = {}
    theme = ""
    for paragraph in document.paragraphs:
        if paragraph.style.name == "Heading 2":
            theme = paragraph.text
        p_pr = paragraph._p.pPr
        num_pr = p_pr.numPr if p_pr is not None else None
        if num_pr is None or num_pr.numId is None:
            style_pr = paragraph.style.element.pPr
            num_pr = style_pr.numPr if style_pr is not None else None
        if num_pr is None or num_pr.numId is None or paragraph.style.name != style:
            continue
        num = numbering.num_having_numId(num_pr.numId.val)
        definition = num.abstractNumId.val
        overrides = [o.startOverride.val for o in num.lvlOverride_lst
                     if o.ilvl == 0 and o.startOverride is not None]
        if overrides and num.numId not in started:
            counters[definition] = overrides[0] - 1
            started.add(num.numId)
        counters[definition] = counters.get(definition, 0) + 1
        out.setdefault(theme, []).append(f"{counters[definition]}. {paragraph.text}")
    return out


def test_the_report_is_a4_in_vienna_and_letter_in_chicago(app, client, tokens, event):
    org = bearer(tokens["organizer"])
    base = f"/api/events/{event['id']}"
    _adopt(client, org, base, event["groups"][0]["id"], "Joint trainings")
    document = _report(client, org, base)  # Europe/Vienna, "Vienna International Centre"
    assert _page_mm(document) == pytest.approx(A4_MM, abs=0.5)
    section = document.sections[0]
    for margin in (section.left_margin, section.right_margin, section.top_margin,
                   section.bottom_margin):
        assert 2.0 - 0.01 <= margin.cm <= 2.5 + 0.01
    footer = section.footer.paragraphs[0]._p.xml
    assert 'w:instr="PAGE"' in footer and 'w:instr="NUMPAGES"' in footer

    _move(client, org, base, "America/Chicago", "McCormick Place")
    assert _page_mm(_report(client, org, base)) == pytest.approx(LETTER_MM, abs=0.5)
    _move(client, org, base, "UTC", "Centro de Convenciones, Bogotá, Colombia")
    assert _page_mm(_report(client, org, base)) == pytest.approx(LETTER_MM, abs=0.5)
    _move(client, org, base, "UTC", "Palais des Nations, Geneva, Switzerland")
    assert _page_mm(_report(client, org, base)) == pytest.approx(A4_MM, abs=0.5)


def test_each_themes_recommendations_are_numbered_from_one(app, client, tokens, event):
    org = bearer(tokens["organizer"])
    base = f"/api/events/{event['id']}"
    wg1, wg2, wg3 = (group["id"] for group in event["groups"])
    for group, titles in ((wg1, ["Joint trainings", "A referral mechanism"]),
                          (wg2, ["Shared case files"]),
                          (wg3, ["Hotline partners", "Media guidelines", "Survivor panel"])):
        for title in titles:
            _adopt(client, org, base, group, title)
    assert numbered_items(_report(client, org, base)) == {
        "Structured Cooperation": ["1. Joint trainings", "2. A referral mechanism"],
        "Information Sharing": ["1. Shared case files"],
        "Non-Traditional Stakeholders": ["1. Hotline partners", "2. Media guidelines",
                                         "3. Survivor panel"]}


def test_every_table_of_the_report_has_a_header_row_repeated_on_each_page(
        app, client, tokens, event):
    org = bearer(tokens["organizer"])
    base, _, _ = published(client, org, event)
    document = _report(client, org, base)
    assert [[c.text for c in t.rows[0].cells] for t in document.tables] == [
        ["Sector", "Participants"], ["Working group", "Theme", "Participants"]]
    for table in document.tables:
        first, *rest = table.rows
        assert first._tr.trPr is not None
        assert first._tr.trPr.find(qn("w:tblHeader")) is not None  # repeats on each page
        assert all(r._tr.trPr is None or r._tr.trPr.find(qn("w:tblHeader")) is None
                   for r in rest)
        look = table._tbl.tblPr.find(qn("w:tblLook"))
        assert look.get(qn("w:firstRow")) == "1"  # the style's header look applies
        header_look = [part for part in table.style.element.findall(qn("w:tblStylePr"))
                       if part.get(qn("w:type")) == "firstRow"]
        assert header_look and header_look[0].find(f"{qn('w:rPr')}/{qn('w:b')}") is not None


def test_the_group_lists_print_on_the_events_paper(app, client, tokens, event):
    org = bearer(tokens["organizer"])
    base, _, _ = published(client, org, event)

    def book() -> openpyxl.Workbook:
        r = client.get(f"{base}/groups.xlsx", headers=org)
        assert r.status_code == 200
        return openpyxl.load_workbook(io.BytesIO(r.data))

    vienna = book()
    assert vienna.sheetnames == ["All", "WG1", "WG2", "WG3"]
    for sheet in vienna.worksheets:
        assert sheet.page_setup.orientation == "landscape"
        assert int(sheet.page_setup.paperSize) == A4_PAPER
        assert int(sheet.page_setup.fitToWidth) == 1 and int(sheet.page_setup.fitToHeight) == 0
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.print_title_rows == "$1:$2"
    _move(client, org, base, "America/Toronto", "Metro Toronto Convention Centre")
    assert {int(s.page_setup.paperSize) for s in book().worksheets} == {LETTER_PAPER}


def test_numbered_lists_in_a_recommendations_text_count_from_one_each(
        app, client, tokens, event):
    org = bearer(tokens["organizer"])
    base = f"/api/events/{event['id']}"
    wg1 = event["groups"][0]["id"]
    steps = "Two steps:\n\n1. Police first\n2. Then NGOs"
    nested = "1. Plan\n   1. Draft\n   2. Agree\n2. Act\n   1. Train\n\nThen:\n\n1. Review"
    _adopt(client, org, base, wg1, "Joint trainings", steps)
    _adopt(client, org, base, wg1, "A referral mechanism", steps)
    _adopt(client, org, base, wg1, "Shared case files", nested)
    document = _report(client, org, base)
    assert numbered_items(document, "List Number 2")["Structured Cooperation"] == [
        "1. Police first", "2. Then NGOs", "1. Police first", "2. Then NGOs",
        "1. Plan", "2. Act", "1. Review"]
    assert numbered_items(document, "List Number 3")["Structured Cooperation"] == [
        "1. Draft", "2. Agree", "1. Train"]


def test_the_pdf_report_is_on_the_same_paper_as_the_word_one(app, client, tokens, event):
    from pypdf import PdfReader

    org = bearer(tokens["organizer"])
    base = f"/api/events/{event['id']}"

    def page_mm() -> tuple[float, float]:
        r = client.get(f"{base}/report.pdf", headers=org)
        assert r.status_code == 200, r.data[:300]
        box = PdfReader(io.BytesIO(r.data)).pages[0].mediabox
        return float(box.width) * 25.4 / 72, float(box.height) * 25.4 / 72

    assert page_mm() == pytest.approx(A4_MM, abs=0.5)
    _move(client, org, base, "America/New_York", "Javits Center")
    assert page_mm() == pytest.approx(LETTER_MM, abs=0.5)
