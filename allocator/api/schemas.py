"""Request and response schemas: the API's contract and the one source of input rules."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from allocator.api.fields import Country, Email, LocalDateTime, Slug, Text, TimeZone
from allocator.models import GENDERS, ROLES, STATUSES
from allocator.services import MAX_ID

# Ids in bodies and queries: what an integer key can hold (as services.valid_id checks).
ID_RANGE = validate.Range(min=1, max=MAX_ID)


class StrictSchema(ma.Schema):
    """Unknown fields are an error, never silently dropped."""

    class Meta:
        unknown = ma.RAISE


def _distinct(values: list[Any]) -> None:
    if len(set(values)) != len(values):
        raise ma.ValidationError("Each entry may appear only once.")


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
        Slug(), validate=[validate.Length(min=1, max=30), _distinct],
        metadata={"description": "Sector taxonomy; defaults to the seven UN.GIFT sectors",
                  "uniqueItems": True},
    )
    retention_days = fields.Integer(
        strict=True, load_default=90, validate=validate.Range(min=0, max=3650)
    )


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
    retention_days = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


# --- themes -----------------------------------------------------------------

class ThemeIn(StrictSchema):
    """Body of POST .../themes."""

    key = Slug(required=True)
    title = Text(required=True, max_length=200)
    description = Text(load_default="", max_length=4000, allow_blank=True)
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


# --- participants -------------------------------------------------------------

class ParticipantIn(StrictSchema):
    """Body of POST .../participants: one registration at the desk."""

    full_name = Text(required=True, max_length=200)
    email = Email(required=True)
    organization = Text(required=True, max_length=200)
    sector = Slug(required=True)
    country = Country(load_default=None, allow_none=True)
    gender = fields.String(load_default=None, allow_none=True,
                           validate=validate.OneOf(GENDERS))
    role = fields.String(load_default="participant", validate=validate.OneOf(ROLES))
    preferences = fields.List(
        Slug(), load_default=list, validate=[validate.Length(max=50), _distinct],
        metadata={"description": "Theme keys, first choice first", "uniqueItems": True},
    )
    consent = fields.Boolean(
        required=True,
        validate=validate.Equal(True, error="Consent to processing is required."),
        metadata={"description": "The person agreed to the processing of their data",
                  "enum": [True]},
    )


class ParticipantPatch(ParticipantIn):
    """Body of PATCH .../participants/{id}: any subset of the registration's fields."""

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
    sector = fields.String()
    country = fields.String(allow_none=True)
    gender = fields.String(allow_none=True)
    role = fields.String()
    status = fields.String()
    preferences = fields.List(fields.String(), attribute="preference_keys")
    consent = fields.Boolean()
    consent_at = fields.DateTime()
    consent_version = fields.String()
    checked_in_at = fields.DateTime(allow_none=True)
    withdrawn_at = fields.DateTime(allow_none=True)
    group = fields.Nested(PublishedGroup, allow_none=True, attribute="published_group",
                          metadata={"description": "Group in the published allocation"})
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class Paging(StrictSchema):
    """Page number and size of a listing."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class PageInfo(ma.Schema):
    """Where a page sits in the whole listing."""

    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
    pages = fields.Integer()


class ParticipantQuery(Paging):
    """Filters and paging of GET .../participants."""

    q = Text(max_length=200, allow_blank=True,
             metadata={"description": "Text in name, organisation or e-mail"})
    sector = Slug()
    status = fields.String(validate=validate.OneOf(STATUSES))
    role = fields.String(validate=validate.OneOf(ROLES))
    theme = Slug(metadata={"description": "People who ranked this theme key"})
    sort = fields.String(load_default="name",
                         validate=validate.OneOf(["name", "-name", "created", "-created"]))


class ParticipantPage(PageInfo):
    """One page of participants with the total count."""

    items = fields.List(fields.Nested(ParticipantOut))


class ImportQuery(StrictSchema):
    """Query of POST .../participants/import."""

    dry_run = fields.Boolean(load_default=False,
                             metadata={"description": "Validate only; write nothing"})


class ImportResult(ma.Schema):
    """What an import did (or, with dry_run, would do)."""

    dry_run = fields.Boolean()
    rows = fields.Integer()
    created = fields.Integer()
    participant_ids = fields.List(fields.Integer())


# --- rules and allocations -------------------------------------------------------

class RuleIn(StrictSchema):
    """Body of POST .../rules: a pin (participant_id, group_id) or a pair (two people)."""

    kind = fields.String(required=True, validate=validate.OneOf(["pin", "apart", "together"]))
    participant_id = fields.Integer(strict=True, required=True, validate=ID_RANGE)
    other_id = fields.Integer(strict=True, allow_none=True, validate=ID_RANGE)
    group_id = fields.Integer(strict=True, allow_none=True, validate=ID_RANGE)
    note = Text(load_default="", max_length=200, allow_blank=True,
                metadata={"description": "Why, for organisers; shown only to them"})


class RuleOut(ma.Schema):
    """A rule."""

    id = fields.Integer()
    kind = fields.String()
    participant_id = fields.Integer()
    other_id = fields.Integer(allow_none=True)
    group_id = fields.Integer(allow_none=True)
    note = fields.String()
    created_at = fields.DateTime()
    created_by = fields.String()


def _include_checked_in(values: list[str]) -> None:
    if "checked_in" not in values:
        raise ma.ValidationError("Checked-in people are always included.")


class AllocationIn(StrictSchema):
    """Body of POST .../allocations."""

    include = fields.List(
        fields.String(validate=validate.OneOf(["registered", "checked_in"])),
        load_default=lambda: ["registered", "checked_in"],
        validate=[validate.Length(min=1, max=2), _distinct, _include_checked_in],
        metadata={"description": "Statuses allocated: both (default), or only checked_in "
                                 "so the morning's no-shows stay out", "uniqueItems": True},
    )
    stable = fields.Boolean(load_default=False, metadata={
        "description": "Keep people where the published allocation put them"})
    time_limit_s = fields.Float(load_default=30.0, validate=validate.Range(
        min=0.1, max=3600), metadata={
            "description": "When the answer is due, in seconds. There is always an answer "
                           "by then; 30 s proves the preference stages of 10,000 people on "
                           "2 cores (docs/benchmarks.md), smaller events finish far sooner"})
    seed = fields.Integer(strict=True, load_default=0, validate=validate.Range(min=0,
                                                                            max=2**31 - 1))


class RunSummary(ma.Schema):
    """An allocation run, without its figures."""

    id = fields.Integer()
    status = fields.String(metadata={"description": "queued, running, succeeded or failed"})
    solver_status = fields.String(allow_none=True,
                                  metadata={"description": "optimal, feasible or infeasible"})
    include = fields.List(fields.String())
    stable = fields.Boolean()
    time_limit_s = fields.Float()
    seed = fields.Integer()
    people = fields.Integer()
    published = fields.Boolean()
    published_at = fields.DateTime(allow_none=True)
    published_by = fields.String(allow_none=True)
    triggered_by = fields.String()
    runner = fields.String(allow_none=True, metadata={
        "description": "host:pid of the process solving it"})
    created_at = fields.DateTime()
    started_at = fields.DateTime(allow_none=True)
    finished_at = fields.DateTime(allow_none=True)
    wall_s = fields.Float(allow_none=True)
    error = fields.String(allow_none=True)
    reproducible = fields.Boolean(metadata={
        "description": "False when the time limit, not a work budget, ended a stage: the "
                       "same input may then give another answer"})
    reproducible_detail = fields.String(metadata={"description": "Which stages it cut"})


class RunOut(RunSummary):
    """An allocation run with its proof and figures."""

    inputs_hash = fields.String()
    solver_version = fields.String()
    ortools_version = fields.String()
    objective = fields.Dict(allow_none=True)
    best_bound = fields.Dict(allow_none=True)
    stages = fields.List(fields.Dict(), allow_none=True)
    metrics = fields.Dict(allow_none=True)
    conflicts = fields.List(fields.Dict(), allow_none=True, attribute="worded_conflicts",
                            metadata={"description": "Minimal sets of clashing rules, each "
                                      "worded as a chain with names; rules list them"})
    ignored_rules = fields.List(fields.Dict(), allow_none=True)
    kept_moves = fields.List(fields.Dict(), allow_none=True, metadata={
        "description": "Organisers' hand moves this stable run kept as decisions"})


class ReportOut(ma.Schema):
    """The organisers' report on a run."""

    run_id = fields.Integer()
    status = fields.String()
    solver_status = fields.String(allow_none=True)
    published = fields.Boolean()
    edited = fields.Boolean(metadata={"description": "An organiser moved someone by hand"})
    groups = fields.List(fields.Dict())
    ranks = fields.Dict()
    balance_excess = fields.Integer()
    worst_off = fields.List(fields.Dict())
    reasons = fields.List(fields.Dict())
    moves = fields.List(fields.Dict())
    ignored_rules = fields.List(fields.Dict())


