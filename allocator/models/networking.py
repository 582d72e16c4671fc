"""Networking by consent: a person's sharing choice (and whether they are listed in the
event's directory), their meet code, and contact requests between people of one event."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from allocator.extensions import db
from allocator.models.base import NEVER_REUSE_IDS, UTCDateTime, one_of, utcnow

# What a person may choose to share beside their name (directory and accepted contacts)
SHARED_FIELDS = ("organization", "sector", "country", "email")
REQUEST_STATES = ("pending", "accepted", "declined")


class NetworkingProfile(db.Model):
    """One person's networking choices: listed in the directory or not (off unless they
    chose it), the fields shown to the directory and to accepted contacts, a short "I work
    on" line, the consent they gave, and the salt their meet code is made from."""

    __tablename__ = "networking_profiles"

    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    listed: Mapped[bool] = mapped_column(default=False)
    fields: Mapped[list] = mapped_column(JSON, default=list)
    about: Mapped[str] = mapped_column(String(200), default="")
    consent_version: Mapped[str | None] = mapped_column(String(16), nullable=True)
    consented_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    meet_salt: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # SHA-256 of the meet code, to find whose it is (the code itself is stored nowhere)
    meet_hash: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class ContactRequest(db.Model):
    """A request to exchange contacts, made by typing or scanning a meet code.

    ``code_hash`` is what was sent; ``to_id`` the person it belongs to, or NULL when it
    belongs to nobody taking part (kept all the same, so the requester's list looks the
    same for a real and an unknown code). Only the addressee sees the request; both see
    each other once it is accepted.
    """

    __tablename__ = "contact_requests"
    __table_args__ = (
        CheckConstraint(one_of("status", REQUEST_STATES), name="status_valid"),
        Index("uq_contact_requests_from_code", "from_id", "code_hash", unique=True),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    from_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True)
    to_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True, nullable=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
