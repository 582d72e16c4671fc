"""CSV import of registrations: all rows or none, every bad row reported."""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, NoReturn

import marshmallow as ma
from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from allocator.errors import Invalid, TooLarge, sentences
from allocator.extensions import db
from allocator.models import Event, Participant, utcnow
from allocator.normalise import counted
from allocator.services import audit, conflict
from allocator.services.events import consent_of, require_open
from allocator.services.participants import (
    build_participant,
    check_fields,
    event_themes,
    refresh_search_key,
    refuse_erased,
    set_preferences,
)
from allocator.services.taxonomy import for_event

COLUMNS = ("full_name", "email", "organization", "sector", "country", "gender", "role",
           "duties", "preferences", "vetoes", "consent", "status", "language")
REQUIRED = ("full_name", "email", "organization", "sector", "consent")
# With a status column, rows of invitees ("invited") need only a name and an e-mail; the
# schema asks each registered row for the rest.
REQUIRED_WITH_STATUS = ("full_name", "email")
ALIASES = {
    "name": "full_name", "full name": "full_name", "fullname": "full_name",
    "e-mail": "email", "mail": "email", "email address": "email",
    "organisation": "organization", "org": "organization",
    "theme preferences": "preferences", "themes": "preferences",
    "duty": "duties", "programme duties": "duties", "lang": "language",
    "not these themes": "vetoes", "not this theme": "vetoes", "veto": "vetoes",
    "cannot take part in": "vetoes",
}
HEADINGS = {"full_name": "Full name", "email": "E-mail", "organization": "Organisation",
            "sector": "Sector", "country": "Country", "gender": "Gender", "role": "Role",
            "duties": "Duties",
            "preferences": "Theme preferences", "vetoes": "Not these themes",
            "consent": "Consent", "status": "Status",
            "language": "Language"}
TRUE_WORDS = {"true", "yes", "y", "1", "x", "ja", "oui", "si", "sí"}
FALSE_WORDS = {"false", "no", "n", "0", ""}
MAX_REPORTED = 500


@dataclass
class ImportReport:
    """The outcome of an import: what was, or would be, done, row by row."""

    dry_run: bool
    rows: int
    created: int
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    participant_ids: list[int] = field(default_factory=list)
    report: list[dict[str, Any]] = field(default_factory=list)


def _reject(detail: str, *, too_large: bool = False) -> NoReturn:
    words = {"title": "The file cannot be imported", "type_": "/problems/import-rejected"}
    if too_large:
        raise TooLarge(detail, **words)
    raise Invalid(None, detail, **words)


def decode(raw: bytes) -> str:
    """Bytes to text: UTF-8 only (a BOM is fine), no binary files."""
    if b"\x00" in raw:
        _reject("The file is not a text file. Upload a CSV file saved as UTF-8.")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        _reject(
            f"The file is not UTF-8 text (first bad byte on line {line}). In a spreadsheet "
            "program, save it as 'CSV UTF-8'."
        )


def column_name(cell: str) -> str:
    """A header cell as a column name: case, spaces, underscores and aliases forgiven."""
    name = " ".join(cell.strip().lower().replace("_", " ").split())
    return ALIASES.get(name, name.replace(" ", "_"))


def delimiter(header_line: str) -> str:
    """The file's separator, read from its header row alone.

    The one (comma, semicolon or TAB) that splits the header into the most known column
    names; commas win a tie. Counting separators over the whole file is misled by
    preference cells such as ``a;b;c`` in a comma-separated file.
    """
    best, known_best = ",", -1
    for candidate in (",", ";", "\t"):
        try:
            cells = next(csv.reader([header_line], delimiter=candidate), [])
        except csv.Error:
            continue
        known = sum(1 for cell in cells if column_name(cell) in COLUMNS)
        if known > known_best:
            best, known_best = candidate, known
    return best


def _header(cells: list[str]) -> list[str]:
    names = [column_name(cell) for cell in cells]
    unknown = [cell.strip() for cell, n in zip(cells, names, strict=True) if n not in COLUMNS]
    if unknown:
        cells_named = ", ".join(repr(cell) for cell in unknown)
        _reject(f"Unknown {'column' if len(unknown) == 1 else 'columns'}: {cells_named}. "
                f"The columns it reads: {', '.join(HEADINGS[c] for c in COLUMNS)}.")
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        twice = ", ".join(HEADINGS[c] for c in repeated)
        _reject(f"Named more than once in the first row: {twice}.")
    needed = REQUIRED_WITH_STATUS if "status" in names else REQUIRED
    missing = [n for n in needed if n not in names]
    if missing:
        needed = ", ".join(HEADINGS[c] for c in missing)
        _reject(f"Missing {'a column it needs' if len(missing) == 1 else 'columns it needs'}: "
                f"{needed}.")
    return names


