"""The programme: items in the event's time."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from allocator.api.fields import LocalDateTime, Text, ThemeKey
from allocator.api.schemas.common import ID_RANGE, StrictSchema, distinct
from allocator.models import PROGRAMME_KINDS

KINDS = ", ".join(PROGRAMME_KINDS)


class ProgrammeItemIn(StrictSchema):
    """Body of POST .../programme (PATCH: any subset)."""

    starts_at = LocalDateTime(required=True, metadata={
        "description": "ISO 8601; without an offset, wall time in the event's time zone"})
    ends_at = LocalDateTime(required=True)
    title = Text(required=True, max_length=300)
    kind = fields.String(required=True, validate=validate.OneOf(
        PROGRAMME_KINDS, error=f"Choose one of: {KINDS}."), metadata={"description": KINDS})
    room = Text(max_length=200, allow_blank=True, load_default="")
    theme = ThemeKey(allow_none=True, metadata={
        "description": "The theme it is about (key or title), if any"})
    speaker_ids = fields.List(fields.Integer(strict=True, validate=ID_RANGE),
                              validate=[validate.Length(max=50), distinct],
                              load_default=list, metadata={
                                  "description": "Participants with a programme duty"})
    notes = Text(max_length=2000, allow_blank=True, load_default="")


class ProgrammeItemPatch(ProgrammeItemIn):
    """Body of PATCH .../programme/{id}: any of the item's fields."""

    def __init__(self, **kwargs):  # noqa: ANN003, ANN204
        super().__init__(partial=True, **kwargs)


class Speaker(ma.Schema):
    """A speaker as the programme names them (a public role)."""

    id = fields.Integer(required=True)
    full_name = fields.String(required=True)
    organization = fields.String(required=True)


class ProgrammeItemOut(ma.Schema):
    """One item of the programme, its times in the event's time zone."""

    id = fields.Integer(required=True)
    starts_at = LocalDateTime(required=True)
    ends_at = LocalDateTime(required=True)
    title = fields.String(required=True)
    kind = fields.String(required=True)
    room = fields.String(required=True)
    theme = fields.Function(lambda item: item.theme.key if item.theme else None,
                            metadata={"type": "string", "nullable": True})
    theme_title = fields.Function(lambda item: item.theme.title if item.theme else None,
                                  metadata={"type": "string", "nullable": True})
    speaker_ids = fields.List(fields.Integer(), required=True)
    speakers = fields.List(fields.Nested(Speaker), required=True)
    notes = fields.String(required=True)
