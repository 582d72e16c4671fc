"""Exports a spreadsheet cannot turn against its reader, and that keep names as entered."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from allocator.services.exports import FORMULA_TRIGGERS, GroupList, neutralise, to_csv, to_xlsx

SEPARATORS = (",", ";", "\t")
TRIGGERS = "=+-@\uff1d\uff0b\uff0d\uff20\u2212"
text_with_traps = st.text(alphabet=st.sampled_from(
    list(TRIGGERS) + list(",;\t\r\n \"'") + list("abcXYZ019|!()Żß")), max_size=40)


def cells_as_a_spreadsheet_splits(line: str, separator: str) -> list[str]:
    """Every piece a spreadsheet splitting on ``separator`` could make a cell of: first
    honouring double quotes (as Excel does), then naively (as some importers do)."""
    quoted = next(csv.reader([line], delimiter=separator), [])
    naive = line.replace("\r", "\n").split(separator)
    pieces = quoted + naive
    return [p for piece in pieces for p in piece.split("\n")]


def starts_a_formula(cell: str) -> bool:
    stripped = cell.lstrip(' "')
    return bool(stripped) and stripped[0] in FORMULA_TRIGGERS


@given(value=text_with_traps)
@settings(max_examples=400, derandomize=True)
def test_no_cell_can_start_a_formula_under_any_separator(value):
    line = to_csv(["full_name"], [GroupList(None, [[value]])]).decode("utf-8-sig")
    body = line.split("\r\n", 1)[1]
    for separator in SEPARATORS:
        for cell in cells_as_a_spreadsheet_splits(body, separator):
            assert not starts_a_formula(cell), (value, separator, cell)


@given(value=text_with_traps)
@settings(max_examples=400, derandomize=True)
def test_the_value_stays_readable(value):
    """Only apostrophes are added, each right before a trigger; skipping them restores it."""
    out = neutralise(value)
    i = j = 0
    while i < len(out):
        if j < len(value) and out[i] == value[j]:
            i, j = i + 1, j + 1
        else:
            assert out[i] == "'" and out[i + 1] in FORMULA_TRIGGERS, (value, out)
            i += 1
    assert j == len(value)


def test_the_reported_example_and_look_alikes():
    assert neutralise("x;=cmd|' /C calc'!A0;") == "x;'=cmd|' /C calc'!A0;"
    for trap in ("\uff1dSUM(A1)", "\uff0b1", "\uff0d1", "\uff20x", "\u22121+1", "\t=1",
                 "\r=1", ' "=1'):
        out = neutralise(trap)
        assert out != trap and "'" + trap.lstrip(' "\t\r')[0] in out, trap
    assert neutralise("Jean-Pierre Dupont") == "Jean-Pierre Dupont"
    assert neutralise("Ministry of Labour, Dept. 3") == "Ministry of Labour, Dept. 3"
    assert neutralise("@home Foundation") == "'@home Foundation"


def test_the_workbook_keeps_every_value_exactly_as_entered():
    values = ["@home Foundation", "=HYPERLINK(\"http://x\",\"y\")", "+41 22 917 12 34",
              "-5", "0012", "1e5", "TRUE", "x;=cmd|' /C calc'!A0;", "Żółć"]
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx(["organization"], [
        GroupList(_Group("Group A"), [[v] for v in values])])))
    sheet = book.worksheets[1]  # the group's own sheet, after "All"
    cells = [row[0] for row in sheet.iter_rows(min_row=3)]
    assert [c.value for c in cells] == values
    assert all(c.data_type in ("s", "inlineStr") and c.quotePrefix for c in cells)


class _Group:
    def __init__(self, name: str) -> None:
        self.name = name
        self.room = "Room 1"


def test_characters_xml_cannot_hold_do_not_break_the_workbook():
    """Data stored before input was cleaned may hold them: the file must still open."""
    values = ["Evil\uffffName", "Bell\x07", "ok"]
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx(["organization"], [
        GroupList(_Group("Group A"), [[v] for v in values])])))
    cells = [row[0] for row in book.worksheets[1].iter_rows(min_row=3, values_only=True)]
    assert cells == ["Evil\ufffdName", "Bell\ufffd", "ok"]


@pytest.mark.parametrize(("room", "said"), [
    ("M1", "room M1"), ("Room C06", "Room C06"), ("room 2", "room 2"),
    ("Raum 3", "Raum 3"), ("Salle B", "Salle B"), ("Roomy corner", "room Roomy corner"),
    ("Board Room C", "Board Room C"), ("Main Hall", "Main Hall")])
def test_a_room_is_named_once(room, said):
    from allocator.web.home import room_label

    assert room_label(room) == said


# --- how the workbook prints ------------------------------------------------------------

A4_PAPER, LETTER_PAPER = 9, 1  # ECMA-376 ST_PaperSize
COLUMNS = ["group", "theme", "room", "facilitator", "full_name", "organization", "sector",
           "country"]


def _event(timezone: str = "Europe/Vienna", venue: str = "Vienna International Centre"):
    import datetime as dt
    from types import SimpleNamespace

    start = dt.datetime(2031, 2, 15, 8, 30, tzinfo=dt.UTC)
    return SimpleNamespace(name="Building the Bridges", timezone=timezone, venue=venue,
                           starts_at=start, ends_at=start + dt.timedelta(hours=3))


def _people(group: str, count: int) -> list[list[str]]:
    return [[group, "Information Sharing and Joint Case Work", "Room 1", "no",
             f"Participant Number {n:03}", "Ministry of the Interior, Criminal Intelligence",
             "Government", "Austria"] for n in range(count)]


def _workbook(lists: list[GroupList], event=None) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(to_xlsx(COLUMNS, lists, event)))


def test_every_sheet_prints_landscape_one_page_wide_with_its_headings_on_each_page():
    """95 people: no sheet spreads its columns over pages, none loses its header rows."""
    groups = [GroupList(_Group(f"WG{n}"), _people(f"WG{n}", size))
              for n, size in enumerate((32, 32, 31), start=1)]
    book = _workbook(groups, _event())
    assert book.sheetnames == ["All", "WG1", "WG2", "WG3"]
    for sheet in book.worksheets:
        setup = sheet.page_setup
        assert setup.orientation == "landscape", sheet.title
        assert (int(setup.fitToWidth), int(setup.fitToHeight)) == (1, 0)
        assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
        assert sheet.print_title_rows == "$1:$2"  # the title row and the column headings
        assert int(setup.paperSize) == A4_PAPER  # Vienna
        margins = sheet.page_margins
        assert all(0.4 <= m <= 1.0 for m in (margins.left, margins.right, margins.top,
                                              margins.bottom))  # inches: 1–2.5 cm
        assert sheet.oddHeader.center.text == "&A"  # the sheet's name
        assert sheet.oddFooter.center.text == "Page &P of &N"
    assert book["All"].max_row == 2 + 95


@pytest.mark.parametrize(("timezone", "venue", "size"), [
    ("America/New_York", "", "letter"), ("America/Toronto", "", "letter"),
    ("America/Mexico_City", "", "letter"), ("Asia/Manila", "", "letter"),
    ("UTC", "Hilton, Washington, DC, USA", "letter"), ("Europe/Vienna", "", "a4"),
    ("UTC", "Palais des Nations, Geneva, Switzerland", "a4"), ("UTC", "", "a4"),
    ("America/Sao_Paulo", "", "a4")])
def test_the_workbook_is_on_the_paper_of_the_events_country(timezone, venue, size):
    book = _workbook([GroupList(_Group("WG1"), _people("WG1", 3))], _event(timezone, venue))
    expected = {"letter": LETTER_PAPER, "a4": A4_PAPER}[size]
    assert {int(s.page_setup.paperSize) for s in book.worksheets} == {expected}


def test_sheet_names_fit_excel_and_are_never_cut_inside_a_word():
    names = ["Working Group 1: Structured Cooperation between Police and NGOs",
             "Working Group 1: Structured Cooperation between Police and Courts",
             "Non-Traditional Stakeholders and the Private Sector", "History", "all",
             "Victims/Survivors [closed]?", "wg1", "WG1",
             "Zusammenarbeitsvereinbarungsgruppenleitung"]
    book = _workbook([GroupList(_Group(name), _people(name, 1)) for name in names])
    titles = book.sheetnames[1:]
    assert len({t.lower() for t in book.sheetnames}) == len(book.sheetnames)  # unique
    assert "history" not in {t.lower() for t in titles}  # Excel keeps it for itself
    for name, title in zip(names, titles, strict=True):
        assert len(title) <= 31 and not set(title) & set("[]:*?/\\"), title
        assert not title.startswith("'") and not title.endswith("'")
        words = title.removesuffix("…").split(" (")[0].removesuffix("…")
        cleaned = " ".join(name.replace(":", " -").replace("/", "-").replace("[", "-")
                           .replace("]", "-").replace("?", "-").split())
        assert cleaned.startswith(words), (name, title)
        if len(name) > 31 and " " in name[:31]:  # whole words only
            rest = cleaned[len(words):]
            assert rest == "" or rest[0] == " ", (name, title)
    assert titles[0] == "Working Group 1 - Structured…"
    assert titles[1].endswith(" (2)") and titles[1].startswith("Working Group 1")
    assert titles[2] == "Non-Traditional Stakeholders…"
    assert titles[3:7] == ["History (2)", "all (2)", "Victims-Survivors -closed--", "wg1"]
    assert titles[7] == "WG1 (2)"
    assert titles[8] == "Zusammenarbeitsvereinbarungsgr…"  # one word: no boundary to keep


def test_the_paper_follows_the_events_country():
    from allocator.services import paper

    assert paper.zone_country("Europe/Vienna") == "AT"
    assert paper.zone_country("US/Eastern") == "US"
    assert paper.zone_country("UTC") is None and paper.zone_country("") is None
    assert paper.venue_country("Vienna International Centre") is None
    assert paper.venue_country("Hofburg, Vienna, Austria") == "AT"
    assert paper.for_event(_event("America/Bogota", "")) is paper.LETTER
    assert paper.for_event(_event("UTC", "Conference Centre, Santiago, Chile")) is paper.LETTER
    assert paper.for_event(_event()) is paper.A4 and paper.for_event(None) is paper.A4


def test_a_printed_workbook_is_a_few_pages_for_95_people(tmp_path):
    """Through LibreOffice when it is installed: the lists of 95 people print on a
    handful of pages, not 28."""
    import shutil
    import subprocess

    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        pytest.skip("LibreOffice is not installed")
    from pypdf import PdfReader

    source = tmp_path / "lists.xlsx"
    source.write_bytes(to_xlsx(COLUMNS, [GroupList(_Group("WG1"), _people("WG1", 95))],
                               _event()))
    subprocess.run([office, "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
                   check=True, capture_output=True, timeout=300)
    pages = PdfReader(tmp_path / "lists.pdf").pages
    assert len(pages) <= 2 * 4  # two sheets ("All" and WG1), each a few pages long
    first = pages[0].extract_text()
    assert "Full name" in first and "Country" in first  # every column on page 1
    assert "Full name" in pages[1].extract_text()  # headings again on the next page
