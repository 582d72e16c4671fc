"""The event's team: members given access from the pages, and API tokens."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from allocator.api.fields import Email, Text
from allocator.api.schemas.common import ID_RANGE, StrictSchema
from allocator.models import TOKEN_ROLES

ROLE_HELP = ("organizer (everything), desk (registration and check-in), viewer (published "
             "group lists), facilitator (a group's list and recommendations)")


class MemberIn(StrictSchema):
    """Body of POST .../team: someone to give access to, with a sign-in link by e-mail."""

    name = Text(required=True, max_length=200)
    email = Email(required=True)
    role = fields.String(required=True, validate=validate.OneOf(
        TOKEN_ROLES, error="Choose one of: organizer, desk, viewer, facilitator."),
        metadata={"description": ROLE_HELP})
    group_id = fields.Integer(strict=True, validate=ID_RANGE, allow_none=True, metadata={
        "description": "A facilitator's working group (none: every group of the event)"})


class MemberOut(ma.Schema):
    """A member of the team (never their link or token)."""

    id = fields.Integer(required=True)
    name = fields.String(required=True)
    email = fields.String(required=True)
    role = fields.String(required=True)
    group_id = fields.Integer(allow_none=True)
    participant_id = fields.Integer(allow_none=True, metadata={
        "description": "The registered facilitator this member is, if any"})
    link_sent_at = fields.DateTime(allow_none=True)
    link_expires_at = fields.DateTime(allow_none=True, metadata={
        "description": "When the last sign-in link sent ends"})
    created_at = fields.DateTime(required=True)
    removed_at = fields.DateTime(allow_none=True)


class TokenIn(StrictSchema):
    """Body of POST .../tokens: an API token for this event, shown once."""

    name = Text(required=True, max_length=100, metadata={
        "description": "Who holds it (unique among active tokens), e.g. 'desk laptop 2'"})
    role = fields.String(required=True, validate=validate.OneOf(
        TOKEN_ROLES, error="Choose one of: organizer, desk, viewer, facilitator."),
        metadata={"description": ROLE_HELP})
    group_id = fields.Integer(strict=True, validate=ID_RANGE, allow_none=True)


class TokenOut(ma.Schema):
    """An API token of the event (never its secret)."""

    id = fields.Integer(required=True)
    public_id = fields.String(required=True)
    name = fields.String(required=True)
    role = fields.String(required=True)
    group_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime(required=True)
    last_used_at = fields.DateTime(allow_none=True)
    revoked_at = fields.DateTime(allow_none=True)


class TokenMade(ma.Schema):
    """A new token: its full text, shown this once and never again."""

    token = fields.String(required=True)


class TeamOut(ma.Schema):
    """The event's team and its API tokens."""

    members = fields.List(fields.Nested(MemberOut), required=True)
    tokens = fields.List(fields.Nested(TokenOut), required=True)
