"""The workshop's programme: what happens when, and where."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from allocator.extensions import db
from allocator.models.base import NEVER_REUSE_IDS, TimestampMixin, UTCDateTime, one_of
from allocator.models.workshop import Event, Theme

PROGRAMME_KINDS = ("talk", "questions", "working_groups", "plenary", "break", "other")


class ProgrammeItem(TimestampMixin, db.Model):
    """One item of an event's programme: a talk, questions, the working groups, the
    plenary, a break; in the event's time, perhaps in a room, on a theme, with speakers
    (people with a programme duty)."""

    __tablename__ = "programme_items"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint(one_of("kind", PROGRAMME_KINDS), name="kind_valid"),
        Index("ix_programme_items_event_starts", "event_id", "starts_at"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20))
    room: Mapped[str] = mapped_column(String(200), default="")
    theme_id: Mapped[int | None] = mapped_column(
        ForeignKey("themes.id", ondelete="SET NULL"), nullable=True)
    speaker_ids: Mapped[list[int]] = mapped_column(JSON, default=list,
                                                   server_default=text("'[]'"))
    notes: Mapped[str] = mapped_column(Text, default="")

    event: Mapped[Event] = relationship(lazy="joined")
    theme: Mapped[Theme | None] = relationship(lazy="joined")

    @property
    def timezone(self) -> str:
        """The event's time zone, which the item's times are shown in."""
        return self.event.timezone
