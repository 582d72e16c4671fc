"""The workshop: events, their themes and working groups, and the people registered."""

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
from sqlalchemy.orm import Mapped, mapped_column, relationship

from allocator.extensions import db
from allocator.models.base import (
    ACTIVE,
    DEFAULT_SECTORS,
    GENDERS,
    NEVER_REUSE_IDS,
    ROLES,
    STATUSES,
    TimestampMixin,
    UTCDateTime,
    one_of,
)

TAKES_PART = one_of("status", ACTIVE)
ERASED_NAME = "Erased participant"
ERASED_ORGANISATION = "erased"
ERASED_EMAIL_DOMAIN = "erased.invalid"
ERASED_IS_ANONYMOUS = (
    f"erased_at IS NULL OR (full_name = '{ERASED_NAME}' "
    f"AND organization = '{ERASED_ORGANISATION}' AND country IS NULL AND gender IS NULL "
    f"AND search_key = '' AND email LIKE 'erased-%@{ERASED_EMAIL_DOMAIN}' "
    f"AND status = 'withdrawn' AND checked_in_at IS NULL)"
)


class Event(TimestampMixin, db.Model):
    """A workshop: when and where it runs, and the sectors its people come from."""

    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint(
            "retention_days >= 0 AND retention_days <= 3650", name="retention_range"
        ),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    venue: Mapped[str] = mapped_column(String(200), default="")
    language: Mapped[str] = mapped_column(String(64), default="English")
    sectors: Mapped[list[str]] = mapped_column(JSON, default=lambda: list(DEFAULT_SECTORS))
    # How sectors read ("Private sector"); a sector without one reads as its key made
    # readable, and the seven UN.GIFT sectors have defaults (allocator.normalise).
    sector_labels: Mapped[dict | None] = mapped_column(JSON, nullable=True, default=dict)
    retention_days: Mapped[int] = mapped_column(Integer, default=90)
    # Invitees answer on their own page until then (None: until the event starts).
    registration_closes_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime,
                                                                       nullable=True)
    # Whom invitees write to when their page no longer takes changes.
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    # What people agree to when they register (None: the server's CONSENT_TEXT).
    consent_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    # The rapporteur's summary for the report (no personal data).
    report_summary: Mapped[str | None] = mapped_column(Text, nullable=True)
    # When the organisers let facilitators download the report (None: organisers only).
    report_released_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
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
    __table_args__ = (UniqueConstraint("event_id", "key"), NEVER_REUSE_IDS)

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
        NEVER_REUSE_IDS,
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
    # Once set, the group's facilitators no longer change its recommendations.
    recommendations_locked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime,
                                                                          nullable=True)

    event: Mapped[Event] = relationship(back_populates="groups")
    theme: Mapped[Theme] = relationship(lazy="joined")


class Participant(TimestampMixin, db.Model):
    """A person invited to or registered for an event. Withdrawn and declined records
    stay for the audit trail; only registered and checked-in people take part."""

    __tablename__ = "participants"
    __table_args__ = (
        CheckConstraint("email = lower(email)", name="email_lower"),
        CheckConstraint(one_of("status", STATUSES), name="status_valid"),
        CheckConstraint(one_of("role", ROLES), name="role_valid"),
        CheckConstraint(
            "gender IS NULL OR " + one_of("gender", GENDERS), name="gender_valid"
        ),
        # Whoever takes part consented and has a sector; an invitee gives both on their
        # page, or at the desk.
        CheckConstraint(f"consent OR NOT ({TAKES_PART})", name="consent_given"),
        CheckConstraint(f"sector IS NOT NULL OR NOT ({TAKES_PART})", name="sector_given"),
        # An erased person holds no personal data, whatever writes to the row later.
        CheckConstraint(ERASED_IS_ANONYMOUS, name="erased_is_anonymous"),
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
        # A scanned ticket is found by its code's hash, and no two tickets share one.
        Index("ix_participants_ticket_hash", "ticket_hash", unique=True),
        # The desk names a group's facilitators on every scan: a handful of rows, found
        # without reading the event's thousands of participants.
        Index("ix_participants_facilitators", "event_id",
              sqlite_where=text("role = 'facilitator'"),
              postgresql_where=text("role = 'facilitator'")),
        # Also serves every look-up by event alone (a second index on event_id would
        # only cost each registration a write).
        Index("ix_participants_event_status", "event_id", "status"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    full_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    organization: Mapped[str] = mapped_column(String(200), default="")
    sector: Mapped[str | None] = mapped_column(String(64), nullable=True)
    country: Mapped[str | None] = mapped_column(String(2), nullable=True)
    gender: Mapped[str | None] = mapped_column(String(16), nullable=True)
    role: Mapped[str] = mapped_column(String(16), default="participant")
    # Programme duties (models.base.DUTIES): someone with a duty who is not a facilitator
    # leads the programme and is placed in no working group.
    duties: Mapped[list[str]] = mapped_column(JSON, default=list, server_default=text("'[]'"))
    # Themes (keys) the person cannot take part in: "not this theme", a hard rule of the
    # allocation; they follow a theme's new key and leave with a deleted theme.
    vetoes: Mapped[list[str]] = mapped_column(JSON, default=list, server_default=text("'[]'"))
    status: Mapped[str] = mapped_column(String(16), default="registered")
    consent: Mapped[bool] = mapped_column(default=True)
    consent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    consent_version: Mapped[str] = mapped_column(String(32), default="")
    checked_in_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The ticket (services/tickets.py): a random salt the code is made from with the
    # server's key, and the code's SHA-256; the code itself is stored nowhere.
    ticket_salt: Mapped[str | None] = mapped_column(String(32), nullable=True)
    ticket_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # Whether the person agreed to show their organisation on their badge.
    badge_shows_organization: Mapped[bool] = mapped_column(default=False)
    # The language they read (ISO 639-1, one of the six UN languages); None: not chosen,
    # so their pages follow their browser and their e-mail the event's language.
    language: Mapped[str | None] = mapped_column(String(8), nullable=True)
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    erased_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Case- and accent-folded name, organisation and e-mail: "nguyen" finds "Nguyễn".
    search_key: Mapped[str] = mapped_column(Text, default="")

    # Set by the service from the published allocation; not a column.
    published_group = None
    # Set by the service: their place on the published allocation's waiting list.
    waiting_position = None

    preferences: Mapped[list[Preference]] = relationship(
        order_by="Preference.rank",
        cascade="all, delete-orphan",
        lazy="selectin",
    )

    @property
    def leads_programme(self) -> bool:
        """Whether the person has a programme duty and no working group to facilitate:
        they are placed in no group and counted in none."""
        return bool(self.duties) and self.role != "facilitator"

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


