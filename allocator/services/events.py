"""Events, their themes and their working groups."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, select

from allocator.access import Principal
from allocator.extensions import db
from allocator.i18n import consent_words
from allocator.models import (
    ACTIVE,
    DEFAULT_SECTORS,
    Assignment,
    Event,
    Participant,
    Preference,
    Rule,
    Theme,
    WorkingGroup,
    utcnow,
)
from allocator.normalise import counted
from allocator.services import (
    audit,
    commit_or_conflict,
    conflict,
    event_row,
    find,
    invalid,
    not_found,
)
from allocator.services.taxonomy import forget
from allocator.validation import fold, is_slug


def wall_time(value: dt.datetime, zone: str) -> dt.datetime:
    """Read a datetime without an offset as wall time in the event's zone."""
    if value.tzinfo is None:
        return value.replace(tzinfo=ZoneInfo(zone))
    return value


def get_event(event_id: int) -> Event:
    """Return the event or answer 404."""
    event = find(Event, event_id)
    if event is None:
        not_found(f"Event {event_id}")
    return event


def consent_of(text: str | None) -> tuple[str, str]:
    """(the consent text people agree to, its version): an event's own text, versioned by
    its SHA-256 (a change of wording is a new version), or the server's CONSENT_TEXT and
    CONSENT_TEXT_VERSION (the default one in the reader's language)."""
    if text and text.strip():
        return text, "event-" + hashlib.sha256(text.encode()).hexdigest()[:12]
    config = current_app.config
    return consent_words(config["CONSENT_TEXT"]), config["CONSENT_TEXT_VERSION"]


def retention_ends(ends_at: dt.datetime, retention_days: int) -> dt.datetime:
    """When an event's personal data is due to be erased: its end plus its retention."""
    return ends_at + dt.timedelta(days=retention_days)


def closed_reason(ends_at: dt.datetime, retention_days: int, purged_at: dt.datetime | None,
                  now: dt.datetime | None = None) -> tuple[str, str] | None:
    """Why an event takes no more personal data, as (problem type, sentence), or None.

    A purged event, and one whose retention period has passed (due to be purged), keep
    nothing new: a registration accepted then would outlive the promise to erase.
    """
    if purged_at is not None:
        return ("/problems/event-purged",
                f"This event's personal data was erased on {purged_at:%d %B %Y} at the end "
                "of its retention period; it takes no more registrations or changes.")
    due = retention_ends(ends_at, retention_days)
    if due <= (now or utcnow()):
        return ("/problems/event-expired",
                f"This event's retention period ended on {due:%d %B %Y} ({retention_days} "
                "days after the event); its personal data is due to be erased, so it takes "
                "no more registrations or changes.")
    return None


def _labels(labels: dict[str, str], sectors: list[str]) -> dict[str, str]:
    """The labels of the sectors that exist (a removed sector's label goes with it)."""
    return {key: label for key, label in labels.items() if key in sectors}


def require_open(event: Event) -> None:
    """Answer 409 when the event takes no more personal data (purged or past retention)."""
    reason = closed_reason(event.ends_at, event.retention_days, event.purged_at)
    if reason is not None:
        conflict(reason[1], type_=reason[0])


def list_events(principal: Principal) -> list[Event]:
    """All events the caller may see, newest first."""
    query = select(Event).order_by(Event.starts_at.desc(), Event.id.desc())
    if principal.event_id is not None:
        query = query.where(Event.id == principal.event_id)
    return list(db.session.scalars(query))


def _check_times(starts: dt.datetime, ends: dt.datetime,
                 closes: dt.datetime | None = None) -> None:
    if ends <= starts:
        invalid({"ends_at": ["Must be after the start."]})
    if closes is not None and closes > starts:
        invalid({"registration_closes_at": ["Must be before the event starts."]})


def _closes(data: dict[str, Any], zone: str, current: dt.datetime | None) -> dt.datetime | None:
    if "registration_closes_at" not in data:
        return current
    value = data["registration_closes_at"]
    return wall_time(value, zone) if value is not None else None


def create_event(data: dict[str, Any]) -> Event:
    """Create an event; sectors default to the UN.GIFT taxonomy."""
    zone = data.get("timezone", "UTC")
    starts = wall_time(data["starts_at"], zone)
    ends = wall_time(data["ends_at"], zone)
    closes = _closes(data, zone, None)
    _check_times(starts, ends, closes)
    event = Event(
        name=data["name"],
        starts_at=starts,
        ends_at=ends,
        timezone=zone,
        venue=data.get("venue", ""),
        language=data.get("language", "English"),
        sectors=list(data.get("sectors") or DEFAULT_SECTORS),
        sector_labels=_labels(data.get("sector_labels") or {},
                              data.get("sectors") or DEFAULT_SECTORS),
        retention_days=data.get("retention_days", 90),
        registration_closes_at=closes,
        contact_email=data.get("contact_email") or "",
        consent_text=(data.get("consent_text") or "").strip() or None,
    )
    db.session.add(event)
    db.session.flush()
    audit.record("event.created", event_id=event.id, subject=("event", event.id))
    db.session.commit()
    return event


