"""Participants: registration, search, import, personal data."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from allocator import normalise
from allocator.api.fields import (
    Choice,
    Country,
    Duties,
    Email,
    Language,
    Sector,
    Text,
    ThemeKey,
    Themes,
)
from allocator.api.schemas.common import PageInfo, Paging, StrictSchema
from allocator.models import DUTIES, GENDERS, ROLES, STATUSES

# --- participants -------------------------------------------------------------

REQUIRED = "Missing data for required field."
# What a registration needs beyond a name and an e-mail (an invitee gives it on their page).
REGISTRATION_NEEDS = ("organization", "sector", "consent")


class ParticipantIn(StrictSchema):
    """Body of POST .../participants: one registration at the desk, or an invitee (status
    ``invited``: only a name and an e-mail; the rest comes from them on their page)."""

    full_name = Text(required=True, max_length=200)
    email = Email(required=True)
    status = fields.String(
        load_default="registered", validate=validate.OneOf(
            ["registered", "invited"], error="Must be 'registered' or 'invited'."),
        metadata={"description": "invited: someone to send an invitation to"})
    organization = Text(max_length=200)
    sector = Sector()
    country = Country(load_default=None, allow_none=True)
    gender = Choice(normalise.gender, GENDERS, load_default=None, allow_none=True)
    role = Choice(normalise.role, ROLES, load_default="participant")
    duties = Duties(load_default=list, validate=validate.Length(max=len(DUTIES)))
    badge_shows_organization = fields.Boolean(load_default=False, metadata={
        "description": "The person agreed to show their organisation on their badge "
                       "(some must not: off unless they say so)"})
    preferences = Themes(load_default=list, validate=validate.Length(max=50))
    vetoes = Themes(load_default=list, validate=validate.Length(max=50), metadata={
        "description": "Themes (keys or titles) the person cannot take part in: the "
                       "allocation never places them there (\"not this theme\"); none "
                       "may also be a preference"})
    language = Language()
    consent = fields.Boolean(
        validate=validate.Equal(True, error="Consent to processing is required."),
        metadata={"description": "The person agreed to the processing of their data "
                                 "(required unless invited)", "enum": [True]},
    )

    @ma.validates_schema(skip_on_field_errors=False, pass_original=True)
    def _registration_needs(self, data: dict[str, Any], original: Any, **kwargs: Any
                            ) -> None:
        if self.partial or data.get("status", "registered") == "invited":
            return
        given = original if isinstance(original, dict) else {}
        missing = {name: [REQUIRED] for name in REGISTRATION_NEEDS if name not in given}
        if missing:
            raise ma.ValidationError(missing)


class ParticipantPatch(ParticipantIn):
    """Body of PATCH .../participants/{id}: any subset of the registration's fields."""

    class Meta:
        exclude = ("status",)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(partial=True, **kwargs)


class PublishedGroup(ma.Schema):
    """The group the published allocation gives a person (what the desk tells them)."""

    id = fields.Integer()
    name = fields.String()
    room = fields.String()
    theme = fields.String()


class ParticipantOut(ma.Schema):
    """A participant as the desk and organisers see them."""

    id = fields.Integer()
    full_name = fields.String()
    email = fields.String()
    organization = fields.String()
    sector = fields.String(allow_none=True)
    country = fields.String(allow_none=True)
    gender = fields.String(allow_none=True)
    role = fields.String()
    duties = fields.List(fields.String(), metadata={
        "description": "Programme duties: moderator, chair, rapporteur, speaker"})
    status = fields.String()
    preferences = fields.List(fields.String(), attribute="preference_keys")
    vetoes = fields.List(fields.String(), metadata={
        "description": "Themes they cannot take part in"})
    consent = fields.Boolean()
    consent_at = fields.DateTime(allow_none=True)
    consent_version = fields.String()
    checked_in_at = fields.DateTime(allow_none=True)
    badge_shows_organization = fields.Boolean()
    language = fields.String(allow_none=True, metadata={
        "description": "The language they read (en, fr, es, ru, ar, zh); null: not chosen "
                       "(their e-mail is in the event's language, their page follows their "
                       "browser)"})
    withdrawn_at = fields.DateTime(allow_none=True)
    group = fields.Nested(PublishedGroup, allow_none=True, attribute="published_group",
                          metadata={"description": "Group in the published allocation"})
    waiting_position = fields.Integer(allow_none=True, metadata={
        "description": "Their place on the published allocation's waiting list (1: "
                       "offered the next seat that frees); null: not waiting. Given by "
                       "the participant's own record and the late-arrivals list, which "
                       "lists those waiting first, in order"})
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class ParticipantQuery(Paging):
    """Filters and paging of GET .../participants."""

    q = Text(max_length=200, allow_blank=True,
             metadata={"description": "Text in name, organisation or e-mail"})
    sector = Sector()
    status = fields.String(validate=validate.OneOf(STATUSES))
    role = Choice(normalise.role, ROLES)
    theme = ThemeKey(metadata={"description": "People who ranked this theme (key or title)"})
    sort = fields.String(load_default="name",
                         validate=validate.OneOf(["name", "-name", "created", "-created"]))


class ParticipantPage(PageInfo):
    """One page of participants with the total count."""

    items = fields.List(fields.Nested(ParticipantOut))


class ImportQuery(StrictSchema):
    """Query of POST .../participants/import."""

    dry_run = fields.Boolean(load_default=False,
                             metadata={"description": "Validate only; write nothing"})
    on_existing = fields.String(
        load_default="error", validate=validate.OneOf(["error", "skip", "update"]),
        metadata={"description": "A row whose e-mail is registered already: refuse the file "
                                 "(error), leave the registration (skip), or bring it up to "
                                 "date with the file's columns (update)"})


class ImportResult(ma.Schema):
    """What an import did (or, with dry_run, would do)."""

    dry_run = fields.Boolean()
    rows = fields.Integer()
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    skipped = fields.Integer()
    participant_ids = fields.List(fields.Integer(), metadata={
        "description": "Ids of the people created"})
    report = fields.List(fields.Dict(), metadata={
        "description": "Per row: row number, status (created, updated, unchanged, skipped), "
                       "participant_id, and for updates the columns that changed"})


class PersonalDataOut(ma.Schema):
    """Everything held on one person."""

    generated_at = fields.String()
    event = fields.Dict()
    participant = fields.Dict()
    rules = fields.List(fields.Dict())
    allocations = fields.List(fields.Dict())
    messages = fields.List(fields.Dict(), metadata={"description": "E-mail to them (no bodies)"})
    audit = fields.List(fields.Dict())
