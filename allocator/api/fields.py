"""Marshmallow fields that carry the input rules (trimmed text, e-mail, country, keys)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import marshmallow as ma

from allocator import validation

# At least one character that is neither white space nor a control character.
NOT_BLANK = r"[^\s\x00-\x1f\x7f]"


class Text(ma.fields.String):
    """A string that is trimmed, NFC-normalised, stripped of control characters and bounded.

    The length limit applies to what was sent, so the published maxLength is exact.
    """

    def __init__(self, *, max_length: int = 200, allow_blank: bool = False, **kwargs: Any):
        self.max_length = max_length
        self.allow_blank = allow_blank
        metadata = kwargs.setdefault("metadata", {})
        metadata.setdefault("maxLength", max_length)
        if not allow_blank:
            metadata.setdefault("minLength", 1)
            metadata.setdefault("pattern", NOT_BLANK)
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if not isinstance(value, str):
            raise ma.ValidationError("Not a valid string.")
        if len(value) > self.max_length:
            raise ma.ValidationError(f"Longer than maximum length {self.max_length}.")
        cleaned = validation.clean_text(value)
        if not cleaned and not self.allow_blank:
            raise ma.ValidationError("May not be blank.")
        return cleaned


class Email(ma.fields.String):
    """An e-mail address, stored lower-case with an IDNA domain."""

    def __init__(self, **kwargs: Any):
        metadata = kwargs.setdefault("metadata", {})
        metadata.setdefault("format", "email")
        metadata.setdefault("maxLength", 254)
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if not isinstance(value, str):
            raise ma.ValidationError("Not a valid string.")
        try:
            return validation.normalise_email(value)
        except ValueError as exc:
            raise ma.ValidationError(str(exc)) from exc


class Country(ma.fields.String):
    """An ISO 3166-1 alpha-2 code in capitals, or null when not given."""

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("metadata", {}).setdefault("enum", sorted(validation.COUNTRY_CODES))
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str | None:
        if not isinstance(value, str) or value not in validation.COUNTRY_CODES:
            raise ma.ValidationError(
                "Not an ISO 3166-1 alpha-2 country code in capitals (e.g. AT, CO, TH).")
        return value


class Slug(ma.fields.String):
    """A lower-case key: letters, digits, single hyphens or underscores."""

    def __init__(self, *, max_length: int = 64, **kwargs: Any):
        kwargs.setdefault("metadata", {}).setdefault("pattern", validation.SLUG_RE.pattern)
        super().__init__(validate=ma.validate.Length(min=1, max=max_length), **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if not isinstance(value, str):
            raise ma.ValidationError("Not a valid string.")
        if not validation.is_slug(value):
            raise ma.ValidationError(
                "Use lower-case letters, digits and single hyphens, e.g. 'information-sharing'."
            )
        return value


class TimeZone(ma.fields.String):
    """An IANA time-zone name such as ``Europe/Vienna``."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if not isinstance(value, str) or not value.strip() or len(value) > 64:
            raise ma.ValidationError("Not a valid time-zone name.")
        try:
            ZoneInfo(value.strip())
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ma.ValidationError("Unknown time zone; use a name like 'Europe/Vienna'.") from exc
        return value.strip()


class LocalDateTime(ma.fields.DateTime):
    """An instant shown in its event's time zone (``obj.timezone``) on output."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        if value is None:
            return None
        zone = getattr(obj, "timezone", None) or "UTC"
        return value.astimezone(ZoneInfo(zone)).isoformat()

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> dt.datetime:
        result = super()._deserialize(value, attr, data, **kwargs)
        if result.year < 1900 or result.year > 9000:
            raise ma.ValidationError("Date out of range.")
        return result
