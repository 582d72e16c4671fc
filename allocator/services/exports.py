"""Group lists for facilitators: CSV (RFC 4180, UTF-8 with BOM) and an XLSX workbook.

Whoever asks and through whichever door (API, page, CLI), a list holds what the caller may
see: the groups of their scope (:attr:`Principal.group_scope`), the runs their role may
read, and of each person the fields :func:`allocator.access.person_fields` allows.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from sqlalchemy import select

from allocator.access import Principal, person_fields, person_view
from allocator.errors import Conflict, Forbidden, NotFound
from allocator.extensions import db
from allocator.models import ACTIVE, AllocationRun, Assignment, Event, Participant, WorkingGroup
from allocator.normalise import humanise
from allocator.services import audit, invalid, paper, waitlist
from allocator.services.allocation import get_run, published_run
from allocator.services.taxonomy import for_event
from allocator.validation import xml_safe

DEFAULT_COLUMNS = ["group", "theme", "room", "facilitator", "full_name", "organization",
                   "sector", "country"]
OPTIONAL_COLUMNS = ["email", "gender", "role", "status", "participant_id"]
# Characters that make a spreadsheet read a cell as a formula: the ASCII ones, their
# full-width forms and the minus sign, which some spreadsheet programs also accept.
FORMULA_TRIGGERS = frozenset("=+-@\uff1d\uff0b\uff0d\uff20\u2212\t\r")
# Where a cell can begin inside our text when a spreadsheet splits on another
# separator than ours (German and Austrian Excel use ";"), or on a line break.
CELL_BREAKS = frozenset(",;\t\r\n")
# May stand before a formula's trigger and still let it run.
LEADING = frozenset(' "')
HEADERS = {"group": "Group", "theme": "Theme", "room": "Room", "facilitator": "Facilitator",
           "full_name": "Full name", "organization": "Organisation", "sector": "Sector",
           "country": "Country", "email": "E-mail", "gender": "Gender", "role": "Role",
           "status": "Status", "participant_id": "Participant id"}


def country_name(code: str) -> str:
    """A country as people read it (pycountry's name), its code where ISO has none (XK)."""
    import pycountry

    found = pycountry.countries.get(alpha_2=code)
    if found is None:
        return {"XK": "Kosovo"}.get(code, code)
    return getattr(found, "common_name", None) or found.name


def neutralise(value: object) -> str:
    """A CSV cell a spreadsheet shows as text, never runs as a formula (OWASP CSV injection).

    An apostrophe goes before every formula trigger that could begin a cell: at the start,
    and after any ``,``, ``;``, TAB or line break inside the text, since a spreadsheet that
    separates cells by another character than ours starts a cell there (spaces and double
    quotes in between do not help). Nothing else changes, so the value stays readable.
    """
    text = "" if value is None else str(value)
    out: list[str] = []
    at_start = True
    for ch in text:
        if at_start and ch in FORMULA_TRIGGERS:
            out.append("'")
        out.append(ch)
        if ch in CELL_BREAKS:
            at_start = True
        elif ch not in LEADING:
            at_start = False
    return "".join(out)


@dataclass
class GroupList:
    """The rows of one group's list, in the chosen columns."""

    group: WorkingGroup | ListHead
    rows: list[list[str]]


@dataclass
class ListHead:
    """What a list that is no working group (the waiting list) shows where a group's
    name and room go."""

    name: str
    room: str = ""


def choose_columns(raw: str | None, principal: Principal) -> list[str]:
    """The columns asked for (comma-separated), checked against what the caller may see
    of anyone (Forbidden for a column only staff see, such as the e-mail address)."""
    if not raw:
        return list(DEFAULT_COLUMNS)
    columns = [c.strip() for c in raw.split(",") if c.strip()]
    known = DEFAULT_COLUMNS + OPTIONAL_COLUMNS
    unknown = [c for c in columns if c not in known]
    if unknown or not columns:
        invalid({"columns": [f"Unknown column(s): {', '.join(unknown) or '(none)'}. "
                             f"Choose from: {', '.join(known)}."]})
    if len(set(columns)) != len(columns):
        invalid({"columns": ["Each column may appear only once."]})
    allowed = person_fields(principal.role, status="registered", erased=False,
                            shows_organization=True)
    hidden = [HEADERS[c] for c in columns if _field(c) not in allowed]
    if hidden:
        raise Forbidden(f"A {principal.role} may not download these columns: "
                        f"{', '.join(hidden)} (only organisers and the desk see them).")
    return columns


def _field(column: str) -> str:
    """The person's field a column shows (the group's columns show the group)."""
    return {"participant_id": "id", "theme": "group", "room": "group",
            "facilitator": "role"}.get(column, column)


def source_run(event: Event, run_id: int | None, principal: Principal) -> AllocationRun:
    """The run whose lists are asked for: the published allocation, or the run
    ``run_id`` names (NotFound if it is not the event's; Forbidden for an unpublished run
    unless the caller reads allocations)."""
    if run_id is not None:
        run = get_run(event, run_id)
        if not run.published and not principal.can("allocations:read"):
            raise Forbidden("Only organisers may download lists of unpublished runs.")
        if run.status != "succeeded":
            raise Conflict(f"Run {run.id} has no allocation (status {run.status}).")
        return run
    run = published_run(event)
    if run is None:
        raise NotFound("No allocation has been published for this event yet.",
                       title="Not Found", type_="/problems/nothing-published")
    return run


def group_lists(event: Event, run: AllocationRun, columns: list[str], reader: Principal,
                only_group: int | None = None) -> list[GroupList]:
    """Members per group (facilitators first, then by name) as ``reader`` may see them:
    only the groups of their scope, only people who take part, each person's fields by
    :func:`allocator.access.person_view` (a hidden field is an empty cell)."""
    scope = reader.group_scope
    if only_group is not None and scope is not None and only_group != scope:
        raise Forbidden("This token is limited to another working group.")
    query = select(WorkingGroup).where(WorkingGroup.event_id == event.id)
    if scope is not None:
        query = query.where(WorkingGroup.id == scope)
    groups = list(db.session.scalars(query.order_by(WorkingGroup.id)))
    if only_group is not None:
        groups = [g for g in groups if g.id == only_group]
        if not groups:
            raise NotFound(f"Working group {only_group} was not found.")
    # Plain columns, not ORM objects: a list of 10,000 people is written in well under
    # a second (benchmarks/load.py).
    wanted = ["id", "full_name", "email", "organization", "sector", "country", "gender",
              "role", "status", "search_key", "erased_at", "badge_shows_organization"]
    rows = db.session.execute(
        select(Assignment.group_id, *(getattr(Participant, c) for c in wanted)).join(
            Participant, Participant.id == Assignment.participant_id)
        .where(Assignment.run_id == run.id, Participant.status.in_(ACTIVE))
    ).all()
    by_group: dict[int, list[dict]] = {}
    for row in rows:
        person = dict(zip(wanted, row[1:], strict=True))
        shown = person_view(reader.role, person)
        if shown is not None:
            by_group.setdefault(row[0], []).append({**shown, "key": person["search_key"]})
    lists = []
    words = for_event(event)
    for group in groups:
        fixed = {"group": group.name, "theme": group.theme.title, "room": group.room,
                 "words": words}
        people = sorted(by_group.get(group.id, []),
                        key=lambda p: (p["role"] != "facilitator", p["key"], p["id"]))
        lists.append(GroupList(group, [[_text(_value(c, fixed, p)) for c in columns]
                                       for p in people]))
    if scope is None and only_group is None:
        waiting = _waiting_list(event, run, columns, reader, words)
        if waiting.rows:
            lists.append(waiting)
    return lists


def _waiting_list(event: Event, run: AllocationRun, columns: list[str], reader: Principal,
                  words: Any) -> GroupList:
    """The run's waiting list in order, as one more list (group cell "Waiting list 1",
    "Waiting list 2", …), each person's fields by :func:`person_view`; for readers of the
    whole event only (a facilitator's list is their group)."""
    rows = []
    for entry in waitlist.waiting(event, run, worded=False):
        p = entry["person"]
        shown = person_view(reader.role, {
            "id": p.id, "full_name": p.full_name, "email": p.email,
            "organization": p.organization, "sector": p.sector, "country": p.country,
            "gender": p.gender, "role": p.role, "status": p.status,
            "erased_at": p.erased_at, "badge_shows_organization": p.badge_shows_organization,
            "duties": p.duties})
        if shown is None:
            continue
        fixed = {"group": f"Waiting list {entry['position']}", "theme": "", "room": "",
                 "words": words}
        rows.append([_text(_value(c, fixed, shown)) for c in columns])
    return GroupList(ListHead("Waiting list"), rows)


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _value(column: str, fixed: dict[str, Any], person: dict) -> object:
    if column in ("group", "theme", "room"):
        return fixed[column]
    if column == "sector":  # as people read it: "Private sector", not private_sector
        return fixed["words"].label(person["sector"])
    if column == "country" and person["country"]:
        return country_name(person["country"])
    if column == "gender" and person["gender"]:
        return humanise(person["gender"]).replace(" ", "-")
    if column == "facilitator":
        return "yes" if person["role"] == "facilitator" else "no"
    if column == "participant_id":
        return person["id"]
    return person[column]


def to_csv(columns: list[str], lists: list[GroupList]) -> bytes:
    """RFC 4180 with CRLF line ends, UTF-8 with a byte-order mark for spreadsheet programs."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([HEADERS[c] for c in columns])
    for group_list in lists:
        writer.writerows([neutralise(cell) for cell in row] for row in group_list.rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(columns: list[str], lists: list[GroupList], event: Event | None = None) -> bytes:
    """A workbook for facilitators: an "All" sheet, then one sheet per group.

    Each sheet opens with a title row (event, group, room, time), then a bold header row
    that stays in view (frozen) with filters, columns as wide as what they hold. Printed
    (:func:`_print_layout`), a sheet is landscape and one page wide on the event's paper,
    with both rows on every page. Every
    value is a string cell exactly as entered: a string cell is never evaluated, so
    nothing is prefixed; ``quotePrefix`` is the spreadsheet's own way to show that a cell
    such as "@home Foundation" is text.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    used: set[str] = {"all", "history"}  # Excel keeps "History" for itself
    sheet_paper = paper.for_event(event)
    bold, big = Font(bold=True), Font(bold=True, size=13)
    when = ""
    if event is not None:
        zone = ZoneInfo(event.timezone or "UTC")
        when = (f"{event.starts_at.astimezone(zone):%d %B %Y, %H:%M}–"
                f"{event.ends_at.astimezone(zone):%H:%M}")

    def sheet_for(title: str, heading: str, group_lists: list[GroupList]) -> None:
        sheet = book.create_sheet(title)
        sheet.append([xml_safe(heading)])
        sheet["A1"].font = big
        sheet.append([HEADERS[c] for c in columns])
        for cell in sheet[2]:
            cell.font = bold
        widths = [len(HEADERS[c]) for c in columns]
        for group_list in group_lists:
            for row in group_list.rows:
                sheet.append([xml_safe(v) for v in row])
                for n, value in enumerate(row):
                    widths[n] = max(widths[n], len(value))
        for row in sheet.iter_rows(min_row=3):
            for cell in row:
                cell.data_type = "s"  # a string, never a formula or a number
                cell.quotePrefix = True
        last = max(2, sheet.max_row)
        sheet.freeze_panes = "A3"
        sheet.auto_filter.ref = f"A2:{get_column_letter(len(columns))}{last}"
        for n, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(n)].width = min(60, width + 2)
        _print_layout(sheet, sheet_paper)

    name = event.name if event is not None else "Group lists"
    place = f" · {event.venue}" if event is not None and event.venue else ""
    sheet_for("All", f"{name} · all groups · {when}{place}".replace(" ·  ·", " ·"), lists)
    for group_list in lists:
        group = group_list.group
        room = f" · {group.room}" if group.room else ""
        sheet_for(_sheet_title(group.name, used),
                  f"{name} · {group.name}{room} · {when}".rstrip(" ·"), [group_list])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def render(fmt: str, columns: list[str], lists: list[GroupList], event: Event) -> bytes:
    """The file's bytes: ``csv`` or ``xlsx``."""
    return to_csv(columns, lists) if fmt == "csv" else to_xlsx(columns, lists, event)


