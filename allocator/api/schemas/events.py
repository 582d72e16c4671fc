"""Events, themes and working groups."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from allocator.api.fields import (
    Email,
    LocalDateTime,
    Slug,
    Text,
    TimeZone,
)
from allocator.api.schemas.common import StrictSchema, distinct
from allocator.services.events import consent_of
from allocator.services.taxonomy import for_event

# --- events -----------------------------------------------------------------

class EventIn(StrictSchema):
    """Body of POST /api/events."""

    name = Text(required=True, max_length=200)
    starts_at = LocalDateTime(required=True, metadata={"description": "ISO 8601; "
                              "without an offset it is read in the event's time zone"})
    ends_at = LocalDateTime(required=True)
    timezone = TimeZone(load_default="UTC")
    venue = Text(load_default="", max_length=200, allow_blank=True)
    language = Text(load_default="English", max_length=64)
    sectors = fields.List(
        Slug(), validate=[validate.Length(min=1, max=30), distinct],
        metadata={"description": "Sector taxonomy; defaults to the seven UN.GIFT sectors",
                  "uniqueItems": True},
    )
    sector_labels = fields.Dict(
        keys=Slug(), values=Text(max_length=100), validate=validate.Length(max=30),
        metadata={"description": "How sectors read, by key ('private_sector': 'Private "
                                 "sector'); the UN.GIFT sectors have labels already"})
    retention_days = fields.Integer(
        strict=True, load_default=90, validate=validate.Range(min=0, max=3650)
    )
    registration_closes_at = LocalDateTime(allow_none=True, metadata={
        "description": "Invitees answer on their own page until then (default: the start)"})
    contact_email = Email(allow_none=True, metadata={
        "description": "Whom invitees write to once their page takes no more changes"})
    report_summary = Text(allow_none=True, allow_blank=True, max_length=20_000,
                          multiline=True, metadata={
        "description": "The rapporteur's summary, opening the report"})
    consent_text = Text(allow_none=True, allow_blank=True, max_length=4_000, multiline=True,
                        metadata={"description": "What people agree to when they register "
                                                 "(empty: the server's text)"})


class EventPatch(EventIn):
    """Body of PATCH /api/events/{event_id}: any subset of the event's fields."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(partial=True, **kwargs)


class EventOut(ma.Schema):
    """An event."""

    id = fields.Integer()
    name = fields.String()
    starts_at = LocalDateTime()
    ends_at = LocalDateTime()
    timezone = fields.String()
    venue = fields.String()
    language = fields.String()
    sectors = fields.List(fields.String())
    sector_labels = fields.Function(
        lambda e: {s: for_event(e).label(s) for s in e.sectors},
        metadata={"type": "object", "additionalProperties": {"type": "string"},
                  "description": "Every sector's label"})
    retention_days = fields.Integer()
    registration_closes_at = LocalDateTime(allow_none=True)
    contact_email = fields.String()
    consent_text = fields.Function(lambda e: consent_of(e.consent_text)[0], metadata={
        "type": "string", "description": "What people agree to when they register"})
    consent_version = fields.Function(lambda e: consent_of(e.consent_text)[1], metadata={
        "type": "string", "description": "Its version, kept with each registration"})
    report_summary = fields.String(allow_none=True)
    report_released_at = fields.DateTime(allow_none=True, metadata={
        "description": "Since when facilitators may download the report (null: not yet)"})
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


# --- themes -----------------------------------------------------------------

class ThemeIn(StrictSchema):
    """Body of POST .../themes."""

    key = Slug(required=True)
    title = Text(required=True, max_length=200)
    description = Text(load_default="", max_length=4000, allow_blank=True, multiline=True)
    position = fields.Integer(strict=True, validate=validate.Range(min=0, max=1000))


class ThemePatch(ThemeIn):
    """Body of PATCH .../themes/{key}."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(partial=True, **kwargs)


class ThemeOut(ma.Schema):
    """A theme."""

    key = fields.String()
    title = fields.String()
    description = fields.String()
    position = fields.Integer()


class ThemeDeleteQuery(StrictSchema):
    """Query of DELETE .../themes/{key}."""

    force = fields.Boolean(
        load_default=False,
        metadata={"description": "Also remove the theme from people's preferences"},
    )


# --- groups -----------------------------------------------------------------

class GroupIn(StrictSchema):
    """Body of POST .../groups."""

    name = Text(required=True, max_length=200)
    theme = Slug(required=True, metadata={"description": "The theme's key"})
    room = Text(load_default="", max_length=200, allow_blank=True)
    capacity = fields.Integer(strict=True, required=True,
                              validate=validate.Range(min=1, max=100_000))
    min_size = fields.Integer(strict=True, load_default=0,
                              validate=validate.Range(min=0, max=100_000))

    @ma.validates_schema
    def _min_within_capacity(self, data: dict[str, Any], **kwargs: Any) -> None:
        if "capacity" in data and "min_size" in data and data["min_size"] > data["capacity"]:
            raise ma.ValidationError("May not exceed the capacity.", "min_size")


class GroupPatch(GroupIn):
    """Body of PATCH .../groups/{group_id}."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(partial=True, **kwargs)


class GroupOut(ma.Schema):
    """A working group."""

    id = fields.Integer()
    name = fields.String()
    theme = fields.Function(lambda g: g.theme.key, metadata={"type": "string"})
    room = fields.String()
    capacity = fields.Integer()
    min_size = fields.Integer()