def update_event(event: Event, data: dict[str, Any]) -> Event:
    """Change an event's fields; a sector still used by someone cannot be removed."""
    require_open(event)
    zone = data.get("timezone", event.timezone)
    starts = wall_time(data["starts_at"], zone) if "starts_at" in data else event.starts_at
    ends = wall_time(data["ends_at"], zone) if "ends_at" in data else event.ends_at
    closes = _closes(data, zone, event.registration_closes_at)
    _check_times(starts, ends, closes)
    if "sectors" in data:
        removed = set(event.sectors) - set(data["sectors"])
        if removed:
            in_use = db.session.execute(
                select(Participant.sector, func.count())
                .where(Participant.event_id == event.id, Participant.sector.in_(removed),
                       Participant.status.in_(ACTIVE))
                .group_by(Participant.sector)
            ).all()
            if in_use:
                used = ", ".join(f"{sector} ({count})" for sector, count in sorted(in_use))
                conflict(
                    f"Sectors still used by registered people cannot be removed: {used}.",
                    type_="/problems/sector-in-use",
                )
        event.sectors = list(data["sectors"])
        event.sector_labels = _labels(event.sector_labels or {}, event.sectors)
    if "sector_labels" in data:
        unknown = sorted(set(data["sector_labels"]) - set(event.sectors))
        if unknown:
            invalid({"sector_labels": [f"Not among the event's sectors: {', '.join(unknown)}."]})
        event.sector_labels = _labels({**(event.sector_labels or {}), **data["sector_labels"]},
                                      event.sectors)
    forget(event.id)
    for name in ("name", "venue", "language", "retention_days"):
        if name in data:
            setattr(event, name, data[name])
    event.timezone = zone
    event.starts_at, event.ends_at = starts, ends
    event.registration_closes_at = closes
    if "contact_email" in data:
        event.contact_email = data["contact_email"] or ""
    if "consent_text" in data:
        event.consent_text = (data["consent_text"] or "").strip() or None
    if "report_summary" in data:
        event.report_summary = data["report_summary"] or None
    audit.record("event.updated", event_id=event.id, subject=("event", event.id),
                 details={"fields": sorted(data)})
    db.session.commit()
    return event


# --- themes -------------------------------------------------------------------

def get_theme(event: Event, key: str) -> Theme:
    """Return the event's theme with this key or answer 404."""
    if not is_slug(key) or len(key) > 64:
        not_found(f"Theme '{key[:64]}'")
    theme = db.session.scalar(select(Theme).where(Theme.event_id == event.id, Theme.key == key))
    if theme is None:
        not_found(f"Theme '{key}'")
    return theme


def _theme_key_free(event: Event, key: str) -> None:
    other = db.session.scalar(
        select(Theme.title).where(Theme.event_id == event.id, Theme.key == key)
    )
    if other is not None:
        conflict(f"Another theme ({other}) already has this key; choose another.",
                 type_="/problems/duplicate-theme")


def create_theme(event: Event, data: dict[str, Any]) -> Theme:
    """Add a theme; without a position it goes last."""
    require_open(event)
    _theme_key_free(event, data["key"])
    position = data.get("position")
    if position is None:
        last = db.session.scalar(select(func.max(Theme.position)).where(Theme.event_id == event.id))
        position = 0 if last is None else last + 1
    theme = Theme(event_id=event.id, key=data["key"], title=data["title"],
                  description=data.get("description", ""), position=position)
    db.session.add(theme)
    commit_or_conflict("Another theme took this key at the same time; choose another.",
                       type_="/problems/duplicate-theme")
    return theme


def update_theme(event: Event, key: str, data: dict[str, Any]) -> Theme:
    """Change a theme, its key included (preferences follow, they refer to the theme)."""
    require_open(event)
    theme = get_theme(event, key)
    if "key" in data and data["key"] != theme.key:
        _theme_key_free(event, data["key"])
        _rename_vetoes(event, theme.key, data["key"])
    for name in ("key", "title", "description", "position"):
        if name in data:
            setattr(theme, name, data[name])
    commit_or_conflict("Another theme took that key at the same time.")
    return theme


