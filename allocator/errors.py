"""What can go wrong in a use case, in the domain's words (no HTTP, no Flask).

Services raise these; each door maps them once: the API to ``application/problem+json``
(:func:`allocator.problems.to_problem`), the pages to a message next to the form or an
error page, the CLI to one line. ``detail`` is a sentence for the person who acted;
``errors`` holds field messages ({field: [sentences]}, or a list for rows of a file);
``type_`` names the kind of problem (``/problems/...``); ``extra`` carries facts a client
may act on (the existing registration's id, the conflicting rules, the current version).
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A use case cannot do what was asked; ``detail`` says why, in words."""

    def __init__(self, detail: str, *, type_: str | None = None, title: str | None = None,
                 errors: Any = None, location: str | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.type_ = type_
        self.title = title
        self.errors = errors
        self.location = location  # the address of the thing the error is about
        self.extra = extra

    def field_errors(self) -> dict[str, list[str]]:
        """The field messages, or the detail as a form-wide one (``_form``)."""
        if isinstance(self.errors, dict) and self.errors:
            return {str(name): [str(m) for m in (v if isinstance(v, list) else [v])]
                    for name, v in self.errors.items()}
        return {"_form": [self.detail]}


def sentences(value: Any) -> list[str]:
    """Every message in a marshmallow error value (strings, lists, dicts by field or
    index, nested), as one flat list of sentences."""
    if isinstance(value, dict):
        return [text for inner in value.values() for text in sentences(inner)]
    if isinstance(value, (list, tuple)):
        return [text for inner in value for text in sentences(inner)]
    return [str(value)]


class NotFound(DomainError):
    """The thing named does not exist (or belongs to another event: the same answer)."""


class Forbidden(DomainError):
    """The caller may not do this, or not to this event, group or record."""


class Conflict(DomainError):
    """Well-formed, but it clashes with what is stored (a duplicate, a closed event)."""


class Invalid(DomainError):
    """Some fields are wrong: ``errors`` says which and why."""

    def __init__(self, errors: Any, detail: str | None = None, **kwargs: Any) -> None:
        super().__init__(detail or "The request has invalid fields; see errors.",
                         errors=errors, **kwargs)


class Impossible(DomainError):
    """Nothing can satisfy it as the data stand (rules that contradict each other)."""


class Stale(DomainError):
    """The version the change names is not the current one (someone else changed it since
    the caller read it): ``version`` is the current one, if there is one to name."""

    def __init__(self, detail: str, *, version: int | None = None, **kwargs: Any) -> None:
        super().__init__(detail, **kwargs)
        self.version = version


class VersionRequired(DomainError):
    """A change must name the version it was made from."""


class TooLarge(DomainError):
    """More than this server takes at once (rows of a file, people of a run)."""


class Gone(DomainError):
    """It existed, and was erased on purpose: nothing of it is given or done again."""


class Busy(DomainError):
    """Not now: the same work is under way; try again after ``retry_after`` seconds."""

    def __init__(self, detail: str, *, retry_after: int = 2, **kwargs: Any) -> None:
        super().__init__(detail, **kwargs)
        self.retry_after = retry_after


class TooMany(Busy):
    """Too many requests from one caller in a short time; again after ``retry_after`` s."""


class Unavailable(DomainError):
    """This server cannot do it at all (a system library is missing)."""