class MoveIn(StrictSchema):
    """Body of PATCH .../assignments/{participant_id}."""

    group_id = fields.Integer(strict=True, required=True, validate=ID_RANGE)


class MoveOut(ma.Schema):
    """The result of moving one person."""

    participant_id = fields.Integer()
    from_group_id = fields.Integer()
    group_id = fields.Integer()
    warnings = fields.List(fields.String())
    rank_before = fields.Integer(allow_none=True)
    rank_after = fields.Integer(allow_none=True)


class ExportQuery(StrictSchema):
    """Query of the group-list downloads."""

    columns = fields.String(validate=validate.Regexp(r"^[a-z_, ]{0,300}$"), metadata={
        "pattern": r"^[a-z_, ]{0,300}$",
        "description": "Comma-separated columns (default: group, theme, room, facilitator, "
                       "full_name, organization, sector, country; also email, gender, role, "
                       "status, participant_id)"})
    run = fields.Integer(validate=ID_RANGE, metadata={
        "description": "An unpublished run (organisers only)"})


class PersonalDataOut(ma.Schema):
    """Everything held on one person."""

    generated_at = fields.String()
    event = fields.Dict()
    participant = fields.Dict()
    rules = fields.List(fields.Dict())
    allocations = fields.List(fields.Dict())
    audit = fields.List(fields.Dict())


class AuditQuery(Paging):
    """Filters and paging of GET .../audit."""

    action = fields.String(validate=validate.Regexp(r"^[a-z_.]{1,64}$"),
                           metadata={"description": "e.g. participant.checked_in",
                                     "pattern": r"^[a-z_.]{1,64}$"})


class AuditEntryOut(ma.Schema):
    """One audit entry: ids, never names or e-mails."""

    id = fields.Integer()
    at = fields.DateTime()
    actor = fields.String(metadata={"description": "Token name, or cli"})
    action = fields.String()
    subject_type = fields.String()
    subject_id = fields.String()
    details = fields.Dict(allow_none=True)


class AuditPage(PageInfo):
    """One page of the audit log, newest first."""

    items = fields.List(fields.Nested(AuditEntryOut))