def _print_layout(sheet: Any, sheet_paper: paper.Paper) -> None:  # noqa: ANN401
    """How a sheet prints: landscape, every column on one page wide (as many pages down
    as it takes), the title and header rows on every page, the event's paper, margins of
    about 1.5 cm, grid lines, the sheet's name above and "Page 2 of 3" below."""
    from openpyxl.worksheet.page import PageMargins

    setup = sheet.page_setup
    setup.orientation = "landscape"
    setup.paperSize = (sheet.PAPERSIZE_LETTER if sheet_paper is paper.LETTER
                       else sheet.PAPERSIZE_A4)
    setup.fitToWidth, setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:2"
    sheet.print_options.gridLines = True
    sheet.page_margins = PageMargins(left=0.6, right=0.6, top=0.8, bottom=0.8,
                                     header=0.3, footer=0.3)  # inches
    sheet.oddHeader.center.text = "&A"  # the sheet's name, as Excel prints it
    sheet.oddFooter.center.text = "Page &P of &N"


# Excel's limits on a sheet's name: 31 characters, none of these.
SHEET_TITLE_MAX = 31
SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]*?/\\]")


def _sheet_title(name: str, used: set[str]) -> str:
    """A sheet name for ``name`` that Excel takes and no other sheet has: forbidden
    characters replaced, shortened at a word boundary with "…" when too long, " (2)"
    after a name already taken (compared as Excel does, ignoring case)."""
    base = SHEET_TITLE_FORBIDDEN.sub("-", re.sub(r"\s*:\s*", " - ", name))
    base = " ".join(base.split()).strip("'") or "Group"
    n = 1
    while True:
        suffix = f" ({n})" if n > 1 else ""
        title = _shorten(base, SHEET_TITLE_MAX - len(suffix)) + suffix
        if title.lower() not in used:
            used.add(title.lower())
            return title
        n += 1


