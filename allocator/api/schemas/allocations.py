"""Rules, allocation runs, reports and moves."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from allocator.api.fields import (
    StrictBoolean,
    Text,
)
from allocator.api.schemas.common import ID_RANGE, StrictSchema, distinct

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
        validate=[validate.Length(min=1, max=2), distinct, _include_checked_in],
        metadata={"description": "Statuses allocated: both (default), or only checked_in "
                                 "so the morning's no-shows stay out", "uniqueItems": True},
    )
    stable = StrictBoolean(load_default=False, metadata={
        "description": "Keep people where the published allocation put them"})
    time_limit_s = fields.Float(load_default=30.0, validate=validate.Range(
        min=0, min_inclusive=False, error="The time limit is a positive number of seconds, "
                                          "such as 30."), metadata={
            "description": "When the answer is due, in seconds. There is always an answer "
                           "by then; 30 s proves the preference stages of 10,000 people on "
                           "2 cores (docs/benchmarks.md), smaller events finish far sooner. "
                           "A limit shorter than 0.1 s + 150 µs per person, rounded up to "
                           "the next 0.1 s (0.2 s for 80 people, 1.6 s for 10,000), is "
                           "refused with 422: the first complete answer needs that long; "
                           "so is one above the server's SOLVER_MAX_TIME_LIMIT_S "
                           "(120 by default)"})
    seed = fields.Integer(strict=True, load_default=0, validate=validate.Range(min=0,
                                                                            max=2**31 - 1))
    mix_s = fields.Float(load_default=0.0, validate=validate.Range(
        min=0, max=3600, error="The work for the mix is a number of seconds from 0, such as "
                               "1."), metadata={
            "description": "Spend up to this much work (about seconds of one core) improving "
                           "the mix of organisations, genders and countries with the exact "
                           "model, where it is small enough (about 250 people); at most a "
                           "twentieth of the time limit is used. 0 (default): the quick "
                           "spread, which never costs more than the preference stages"})
    overflow = fields.String(load_default="refuse", validate=validate.OneOf(
        ["refuse", "waitlist"], error="If seats run short: refuse (the default) or "
                                      "waitlist."), metadata={
            "description": "When there are more people than seats: `refuse` (default) "
                           "answers 422 /problems/seats-short saying how many seats are "
                           "missing; `waitlist` places as many as the rooms hold and keeps "
                           "the rest on a waiting list in order (facilitators and people "
                           "with programme duties first, then those checked in, then "
                           "registration order), each with the reason (`waiting_list`)"})
    without = fields.List(fields.Integer(strict=True), load_default=list, validate=[
        validate.Length(max=10_000), distinct], metadata={
        "description": "Participant ids to go ahead without: people whom the roles "
                       "(facilitators) or rules (pins, pairs kept together) need but "
                       "`include` leaves out. Without them named here such a run is refused "
                       "with 422 /problems/needed-people-left-out, which lists them "
                       "(`left_out`) and the ids to send (`without`); the run keeps the "
                       "list as a warning (`left_out`)", "uniqueItems": True})


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
    overflow = fields.String(metadata={
        "description": "refuse, or waitlist: as many placed as the rooms hold"})


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
    left_out = fields.List(fields.Dict(), allow_none=True, metadata={
        "description": "People the roles or rules needed whom the organisers chose to go "
                       "ahead without: [{participant_id, needed_for, group_id?, other_id?}]"})
    waiting_list = fields.List(fields.Dict(), metadata={
        "description": "Who waits for a seat, first offered first: [{position, "
                       "participant_id, full_name, organization, sector, status, reasons: "
                       "[{rule, message, ...}]}] (people placed since, withdrawn or erased "
                       "are no longer on it; positions count those still waiting)"})


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
    left_out = fields.List(fields.Dict(), metadata={
        "description": "Warnings: people the roles or rules needed, left out of this run by "
                       "the organisers' choice, each with a sentence (message)"})
    waiting_list = fields.List(fields.Dict(), metadata={
        "description": "Who waits for a seat, in order (as on the run)"})
    programme_people = fields.List(fields.Dict(), metadata={
        "description": "Who leads the programme (moderator, chair, rapporteur, speakers "
                       "who facilitate no group): placed in no working group"})


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
