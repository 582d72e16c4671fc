"""Allocation: organisers' rules, the solver's runs, and where each run put people."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from allocator.extensions import db
from allocator.models.base import NEVER_REUSE_IDS, UTCDateTime, one_of, utcnow

RULE_KINDS = ("pin", "apart", "together")
RUN_STATES = ("queued", "running", "succeeded", "failed")


class Rule(db.Model):
    """An organiser's rule: a pin to a group, or a pair kept apart or together."""

    __tablename__ = "allocation_rules"
    __table_args__ = (
        CheckConstraint(one_of("kind", RULE_KINDS), name="kind_valid"),
        CheckConstraint(
            "(kind = 'pin' AND group_id IS NOT NULL AND other_id IS NULL) OR "
            "(kind <> 'pin' AND other_id IS NOT NULL AND group_id IS NULL "
            "AND participant_id < other_id)",
            name="shape",
        ),
        Index("uq_allocation_rules_pin", "participant_id", unique=True,
              sqlite_where=text("kind = 'pin'"), postgresql_where=text("kind = 'pin'")),
        UniqueConstraint("participant_id", "other_id", "kind"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    other_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), nullable=True, index=True
    )
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("working_groups.id", ondelete="RESTRICT"), nullable=True, index=True
    )
    note: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100), default="")


class AllocationRun(db.Model):
    """One run of the solver for an event: its inputs, proof, figures and answer."""

    __tablename__ = "allocation_runs"
    __table_args__ = (
        CheckConstraint(one_of("status", RUN_STATES), name="status_valid"),
        # One run in progress per event: the database, not a process, decides.
        Index("uq_allocation_runs_event_active", "event_id", unique=True,
              sqlite_where=text("status IN ('queued', 'running')"),
              postgresql_where=text("status IN ('queued', 'running')")),
        # At most one published allocation per event.
        Index("uq_allocation_runs_event_published", "event_id", unique=True,
              sqlite_where=text("published"), postgresql_where=text("published")),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), default="running")
    include: Mapped[list[str]] = mapped_column(JSON)
    stable: Mapped[bool] = mapped_column(default=False)
    time_limit_s: Mapped[float] = mapped_column(default=30.0)
    seed: Mapped[int] = mapped_column(Integer, default=0)
    people: Mapped[int] = mapped_column(Integer, default=0)
    inputs_hash: Mapped[str] = mapped_column(String(64), default="")
    problem: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    solver_version: Mapped[str] = mapped_column(String(32), default="")
    ortools_version: Mapped[str] = mapped_column(String(32), default="")
    solver_status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    objective: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    best_bound: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    stages: Mapped[list | None] = mapped_column(JSON, nullable=True)
    metrics: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    reasons: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    moves: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    conflicts: Mapped[list | None] = mapped_column(JSON, nullable=True)
    ignored_rules: Mapped[list | None] = mapped_column(JSON, nullable=True)
    # People the rules or roles needed whom the organisers chose to leave out (not
    # included): [{participant_id, needed_for: facilitator|pin|together, group_id?, other_id?}]
    left_out: Mapped[list | None] = mapped_column(JSON, nullable=True)
    # Organisers' hand moves a stable re-run kept as decisions: [{participant_id, group_id}]
    kept_moves: Mapped[list | None] = mapped_column(JSON, nullable=True)
    # "refuse": more people than seats fails the run; "waitlist": place as many as the
    # rooms hold and keep the rest waiting, in order: [{participant_id, position, reasons}]
    overflow: Mapped[str] = mapped_column(String(16), default="refuse",
                                          server_default="refuse")
    unplaced: Mapped[list | None] = mapped_column(JSON, nullable=True)
    # False when the wall clock, not a work budget, ended a stage (the detail says which)
    reproducible: Mapped[bool] = mapped_column(default=True)
    reproducible_detail: Mapped[str] = mapped_column(Text, default="")

    # Set by the service: the conflicts worded with people's names; not a column.
    worded_conflicts = None
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    wall_s: Mapped[float | None] = mapped_column(nullable=True)
    triggered_by: Mapped[str] = mapped_column(String(100), default="")
    # host:pid of the process solving it, so a run whose process died is noticed.
    runner: Mapped[str | None] = mapped_column(String(100), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    deadline_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    published: Mapped[bool] = mapped_column(default=False)
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    published_by: Mapped[str | None] = mapped_column(String(100), nullable=True)


class Assignment(db.Model):
    """Where a run put a participant; manual moves are remembered."""

    __tablename__ = "assignments"

    run_id: Mapped[int] = mapped_column(
        ForeignKey("allocation_runs.id", ondelete="CASCADE"), primary_key=True
    )
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    group_id: Mapped[int] = mapped_column(
        ForeignKey("working_groups.id", ondelete="RESTRICT"), index=True
    )
    solver_group_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    moved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    moved_by: Mapped[str | None] = mapped_column(String(100), nullable=True)


