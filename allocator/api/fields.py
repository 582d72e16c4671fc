"""Marshmallow fields that carry the input rules (trimmed text, e-mail, country, keys)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import marshmallow as ma

from allocator import normalise, validation

# At least one character that is neither white space nor a control character.
NOT_BLANK = r"[^\s\x00-\x1f\x7f]"


class Text(ma.fields.String):
    """A string that is trimmed, NFC-normalised, stripped of control characters and bounded.

    The length limit applies to what was sent, so the published maxLength is exact.
    """

    def __init__(self, *, max_length: int = 200, allow_blank: bool = False,
                 multiline: bool = False, **kwargs: Any):
        self.max_length = max_length
        self.allow_blank = allow_blank
        self.multiline = multiline
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
        cleaned = validation.clean_text(value, self.multiline)
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
    """A country, stored as its ISO 3166-1 alpha-2 code: a code in any case ('ua'), an
    alpha-3 code ('UKR') or a name ('Ukraine', 'Türkiye') is read (allocator.normalise)."""

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("metadata", {}).setdefault(
            "description", "ISO 3166-1 alpha-2 code (any case), alpha-3 code or name; "
                           "stored as the alpha-2 code")
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str | None:
        if not isinstance(value, str) or len(value) > 100:
            raise ma.ValidationError("Not a valid string.")
        try:
            return normalise.country(value)
        except ValueError as exc:
            raise ma.ValidationError(str(exc)) from exc


class Choice(ma.fields.String):
    """One of a few values, however it is spelt ('Non-binary' is non_binary)."""

    def __init__(self, reader: Any, choices: tuple[str, ...], **kwargs: Any):
        self.reader = reader
        kwargs.setdefault("metadata", {}).setdefault(
            "description", f"One of {', '.join(choices)} (case, spaces and hyphens forgiven)")
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if not isinstance(value, str) or len(value) > 100:
            raise ma.ValidationError("Not a valid string.")
        try:
            return self.reader(value)
        except ValueError as exc:
            raise ma.ValidationError(str(exc)) from exc


class Language(Choice):
    """One of the six UN languages by code or name ("fr", "French", "français"); stored as
    its ISO 639-1 code; null: not chosen."""

    def __init__(self, **kwargs: Any):
        from allocator.i18n import PARTICIPANT_LANGUAGES, language_code

        kwargs.setdefault("allow_none", True)
        kwargs.setdefault("metadata", {}).setdefault(
            "description", "The language the person reads: " + ", ".join(PARTICIPANT_LANGUAGES)
            + " (a name such as 'French' is read too); null: not chosen")
        super().__init__(language_code, PARTICIPANT_LANGUAGES, **kwargs)


class Sector(ma.fields.String):
    """One of the event's sectors, by key or label, however it is spelt; stored as the key."""

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("metadata", {}).setdefault(
            "description", "A sector of the event: its key or its label ('Civil society')")
        super().__init__(validate=ma.validate.Length(min=1, max=200), **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if not isinstance(value, str):
            raise ma.ValidationError("Not a valid string.")
        taxonomy = current_taxonomy()
        if taxonomy is None:  # no event to ask: a key as written
            return _slug(value)
        try:
            return taxonomy.sector(value)
        except ValueError as exc:
            raise ma.ValidationError(str(exc)) from exc


class Themes(ma.fields.List):
    """Themes of the event, first choice first, by key or title; stored as keys."""

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("metadata", {}).setdefault(
            "description", "Theme keys or titles, first choice first")
        super().__init__(ma.fields.String(validate=ma.validate.Length(max=200)), **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list[str]:
        names = super()._deserialize(value, attr, data, **kwargs)
        taxonomy = current_taxonomy()
        try:
            keys = taxonomy.themes_of(names) if taxonomy else [_slug(n) for n in names]
        except ValueError as exc:
            raise ma.ValidationError(str(exc)) from exc
        if len(set(keys)) != len(keys):
            raise ma.ValidationError("Each theme may be listed only once.")
        return keys


class ThemeKey(ma.fields.String):
    """One theme of the event, by key or title; read as its key."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if not isinstance(value, str) or len(value) > 200:
            raise ma.ValidationError("Not a valid string.")
        taxonomy = current_taxonomy()
        if taxonomy is None:
            return _slug(value)
        try:
            return taxonomy.theme(value)
        except ValueError as exc:
            raise ma.ValidationError(str(exc)) from exc


def _slug(value: str) -> str:
    if not validation.is_slug(value):
        raise ma.ValidationError(
            "Use lower-case letters, digits and single hyphens, e.g. 'victim-support'.")
    return value


def current_taxonomy() -> Any:
    """The taxonomy of the event being written to (allocator.services.taxonomy)."""
    from allocator.services.taxonomy import current

    return current()


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
                "Use lower-case letters, digits and single hyphens, e.g. 'victim-support'."
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


class StrictBoolean(ma.fields.Boolean):
    """A JSON body's true or false, nothing else (0, 1, "yes" are refused)."""

    default_error_messages = {"invalid": "Must be true or false."}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class Duties(ma.fields.List):
    """Programme duties (moderator, chair, rapporteur, speaker), by key or label, each once."""

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("metadata", {}).setdefault(
            "description", "Any of moderator, chair, rapporteur, speaker (labels forgiven). "
                           "Someone with a duty who is not a facilitator is placed in no "
                           "working group")
        super().__init__(ma.fields.String(validate=ma.validate.Length(max=100)), **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list[str]:
        if isinstance(value, str):  # "Chair; Speaker", as a form or a spreadsheet writes it
            value = [part for part in value.replace(",", ";").split(";") if part.strip()]
        names = super()._deserialize(value, attr, data, **kwargs)
        duties: list[str] = []
        for name in names:
            try:
                duty = normalise.duty(name)
            except ValueError as exc:
                raise ma.ValidationError(str(exc)) from exc
            if duty not in duties:
                duties.append(duty)
        return duties
