"""What the working groups produce: recommendations, and every wording they had."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from allocator.extensions import db
from allocator.models.base import NEVER_REUSE_IDS, UTCDateTime, one_of, utcnow

RECOMMENDATION_STATES = ("draft", "proposed", "adopted", "amended", "merged", "dropped")


class Recommendation(db.Model):
    """One recommendation of a working group, as it stands now.

    ``version`` counts every change; it is the ETag clients send back in ``If-Match`` so
    that two people editing at once never overwrite each other unseen. Authorship is a
    token id and role, never a participant: recommendations hold no personal data.
    """

    __tablename__ = "recommendations"
    __table_args__ = (
        CheckConstraint(one_of("status", RECOMMENDATION_STATES), name="status_valid"),
        CheckConstraint("(status = 'merged') = (merged_into_id IS NOT NULL)",
                        name="merged_names_target"),
        Index("ix_recommendations_event_group", "event_id", "group_id"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    group_id: Mapped[int] = mapped_column(
        ForeignKey("working_groups.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text, default="")
    question: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("recommendations.id", ondelete="SET NULL"), nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    changed_by_token_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    changed_by_role: Mapped[str] = mapped_column(String(16), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    # Every UPDATE says "WHERE version = <the one read>" and bumps it: a writer who read
    # an older version changes nothing and gets StaleDataError (the 412).
    __mapper_args__ = {"version_id_col": version}


class RecommendationVersion(db.Model):
    """A recommendation's wording and status before a change (the history: an amended
    recommendation keeps its original wording here)."""

    __tablename__ = "recommendation_versions"
    __table_args__ = (NEVER_REUSE_IDS,)

    id: Mapped[int] = mapped_column(primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(
        ForeignKey("recommendations.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    changed_by_token_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    changed_by_role: Mapped[str] = mapped_column(String(16), default="")
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class GroupSummary(db.Model):
    """A working group's summary of its discussion (expected output 2: "a summary of the
    working group discussions … incorporated into the overall final report").

    Written by the group's facilitator, the rapporteur or an organiser; ``version`` is the
    ETag a change must name (If-Match), as for recommendations. No personal data: the
    author is a token id and role.
    """

    __tablename__ = "group_summaries"
    __table_args__ = (NEVER_REUSE_IDS,)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("working_groups.id", ondelete="CASCADE"), unique=True)
    text: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    changed_by_token_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    changed_by_role: Mapped[str] = mapped_column(String(16), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    __mapper_args__ = {"version_id_col": version}
