"""Heavy documents, kept once built: the report, badges, sign-in sheets."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from allocator.extensions import db
from allocator.models.base import NEVER_REUSE_IDS, UTCDateTime, one_of, utcnow

DOCUMENT_STATES = ("building", "ready")


class Document(db.Model):
    """The latest build of one document of an event (``key``: "report.pdf",
    "badges-a4-all", "sign-in-sheet-3"), for the content whose SHA-256 is ``digest``.

    The body is encrypted with a key derived from SECRET_KEY (badges carry tickets): a copy
    of the database alone reads none of it. While ``state`` is "building" someone holds the
    build until ``lease_until``; nobody else builds it meanwhile.
    """

    __tablename__ = "documents"
    __table_args__ = (
        UniqueConstraint("event_id", "key"),
        CheckConstraint(one_of("state", DOCUMENT_STATES), name="state_valid"),
        Index("ix_documents_building", "lease_until",
              sqlite_where=text("state = 'building'"),
              postgresql_where=text("state = 'building'")),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    digest: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))
    body: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    lease_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    build_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    built_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
