"""Invitations, the invitee's answer, the outbox and notifications."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from allocator.api.fields import Country, Language, Sector, StrictBoolean, Text, Themes
from allocator.api.schemas.common import ID_RANGE, StrictSchema, distinct
from allocator.models import MESSAGE_KINDS, MESSAGE_STATES

REQUIRED = "Missing data for required field."


class InvitationsIn(StrictSchema):
    """Body of POST .../invitations: everyone not invited yet ({}), or these people."""

    participant_ids = fields.List(
        fields.Integer(strict=True, validate=ID_RANGE),
        validate=[validate.Length(min=1, max=10_000), distinct],
        metadata={"description": "Only these people (default: every invitee not sent an "
                                 "invitation yet)"})
    resend = StrictBoolean(load_default=False, metadata={
        "description": "Send again to people invited before (with a new link)"})


class InvitationsOut(ma.Schema):
    """What was queued."""

    queued = fields.Integer()
    participant_ids = fields.List(fields.Integer())


class MessageOut(ma.Schema):
    """One outbox message, without its bodies or address."""

    id = fields.Integer()
    participant_id = fields.Integer()
    kind = fields.String(metadata={"enum": list(MESSAGE_KINDS)})
    subject = fields.String()
    status = fields.String(metadata={"enum": list(MESSAGE_STATES)})
    attempts = fields.Integer()
    last_error = fields.String(allow_none=True)
    next_attempt_at = fields.DateTime()
    created_at = fields.DateTime()
    sent_at = fields.DateTime(allow_none=True)


class MessageQuery(StrictSchema):
    """Filters of GET .../messages."""

    status = fields.String(validate=validate.OneOf(MESSAGE_STATES))
    kind = fields.String(validate=validate.OneOf(MESSAGE_KINDS))
    participant_id = fields.Integer(validate=ID_RANGE)


class StandingOut(ma.Schema):
    """Where one person's invitation stands."""

    participant_id = fields.Integer()
    full_name = fields.String()
    status = fields.String()
    invited_at = fields.DateTime(allow_none=True)
    sent_at = fields.DateTime(allow_none=True)
    opened_at = fields.DateTime(allow_none=True)
    answered_at = fields.DateTime(allow_none=True)
    revoked = fields.Boolean(metadata={"description": "Every link of this person was revoked"})
    messages = fields.List(fields.Nested(MessageOut))


class InvitationCounts(ma.Schema):
    """Counters: invited, accepted, declined, no answer yet."""

    invited = fields.Integer()
    accepted = fields.Integer()
    declined = fields.Integer()
    no_answer = fields.Integer()


class StandingsOut(ma.Schema):
    """Where every invitation stands."""

    counts = fields.Nested(InvitationCounts)
    people = fields.List(fields.Nested(StandingOut))


class NotificationIn(StrictSchema):
    """Body of POST .../notifications."""

    kind = fields.String(required=True, validate=validate.OneOf(["groups", "changes"]),
                         metadata={"description": "groups or changes: both tell everyone "
                                   "in the published allocation who has not yet been told "
                                   "their current group — newcomers get the announcement, "
                                   "people whose group changed a change notice; nobody is "
                                   "told the same group twice"})
    again = StrictBoolean(load_default=False,
                           metadata={"description": "true: send everyone their group once "
                                     "more, told before or not"})


class QueuedOut(ma.Schema):
    """How many messages were queued, to whom (ids)."""

    queued = fields.Integer()
    participant_ids = fields.List(fields.Integer())


class AnswerIn(StrictSchema):
    """An invitee's answer on their own page (accepting needs the registration's fields)."""

    answer = fields.String(required=True, validate=validate.OneOf(
        ["accept", "decline"], error="Choose whether you will take part."))
    full_name = Text(max_length=200)
    organization = Text(max_length=200, allow_blank=True)
    sector = Sector()
    country = Country(load_default=None, allow_none=True)
    preferences = Themes(validate=validate.Length(max=50))
    vetoes = Themes(validate=validate.Length(max=50), metadata={
        "description": "Themes they cannot take part in (never placed there)"})
    language = Language(metadata={"description": "The language you read (en, fr, es, ru, "
                                                "ar, zh): your page and e-mail speak it"})
    consent = fields.Boolean()
    badge_shows_organization = fields.Boolean(metadata={
        "description": "Show my organisation on my name badge"})

    @ma.validates_schema(skip_on_field_errors=False, pass_original=True)
    def _accepting_needs(self, data: dict[str, Any], original: Any, **kwargs: Any) -> None:
        if data.get("answer") != "accept":
            return
        given = original if isinstance(original, dict) else {}
        errors = {name: [REQUIRED] for name in ("full_name", "organization", "sector")
                  if name not in given}
        if data.get("consent") is not True and ("consent" in data or "consent" not in given):
            errors["consent"] = ["Consent to processing is required."]
        if errors:
            raise ma.ValidationError(errors)
