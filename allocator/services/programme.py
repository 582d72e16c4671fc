"""The workshop's programme: items in the event's time, in time order.

An item lies within the event; two items in one room may not overlap (the refusal names
both); times are read as wall time in the event's zone (as the event's own are) and kept
as instants, so an item across a change to or from summer time lasts exactly as long as
the clock on the wall says. Speakers are people of the event with a programme duty.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from allocator import i18n
from allocator.access import PUBLIC, person_view
from allocator.errors import Invalid
from allocator.extensions import db
from allocator.models import ACTIVE, Event, Participant, ProgrammeItem, Theme, utcnow
from allocator.services import audit, event_row
from allocator.services.events import require_open, wall_time
from allocator.validation import fold

FIELDS = ("title", "kind", "room", "notes")


def items(event: Event) -> list[ProgrammeItem]:
    """The event's programme, in time order."""
    return list(db.session.scalars(select(ProgrammeItem).where(
        ProgrammeItem.event_id == event.id).order_by(ProgrammeItem.starts_at,
                                                       ProgrammeItem.ends_at,
                                                       ProgrammeItem.id)))


def get_item(event: Event, item_id: int) -> ProgrammeItem:
    """The event's programme item, or NotFound."""
    return event_row(ProgrammeItem, item_id, event.id, "Programme item")


def span(event: Event, item: ProgrammeItem) -> str:
    """An item's times as people at the event read them, in the reader's language:
    "10:45–11:45"."""
    return i18n.hours(event, item.starts_at, item.ends_at)


def _check(event: Event, item: ProgrammeItem) -> None:
    """Refuse an item outside the event, ending before it starts, overlapping another in
    its room, or naming speakers who have no programme duty; every problem at once."""
    errors: dict[str, list[str]] = {}
    zone = ZoneInfo(event.timezone or "UTC")
    if item.ends_at <= item.starts_at:
        errors["ends_at"] = ["Must be after the start."]
    if item.starts_at < event.starts_at or item.ends_at > event.ends_at:
        errors.setdefault("starts_at", []).append(
            f"Must lie within the event ({event.starts_at.astimezone(zone):%d %B %Y, %H:%M}"
            f"–{event.ends_at.astimezone(zone):%H:%M}).")
    if item.room.strip() and not errors:
        for other in items(event):
            if other.id != item.id and fold(other.room) == fold(item.room) and \
                    other.starts_at < item.ends_at and item.starts_at < other.ends_at:
                errors["room"] = [f"“{item.title}” ({span(event, item)}) would overlap "
                                  f"“{other.title}” ({span(event, other)}) in {other.room}."]
                break
    if item.speaker_ids:
        found = {pid: duties for pid, duties in db.session.execute(
            select(Participant.id, Participant.duties).where(
                Participant.event_id == event.id, Participant.id.in_(item.speaker_ids),
                Participant.status.in_(ACTIVE)))}
        wrong = [str(pid) for pid in item.speaker_ids if not found.get(pid)]
        if wrong:
            errors["speaker_ids"] = [f"Not people of this event with a programme duty: "
                                     f"{', '.join(wrong)}."]
    if errors:
        raise Invalid(errors)


def _apply(event: Event, item: ProgrammeItem, data: dict[str, Any]) -> None:
    for name in FIELDS:
        if name in data:
            value = data[name]
            setattr(item, name, (value or "") if name in ("room", "notes") else value)
    for name in ("starts_at", "ends_at"):
        if name in data:
            setattr(item, name, wall_time(data[name], event.timezone))
    if "theme" in data:
        key = data["theme"]
        theme = db.session.scalar(select(Theme).where(Theme.event_id == event.id,
                                                      Theme.key == key)) if key else None
        if key and theme is None:
            raise Invalid({"theme": [f"The event has no theme '{key}'."]})
        item.theme_id = theme.id if theme else None
    if "speaker_ids" in data:
        item.speaker_ids = list(dict.fromkeys(data["speaker_ids"] or []))


def add(event: Event, data: dict[str, Any]) -> ProgrammeItem:
    """Add an item to the programme (Invalid, with every problem, when it does not fit)."""
    require_open(event)
    item = ProgrammeItem(event_id=event.id, room="", notes="", speaker_ids=[])
    item.event = event
    _apply(event, item, data)
    _check(event, item)
    db.session.add(item)
    db.session.flush()
    audit.record("programme.added", event_id=event.id, subject=("programme_item", item.id))
    db.session.commit()
    return item


def change(event: Event, item_id: int, data: dict[str, Any]) -> ProgrammeItem:
    """Change an item (the same checks as adding one)."""
    require_open(event)
    item = get_item(event, item_id)
    with db.session.no_autoflush:
        _apply(event, item, data)
        _check(event, item)
    item.updated_at = utcnow()
    audit.record("programme.changed", event_id=event.id, subject=("programme_item", item.id),
                 details={"fields": sorted(data)})
    db.session.commit()
    return item


def remove(event: Event, item_id: int) -> None:
    """Take an item off the programme."""
    require_open(event)
    item = get_item(event, item_id)
    db.session.delete(item)
    audit.record("programme.removed", event_id=event.id, subject=("programme_item", item_id))
    db.session.commit()


def now_and_next(event: Event, at: Any = None) -> tuple[ProgrammeItem | None,
                                                      ProgrammeItem | None]:
    """What is on now (the latest item begun and not ended) and what comes next."""
    at = at or utcnow()
    now = nxt = None
    for item in items(event):
        if item.starts_at <= at < item.ends_at:
            now = item
        elif item.starts_at > at and nxt is None:
            nxt = item
    return now, nxt


def working_groups_slot(event: Event) -> ProgrammeItem | None:
    """The programme's working-groups item, if there is one (the group announcement's
    calendar entry takes its times)."""
    return next((item for item in items(event) if item.kind == "working_groups"), None)


def with_speakers(event: Event, found: list[ProgrammeItem]) -> list[ProgrammeItem]:
    """Attach to each item its speakers as anyone may see them (a programme duty is a
    public role: name and organisation), in the order given; one query for all."""
    ids = {pid for item in found for pid in item.speaker_ids}
    people = {p.id: p for p in db.session.scalars(select(Participant).where(
        Participant.event_id == event.id, Participant.id.in_(ids)))} if ids else {}
    for item in found:
        shown = []
        for pid in item.speaker_ids:
            person = people.get(pid)
            view = person_view(PUBLIC, {
                "id": pid, "full_name": person.full_name, "organization": person.organization,
                "status": person.status, "erased_at": person.erased_at,
                "duties": person.duties}) if person is not None else None
            if view:
                shown.append(view)
        item.speakers = shown
    return found


def duty_holders(event: Event) -> list[Participant]:
    """People of the event with a programme duty (who may speak), by name."""
    return [p for p in db.session.scalars(select(Participant).where(
        Participant.event_id == event.id, Participant.status.in_(ACTIVE))
        .order_by(Participant.search_key, Participant.id)) if p.duties]


def event_day(event: Event) -> Any:
    """The day the event starts on, in its own time zone (a date)."""
    return event.starts_at.astimezone(ZoneInfo(event.timezone or "UTC")).date()