def delete_theme(event: Event, key: str, *, force: bool = False) -> None:
    """Delete a theme that no group uses; with ``force``, also drop it from preferences."""
    require_open(event)
    theme = get_theme(event, key)
    groups = list(db.session.scalars(
        select(WorkingGroup.name).where(WorkingGroup.theme_id == theme.id)
        .order_by(WorkingGroup.name)))
    if groups:
        which = groups[0] if len(groups) == 1 else ", ".join(groups[:-1]) + " and " + groups[-1]
        conflict(f"{which} {'works' if len(groups) == 1 else 'work'} on {theme.title}: give "
                 f"{'it' if len(groups) == 1 else 'them'} another theme or delete "
                 f"{'it' if len(groups) == 1 else 'them'} first.",
                 type_="/problems/theme-in-use")
    prefs = db.session.scalar(
        select(func.count()).select_from(Preference).where(Preference.theme_id == theme.id)
    )
    if prefs and not force:
        conflict(
            f"{prefs} {'person' if prefs == 1 else 'people'} ranked {theme.title}. Delete "
            "with force=true to remove it from their preferences as well.",
            type_="/problems/theme-in-use",
        )
    audit.record("theme.deleted", event_id=event.id, subject=("theme", theme.id),
                 details={"force": force, "preferences_removed": prefs})
    _rename_vetoes(event, theme.key, None)
    db.session.delete(theme)
    db.session.commit()


def _rename_vetoes(event: Event, old: str, new: str | None) -> None:
    """Vetoes name themes by key: follow a theme's new key, or drop a deleted theme."""
    for person in db.session.scalars(select(Participant).where(
            Participant.event_id == event.id)):
        if old in (person.vetoes or []):
            person.vetoes = [new if key == old else key for key in person.vetoes
                             if new is not None or key != old]


# --- working groups -------------------------------------------------------------

def get_group(event: Event, group_id: int) -> WorkingGroup:
    """Return the event's group or answer 404."""
    return event_row(WorkingGroup, group_id, event.id, "Working group")


def group_named(event: Event, name_or_id: str) -> WorkingGroup:
    """The event's working group with this name (any case) or id; NotFound naming the
    groups there are."""
    wanted = fold(name_or_id)
    for group in event.groups:
        if fold(group.name) == wanted or str(group.id) == name_or_id.strip():
            return group
    names = ", ".join(g.name for g in event.groups) or "none yet"
    not_found(f"Working group '{name_or_id}' (the event's groups: {names})")


def _theme_for_group(event: Event, key: str) -> Theme:
    theme = db.session.scalar(select(Theme).where(Theme.event_id == event.id, Theme.key == key))
    if theme is None:
        invalid({"theme": [f"The event has no theme '{key}'."]})
    return theme


def _group_name_free(event: Event, name: str, exclude_id: int | None = None) -> None:
    query = select(WorkingGroup.id).where(
        WorkingGroup.event_id == event.id, func.lower(WorkingGroup.name) == name.lower()
    )
    if exclude_id is not None:
        query = query.where(WorkingGroup.id != exclude_id)
    if db.session.scalar(query) is not None:
        conflict(f"The event already has a working group named '{name}'.",
                 type_="/problems/duplicate-group")


def create_group(event: Event, data: dict[str, Any]) -> WorkingGroup:
    """Add a working group on one of the event's themes."""
    require_open(event)
    theme = _theme_for_group(event, data["theme"])
    _group_name_free(event, data["name"])
    group = WorkingGroup(event_id=event.id, theme_id=theme.id, name=data["name"],
                         room=data.get("room", ""), capacity=data["capacity"],
                         min_size=data.get("min_size", 0))
    db.session.add(group)
    commit_or_conflict(f"The event already has a working group named '{data['name']}'.")
    return group


def update_group(event: Event, group_id: int, data: dict[str, Any]) -> WorkingGroup:
    """Change a working group; its minimum size may never exceed its capacity."""
    require_open(event)
    group = get_group(event, group_id)
    if "theme" in data:
        group.theme_id = _theme_for_group(event, data["theme"]).id
    if "name" in data:
        _group_name_free(event, data["name"], exclude_id=group.id)
    capacity = data.get("capacity", group.capacity)
    min_size = data.get("min_size", group.min_size)
    if min_size > capacity:
        invalid({"min_size": [f"May not exceed the capacity ({capacity})."]})
    for name in ("name", "room", "capacity", "min_size"):
        if name in data:
            setattr(group, name, data[name])
    commit_or_conflict("Another group took that name at the same time.")
    db.session.refresh(group)
    return group


def delete_group(event: Event, group_id: int) -> None:
    """Delete a working group."""
    require_open(event)
    group = get_group(event, group_id)
    pins = db.session.scalar(select(func.count()).select_from(Rule).where(
        Rule.group_id == group.id)) or 0
    if pins:
        conflict(f"{counted(pins, 'pin rule names', 'pin rules name')} {group.name}; delete "
                 f"{'it' if pins == 1 else 'them'} first.",
                 type_="/problems/group-in-use")
    runs = sorted(set(db.session.scalars(
        select(Assignment.run_id).where(Assignment.group_id == group.id))))
    if runs:
        which = ", ".join(f"run {r}" for r in runs)
        conflict(f"{group.name} has people in allocation {which}: delete those draft runs "
                 "first (a published allocation must be replaced "
                 "by publishing another run).", type_="/problems/group-in-use", runs=runs)
    audit.record("group.deleted", event_id=event.id, subject=("group", group.id))
    db.session.delete(group)
    db.session.commit()
