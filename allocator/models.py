"""SQLAlchemy 2 typed models. Invariants that matter are database constraints."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from allocator.extensions import db

DEFAULT_SECTORS = [
    "government",
    "parliament",
    "private_sector",
    "civil_society",
    "media",
    "academia",
    "international_organization",
]
GENDERS = ("female", "male", "non_binary", "undisclosed")
ROLES = ("participant", "facilitator")
STATUSES = ("registered", "checked_in", "withdrawn")
TOKEN_ROLES = ("organizer", "desk", "viewer")


def utcnow() -> dt.datetime:
    """Return the current time, timezone-aware, in UTC."""
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator):
    """Store instants in UTC and always give back timezone-aware values.

    PostgreSQL keeps ``timestamptz``; SQLite keeps the UTC wall time. Either way
    the application only ever sees aware datetimes.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def _in(column: str, values: tuple[str, ...]) -> str:
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({quoted})"


class TimestampMixin:
    """Created and updated times, maintained by the ORM."""

    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow
    )


class Event(TimestampMixin, db.Model):
    """A workshop: when and where it runs, and the sectors its people come from."""

    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint(
            "retention_days >= 0 AND retention_days <= 3650", name="retention_range"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    venue: Mapped[str] = mapped_column(String(200), default="")
    language: Mapped[str] = mapped_column(String(64), default="English")
    sectors: Mapped[list[str]] = mapped_column(JSON, default=lambda: list(DEFAULT_SECTORS))
    retention_days: Mapped[int] = mapped_column(Integer, default=90)
    purged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)

    themes: Mapped[list[Theme]] = relationship(
        back_populates="event",
        order_by="(Theme.position, Theme.id)",
        cascade="all, delete-orphan",
    )
    groups: Mapped[list[WorkingGroup]] = relationship(
        back_populates="event",
        order_by="WorkingGroup.id",
        cascade="all, delete-orphan",
    )