def _row_data(values: dict[str, str]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name, value in values.items():
        value = value.strip()
        if name == "preferences":
            parts = value.replace(">", ";").split(";")
            data[name] = [p.strip() for p in parts if p.strip()]
        elif name == "consent":
            word = value.lower()
            data[name] = True if word in TRUE_WORDS else False if word in FALSE_WORDS else value
        elif name in ("country", "gender", "language") and not value:
            data[name] = None
        elif name in ("role", "status") and not value:
            continue
        elif name in ("duties", "vetoes"):  # "Chair; Speaker": labels or keys, ;-separated
            data[name] = [p.strip() for p in value.split(";") if p.strip()]
        elif name == "status":
            data[name] = value.lower()
        else:
            data[name] = value
    if data.get("status") == "invited":  # invitees give the rest on their own page
        data = {k: v for k, v in data.items() if v not in ("", None, False, [])}
        data.pop("consent", None)
    return data


Rows = list[tuple[int, dict[str, str]]]


def parse(text: str, max_rows: int, max_line: int) -> tuple[list[str], Rows]:
    """Split CSV text into its header and (row number, cells by column) pairs."""
    for number, line in enumerate(text.splitlines(), start=1):
        if len(line) > max_line:
            _reject(f"Line {number} is longer than {max_line} characters.")
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter(first_line),
                        strict=True)
    rows: Rows = []
    try:
        header_cells = next(reader, None)
        if header_cells is None or not any(c.strip() for c in header_cells):
            _reject("The file is empty; it needs a header row and one row per person.")
        header = _header(header_cells)
        for number, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue
            if len(rows) >= max_rows:
                _reject(f"The file has more than {max_rows:,} rows; split it.", too_large=True)
            if len(cells) != len(header):
                rows.append((number, {"__cells__": str(len(cells))}))
                continue
            rows.append((number, dict(zip(header, cells, strict=True))))
    except csv.Error as exc:
        _reject(f"The file is not valid CSV near line {reader.line_num}: {exc}.")
    return header, rows


def _errors_for(messages: Any, number: int) -> list[dict[str, Any]]:
    found = []
    if isinstance(messages, dict):
        for column, value in messages.items():
            for text in sentences(value):
                found.append({"row": number, "column": column, "message": text})
    else:
        for text in sentences(messages):
            found.append({"row": number, "column": None, "message": text})
    return found


# What an update of an existing registration may change (e-mail is how it is found).
UPDATABLE = ("full_name", "organization", "sector", "country", "gender", "role", "duties",
             "preferences", "vetoes", "language")


def _changes(person: Participant, data: dict[str, Any], header: list[str]) -> list[str]:
    """The columns of the file whose values differ from the stored registration."""
    changed = []
    if person.status in ("invited", "declined") and data.get("status") != "invited":
        changed.append("status")  # the file registers an invitee (with their consent)
    for name in UPDATABLE:
        if name not in header or name not in data:
            continue  # a column the file does not have (or an invitee's blank) changes nothing
        now = person.preference_keys if name == "preferences" else getattr(person, name)
        if data.get(name, None if name not in ("preferences", "vetoes") else []) != now:
            changed.append(name)
    return changed


