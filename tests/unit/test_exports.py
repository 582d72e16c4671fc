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