class Theme(db.Model):
    """One of an event's discussion themes; people rank them."""

    __tablename__ = "themes"
    __table_args__ = (UniqueConstraint("event_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)

    event: Mapped[Event] = relationship(back_populates="themes")


class WorkingGroup(db.Model):
    """A working group on one theme, in one room, with a capacity."""

    __tablename__ = "working_groups"
    __table_args__ = (
        UniqueConstraint("event_id", "name"),
        CheckConstraint("capacity >= 1", name="capacity_positive"),
        CheckConstraint("min_size >= 0 AND min_size <= capacity", name="min_size_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), index=True
    )
    theme_id: Mapped[int] = mapped_column(
        ForeignKey("themes.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    room: Mapped[str] = mapped_column(String(200), default="")
    capacity: Mapped[int] = mapped_column(Integer)
    min_size: Mapped[int] = mapped_column(Integer, default=0)

    event: Mapped[Event] = relationship(back_populates="groups")
    theme: Mapped[Theme] = relationship(lazy="joined")


class Participant(TimestampMixin, db.Model):
    """A registered person. Withdrawn records stay for the audit trail."""

    __tablename__ = "participants"
    __table_args__ = (
        CheckConstraint("email = lower(email)", name="email_lower"),
        CheckConstraint(_in("status", STATUSES), name="status_valid"),
        CheckConstraint(_in("role", ROLES), name="role_valid"),
        CheckConstraint(
            "gender IS NULL OR " + _in("gender", GENDERS), name="gender_valid"
        ),
        CheckConstraint("consent", name="consent_given"),
        # One active registration per e-mail and event. Withdrawn ones are
        # ignored so that a person can register again; this index, not the
        # code, is what decides the race between two desks.
        Index(
            "uq_participants_event_email_active",
            "event_id",
            "email",
            unique=True,
            sqlite_where=text("status <> 'withdrawn'"),
            postgresql_where=text("status <> 'withdrawn'"),
        ),
        # Also serves every look-up by event alone (a second index on event_id would
        # only cost each registration a write).
        Index("ix_participants_event_status", "event_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    full_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    organization: Mapped[str] = mapped_column(String(200))
    sector: Mapped[str] = mapped_column(String(64))
    country: Mapped[str | None] = mapped_column(String(2), nullable=True)
    gender: Mapped[str | None] = mapped_column(String(16), nullable=True)
    role: Mapped[str] = mapped_column(String(16), default="participant")
    status: Mapped[str] = mapped_column(String(16), default="registered")
    consent: Mapped[bool] = mapped_column(default=True)
    consent_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    consent_version: Mapped[str] = mapped_column(String(32), default="")
    checked_in_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    erased_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Case- and accent-folded name, organisation and e-mail: "nguyen" finds "Nguyễn".
    search_key: Mapped[str] = mapped_column(Text, default="")

    # Set by the service from the published allocation; not a column.
    published_group = None

    preferences: Mapped[list[Preference]] = relationship(
        order_by="Preference.rank",
        cascade="all, delete-orphan",
        lazy="selectin",
    )

    @property
    def preference_keys(self) -> list[str]:
        """Theme keys in the person's order of preference."""
        return [p.theme.key for p in self.preferences]


class Preference(db.Model):
    """One ranked theme preference of a participant (rank 1 = first choice)."""

    __tablename__ = "preferences"
    __table_args__ = (
        UniqueConstraint("participant_id", "rank"),
        CheckConstraint("rank >= 1", name="rank_positive"),
    )

    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True
    )
    theme_id: Mapped[int] = mapped_column(
        ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    rank: Mapped[int] = mapped_column(Integer)

    theme: Mapped[Theme] = relationship(lazy="joined")


class ApiToken(db.Model):
    """A bearer token. Only a hash of its secret part is stored."""

    __tablename__ = "api_tokens"
    __table_args__ = (
        CheckConstraint(_in("role", TOKEN_ROLES), name="role_valid"),
        Index(
            "uq_api_tokens_name_active",
            "name",
            unique=True,
            sqlite_where=text("revoked_at IS NULL"),
            postgresql_where=text("revoked_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(16))
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), nullable=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)


class IdempotencyRecord(db.Model):
    """The stored answer to a POST sent with an ``Idempotency-Key``."""

    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("token_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_id: Mapped[int] = mapped_column(
        ForeignKey("api_tokens.id", ondelete="CASCADE")
    )
    # The stored body can hold personal data: erasure and retention delete by event.
    event_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    key: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), default="in_progress")
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    body: Mapped[str | None] = mapped_column(Text, nullable=True)
    headers: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow
    )


RULE_KINDS = ("pin", "apart", "together")
RUN_STATES = ("queued", "running", "succeeded", "failed")


class Rule(db.Model):
    """An organiser's rule: a pin to a group, or a pair kept apart or together."""

    __tablename__ = "allocation_rules"
    __table_args__ = (
        CheckConstraint(_in("kind", RULE_KINDS), name="kind_valid"),
        CheckConstraint(
            "(kind = 'pin' AND group_id IS NOT NULL AND other_id IS NULL) OR "
            "(kind <> 'pin' AND other_id IS NOT NULL AND group_id IS NULL "
            "AND participant_id < other_id)",
            name="shape",
        ),
        Index("uq_allocation_rules_pin", "participant_id", unique=True,
              sqlite_where=text("kind = 'pin'"), postgresql_where=text("kind = 'pin'")),
        UniqueConstraint("participant_id", "other_id", "kind"),
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
        CheckConstraint(_in("status", RUN_STATES), name="status_valid"),
        # One run in progress per event: the database, not a process, decides.
        Index("uq_allocation_runs_event_active", "event_id", unique=True,
              sqlite_where=text("status IN ('queued', 'running')"),
              postgresql_where=text("status IN ('queued', 'running')")),
        # At most one published allocation per event.
        Index("uq_allocation_runs_event_published", "event_id", unique=True,
              sqlite_where=text("published"), postgresql_where=text("published")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), default="running")
    include: Mapped[list[str]] = mapped_column(JSON)
    stable: Mapped[bool] = mapped_column(default=False)
    time_limit_s: Mapped[float] = mapped_column(default=10.0)
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


class AuditEntry(db.Model):
    """Who did what, when: ids only, never names or e-mails. Rows are never changed."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Read by event, newest id first; "at" is shown, not searched, so it has no index.
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    event_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    actor_token_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    actor: Mapped[str] = mapped_column(String(100), default="")
    action: Mapped[str] = mapped_column(String(64))
    subject_type: Mapped[str] = mapped_column(String(32), default="")
    subject_id: Mapped[str] = mapped_column(String(64), default="")
    details: Mapped[dict | None] = mapped_column(JSON, nullable=True)


class AuthThrottle(db.Model):
    """Failed sign-ins per client in the current window (the client address is hashed)."""

    __tablename__ = "auth_throttle"

    client: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_start: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    failures: Mapped[int] = mapped_column(Integer, default=0)