def import_csv(event: Event, raw: bytes, *, schema: ma.Schema, dry_run: bool,
               on_existing: str = "error") -> ImportReport:
    """Validate every row like a desk registration, then apply all of them or none.

    A row whose e-mail is already registered is an error (``on_existing="error"``), left
    as it is (``"skip"``), or brought up to date with the file (``"update"``: only the
    columns the file has). The report says per row what happened, or with ``dry_run``
    what would; the audit log records the import with the ids it touched. Each row is
    read by ``schema`` (the door's registration schema: the one source of input rules).
    """
    require_open(event)
    config = current_app.config
    text = decode(raw)
    header, rows = parse(text, config["IMPORT_MAX_ROWS"], config["IMPORT_MAX_LINE_LENGTH"])
    if not rows:
        _reject("The file has a header but no rows.")
    themes = event_themes(event)
    words = for_event(event)
    errors: list[dict[str, Any]] = []
    valid: list[tuple[int, dict[str, Any]]] = []
    first_row_of: dict[str, int] = {}
    for number, cells in rows:
        if "__cells__" in cells:
            errors.append({"row": number, "column": None, "message":
                           f"Has {cells['__cells__']} cells; the header has {len(header)}."})
            continue
        try:
            data = schema.load(_row_data(cells))
        except ma.ValidationError as exc:
            errors.extend(_errors_for(exc.messages, number))
            continue
        field_errors = check_fields(words, data)
        if field_errors:
            errors.extend(_errors_for(field_errors, number))
            continue
        if data["email"] in first_row_of:
            errors.append({"row": number, "column": "email", "message":
                           f"The same e-mail is on row {first_row_of[data['email']]}."})
            continue
        first_row_of[data["email"]] = number
        valid.append((number, data))
    existing: dict[str, Participant] = {}
    if first_row_of:
        existing = {p.email: p for p in db.session.scalars(select(Participant).where(
            Participant.event_id == event.id, Participant.status != "withdrawn",
            Participant.email.in_(list(first_row_of))))}
    plan: list[dict[str, Any]] = []
    for number, data in valid:
        person = existing.get(data["email"])
        if person is None:
            plan.append({"row": number, "status": "created", "data": data})
        elif on_existing == "error":
            errors.append({"row": number, "column": "email", "message":
                           f"{person.full_name} is already registered with this e-mail. To "
                           "bring their registration up to date from the file, import with "
                           "on_existing=update; to leave it, with on_existing=skip."})
        elif on_existing == "skip":
            plan.append({"row": number, "status": "skipped", "participant_id": person.id})
        else:
            changed = _changes(person, data, header)
            plan.append({"row": number, "status": "updated" if changed else "unchanged",
                         "participant_id": person.id, "changed": changed, "data": data,
                         "person": person})
    if errors:
        errors.sort(key=lambda e: (e["row"], e["column"] or ""))
        shown = errors[:MAX_REPORTED]
        more = len(errors) - len(shown)
        bad_rows = len({e["row"] for e in errors})
        detail = (f"{counted(len(errors), 'problem')} in {counted(bad_rows, 'row')}; "
                  "nothing was imported.")
        if more:
            detail += f" The first {MAX_REPORTED} are listed."
        raise Invalid(shown, detail, title="The file has invalid rows",
                      type_="/problems/import-invalid-rows")
    if not dry_run:
        _apply(event, plan, themes, on_existing)
    counts = Counter(step["status"] for step in plan)
    return ImportReport(
        dry_run=dry_run, rows=len(valid), created=counts["created"],
        updated=counts["updated"], unchanged=counts["unchanged"],
        skipped=counts["skipped"],
        participant_ids=[step["participant_id"] for step in plan
                         if step["status"] == "created" and "participant_id" in step],
        report=[{k: v for k, v in step.items() if k not in ("data", "person")}
                for step in plan])


def _apply(event: Event, plan: list[dict[str, Any]], themes: dict[str, Any],
           on_existing: str) -> None:
    """Write the plan in one transaction, and audit it with the ids it touched."""
    created = [(step, build_participant(event, step["data"], themes)) for step in plan
               if step["status"] == "created"]
    db.session.add_all(person for _, person in created)
    updated = [step for step in plan if step["status"] == "updated"]
    for step in updated:
        person, data = step["person"], step["data"]
        refuse_erased(person)
        for name in step["changed"]:
            if name == "preferences":
                set_preferences(person, data["preferences"], themes)
            elif name == "status":
                person.status, person.consent, person.consent_at = "registered", True, utcnow()
                person.consent_version = consent_of(event.consent_text)[1]
            else:
                setattr(person, name, data[name])
        refresh_search_key(person)
    try:
        db.session.flush()
        for step, person in created:
            step["participant_id"] = person.id
        audit.record("participants.imported", event_id=event.id, subject=("event", event.id),
                     details={"rows": len(plan), "on_existing": on_existing,
                              "created": [p.id for _, p in created],
                              "updated": [s["participant_id"] for s in updated],
                              "skipped": sum(1 for s in plan if s["status"] == "skipped"),
                              "unchanged": sum(1 for s in plan
                                               if s["status"] == "unchanged")})
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        conflict("Someone registered one of these e-mails while the file was being imported; "
                 "nothing was imported. Upload it again.")
