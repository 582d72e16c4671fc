"""Tickets and check-ins by scan."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from allocator.api.fields import Text
from allocator.api.schemas.common import StrictSchema


class TicketQuery(StrictSchema):
    """Query of GET …/ticket.png."""

    scale = fields.Integer(load_default=8, validate=validate.Range(min=2, max=20),
                           metadata={"description": "Pixels per QR module"})


class BadgesQuery(StrictSchema):
    """Query of GET …/badges.pdf."""

    layout = fields.String(load_default="a4", validate=validate.OneOf(["a4", "label"]),
                           metadata={"description": "a4: sheets of 8 (105 × 74 mm); label: "
                                                    "one badge per 90 × 54 mm page"})
    group = fields.Integer(strict=False, validate=validate.Range(min=1, max=2**31 - 1),
                           metadata={"description": "Only this working group's members"})


class TicketOut(ma.Schema):
    """A participant's ticket after it was replaced (the code itself is never sent)."""

    participant_id = fields.Integer(attribute="id")
    replaced_at = fields.DateTime(attribute="updated_at")


class CheckInIn(StrictSchema):
    """Body of POST …/check-ins: what the scanner read."""

    code = Text(required=True, max_length=200, metadata={
        "description": "The QR code's text (ALC1:<event>:<code>) or the code typed by hand"})


class GroupSaid(ma.Schema):
    """Where the person goes."""

    id = fields.Integer()
    name = fields.String()
    room = fields.String()
    theme = fields.Function(lambda g: g.theme.title)


class CheckInOut(ma.Schema):
    """What the desk says aloud after a scan."""

    participant_id = fields.Integer(attribute="person.id")
    full_name = fields.String(attribute="person.full_name")
    status = fields.String(attribute="person.status")
    checked_in_at = fields.DateTime(attribute="person.checked_in_at")
    already_checked_in_at = fields.DateTime(allow_none=True, metadata={
        "description": "Set when this scan found them checked in already (since then)"})
    group = fields.Nested(GroupSaid, allow_none=True, metadata={
        "description": "Their group in the published allocation (null: none yet)"})
    facilitators = fields.List(fields.String(), metadata={
        "description": "Who facilitates their group"})
    where = fields.String(metadata={
        "description": "Where to send them, in words: their group and room, 'Chair: in no "
                       "working group', or that they are not in the published allocation "
                       "yet (ask the organisers), or that nothing is published yet"})
