"""Reaching invitees: their personal links and the outbox of e-mail to them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from allocator.extensions import db
from allocator.models.base import NEVER_REUSE_IDS, UTCDateTime, one_of, utcnow

MESSAGE_KINDS = ("invitation", "confirmation", "reminder", "groups", "change", "team",
                 "contacts", "waiting")
MESSAGE_STATES = ("queued", "sent", "failed")


class PersonalLink(db.Model):
    """A key to one person's own page: only a hash of its secret is kept.

    Every message that carries a link gets a new one (the secret is never stored, so it
    cannot be sent again); all of a person's links open the same page. Links turn the
    page read-only at the event's registration deadline, and end when the organiser
    revokes them and on erasure (the rows are deleted).
    """

    __tablename__ = "personal_links"
    __table_args__ = (NEVER_REUSE_IDS,)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    opened_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Message(db.Model):
    """One e-mail to one person in the transactional outbox.

    Written in the same transaction as the change that causes it; ``send-mail`` delivers
    it. ``message_id`` is fixed when the row is written, so a message sent again after a
    crash between the server's answer and the commit carries the same Message-ID. Bodies
    and the personal link are cleared once the server accepted the message.
    """

    __tablename__ = "messages"
    __table_args__ = (
        CheckConstraint(one_of("kind", MESSAGE_KINDS), name="kind_valid"),
        CheckConstraint(one_of("status", MESSAGE_STATES), name="status_valid"),
        Index("ix_messages_due", "status", "next_attempt_at"),
        # One recipient: a participant, or a member of the event's team.
        CheckConstraint("(participant_id IS NULL) <> (member_id IS NULL)",
                        name="one_recipient"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True, nullable=True)
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("team_members.id", ondelete="CASCADE"), index=True, nullable=True)
    kind: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    calendar: Mapped[str | None] = mapped_column(Text, nullable=True)
    # the contacts' vCards of a 'contacts' message (cleared once sent, as the bodies are)
    vcard: Mapped[str | None] = mapped_column(Text, nullable=True)
    # The language it is written in (sent as Content-Language).
    language: Mapped[str | None] = mapped_column(String(8), nullable=True)
    # The personal link in the message, shown to organisers while it is unsent (no SMTP).
    link: Mapped[str | None] = mapped_column(Text, nullable=True)
    # The group a "groups" or "change" message told the person (what a change compares to).
    group_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A sender holds a message until then; another sender leaves it alone meanwhile.
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
