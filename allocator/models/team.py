"""The event's team: staff given access from the pages, without a shell."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from allocator.extensions import db
from allocator.models.base import NEVER_REUSE_IDS, TOKEN_ROLES, UTCDateTime, one_of, utcnow


class TeamMember(db.Model):
    """Someone the organisers gave access to one event: a role (and for a facilitator,
    perhaps one working group), held by a token of their own that nobody ever sees, and a
    personal sign-in link sent by e-mail (only a hash of its secret is kept).

    Opening the link starts a page session with the token; removing the member revokes
    the token, which ends every session it started at once. A registered facilitator
    placed in a group gets a member record (``participant_id``) and their group's link
    with the group announcement.
    """

    __tablename__ = "team_members"
    __table_args__ = (
        CheckConstraint(one_of("role", TOKEN_ROLES), name="role_valid"),
        CheckConstraint("email = lower(email)", name="email_lower"),
        Index("uq_team_members_event_email_active", "event_id", "email", unique=True,
              sqlite_where=text("removed_at IS NULL"),
              postgresql_where=text("removed_at IS NULL")),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("api_tokens.id", ondelete="CASCADE"),
                                          unique=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(16))
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("working_groups.id", ondelete="SET NULL"), nullable=True)
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="SET NULL"), nullable=True, index=True)
    link_hash: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    link_expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    link_sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    removed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)

    @property
    def full_name(self) -> str:
        """The member's name, as a message greets them (like a participant's)."""
        return self.name
