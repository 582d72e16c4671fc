"""Use cases. Each public function owns its transaction: it commits or rolls back."""

from __future__ import annotations

from typing import Any, NoReturn

from allocator.errors import abort_problem


def invalid(errors: dict[str, list[str]], detail: str | None = None) -> NoReturn:
    """Answer 422 with field messages, like a schema error would."""
    abort_problem(422, detail or "The request has invalid fields; see errors.", errors=errors)


def conflict(detail: str, *, type_: str | None = None, **extra: Any) -> NoReturn:
    """Answer 409: the request is well-formed but clashes with stored data."""
    abort_problem(409, detail, title="Conflict", type_=type_, **extra)


def not_found(what: str) -> NoReturn:
    """Answer 404 for a missing thing, named in words."""
    abort_problem(404, f"{what} was not found.", title="Not Found")