def _shorten(text: str, limit: int) -> str:
    """``text`` in at most ``limit`` characters: whole words and "…" when it is longer
    (cut inside a word only when its first word alone is too long)."""
    if len(text) <= limit:
        return text
    room = text[: limit - 1]
    if text[limit - 1] != " " and " " in room:
        room = room.rsplit(" ", 1)[0]
    return room.rstrip(" -–,;.·'") + "…"


def filename(event: Event, what: str, extension: str) -> str:
    """A meaningful file name: the event's name, what the list holds, the extension."""
    return f"{event.name[:80]} – {what}.{extension}"


def content_disposition(name: str) -> str:
    """An attachment header with an ASCII fallback and the UTF-8 name (RFC 6266)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    ascii_name = re.sub(r"[^A-Za-z0-9._ -]+", "", ascii_name).strip() or "group-list"
    ascii_name = re.sub(r"\s+", "-", ascii_name)
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"


def download(event: Event, reader: Principal, fmt: str, *, run_id: int | None = None,
             group_id: int | None = None, columns: str | None = None) -> tuple[bytes, str]:
    """The group lists ``reader`` may see as a ``fmt`` file ("csv" or "xlsx") and its
    name: of the published allocation or of run ``run_id``, all groups of their scope or
    one; the columns asked for (comma-separated) or the default ones. Audited."""
    chosen = choose_columns(columns, reader)
    run = source_run(event, run_id, reader)
    lists = group_lists(event, run, chosen, reader, group_id)
    what = lists[0].group.name if group_id is not None and lists else "group lists"
    body = render(fmt, chosen, lists, event)
    record_download(event, run, fmt, group_id, chosen, sum(len(g.rows) for g in lists))
    return body, filename(event, what, fmt)


def record_download(event: Event, run: AllocationRun, fmt: str, group_id: int | None,
                    columns: list[str], rows: int) -> None:
    """Who downloaded which list, and when (ids only)."""
    audit.record("grouplist.downloaded", event_id=event.id, subject=("allocation", run.id),
                 details={"format": fmt, "group_id": group_id, "columns": columns,
                          "rows": rows})
    db.session.commit()
