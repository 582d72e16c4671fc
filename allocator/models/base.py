"""Types and helpers every model shares: UTC times, enumerations as CHECKs."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    DateTime,
    TypeDecorator,
)
from sqlalchemy.orm import Mapped, mapped_column

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
# What a person does in the programme besides their allocation role (the aide-memoire: a
# moderator, experts who speak, one the chair and one the rapporteur).
DUTIES = ("moderator", "chair", "rapporteur", "speaker")
STATUSES = ("invited", "registered", "checked_in", "declined", "withdrawn")
# Who takes part: invitees who have not answered and those who declined do not.
ACTIVE = ("registered", "checked_in")
TOKEN_ROLES = ("organizer", "desk", "viewer", "facilitator")


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


def one_of(column: str, values: tuple[str, ...]) -> str:
    """SQL for a CHECK that ``column`` holds one of ``values``."""
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({quoted})"


class TimestampMixin:
    """Created and updated times, maintained by the ORM."""

    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow
    )




# Integer keys are never given out twice (SQLite would reuse a deleted row's id for the
# next row; the audit log must not read "deleted 11" then "started 11" for another run).
NEVER_REUSE_IDS = {"sqlite_autoincrement": True}
