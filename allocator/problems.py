"""One error format for the whole service: RFC 9457 ``application/problem+json``.

The services raise domain errors (:mod:`allocator.errors`); :func:`to_problem` is the one
place that turns each kind into an HTTP status and a problem document, for the API and
(through the same handler) for the pages' error pages.
"""

from __future__ import annotations

import http
import json
from typing import Any, NoReturn

import marshmallow as ma
from flask import Response, current_app, request
from flask_smorest import Api
from flask_smorest.utils import prepare_response
from werkzeug.exceptions import HTTPException

from allocator import errors
from allocator.errors import sentences  # noqa: F401  (the pages' forms read it here too)

PROBLEM_MIMETYPE = "application/problem+json"


class ProblemSchema(ma.Schema):
    """RFC 9457 problem details (documentation only); extension members are allowed."""

    class Meta:
        unknown = ma.INCLUDE

    type = ma.fields.String(metadata={"description": "URI reference naming the problem type"})
    title = ma.fields.String(metadata={"description": "Short summary of the problem type"})
    status = ma.fields.Integer(metadata={"description": "HTTP status code"})
    detail = ma.fields.String(metadata={"description": "What went wrong this time"})
    errors = ma.fields.Raw(
        metadata={"description": "Field messages: field name to a list of messages",
                  "optional": True}
    )


class StaleProblemSchema(ProblemSchema):
    """A 412 problem: the version the change named is not the current one."""

    current_version = ma.fields.Integer(metadata={
        "description": "The version it has now (also the response's ETag); absent when "
                       "If-Match named no version at all", "optional": True})
    current = ma.fields.Dict(metadata={
        "description": "What it holds now, to compare the change with", "optional": True})


class Problem(HTTPException):
    """An HTTP error that carries problem details."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        title: str | None = None,
        type_: str | None = None,
        errors: Any = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(description=detail)
        self.code = status
        self.title = title
        self.type_ = type_
        self.errors = errors
        self.extra_headers = headers or {}
        self.extra = extra


def abort_problem(status: int, detail: str, **kwargs: Any) -> NoReturn:
    """Raise a :class:`Problem` (the caller sees problem+json)."""
    raise Problem(status, detail, **kwargs)


# Each kind of domain error, as HTTP says it.
STATUS: dict[type[errors.DomainError], int] = {
    errors.Invalid: 422, errors.Impossible: 422, errors.NotFound: 404, errors.Forbidden: 403,
    errors.Conflict: 409, errors.Stale: 412, errors.VersionRequired: 428,
    errors.Gone: 410, errors.TooLarge: 413, errors.Busy: 503, errors.Unavailable: 503,
    errors.TooMany: 429,
}


def status_of(error: errors.DomainError) -> int:
    """The HTTP status of a domain error (its nearest kind's; 400 for an unknown kind)."""
    for kind in type(error).__mro__:
        if kind in STATUS:
            return STATUS[kind]  # type: ignore[index]
    return 400


def to_problem(error: errors.DomainError) -> Problem:
    """A domain error as the HTTP problem the API answers (and the pages show)."""
    headers: dict[str, str] = {}
    extra = dict(error.extra)
    if error.location:
        headers["Location"] = error.location
    if isinstance(error, errors.Stale) and error.version is not None:
        headers["ETag"] = f'"{error.version}"'
        extra.setdefault("current_version", error.version)
    if isinstance(error, errors.Busy):
        headers["Retry-After"] = str(error.retry_after)
    return Problem(status_of(error), error.detail, title=error.title, type_=error.type_,
                   errors=error.errors, headers=headers, **extra)


def _flatten_messages(messages: Any) -> Any:
    """webargs nests messages by location ({"json": {...}}); callers want fields."""
    if not isinstance(messages, dict):
        return messages
    locations = {"json", "query", "querystring", "form", "files", "headers", "view_args"}
    if messages and set(messages) <= locations:
        flat: dict[str, Any] = {}
        for value in messages.values():
            if isinstance(value, dict):
                flat.update(value)
            else:
                flat.setdefault("_body", []).extend(
                    value if isinstance(value, list) else [value]
                )
        return flat
    return messages


def problem_body(error: HTTPException) -> tuple[dict[str, Any], dict[str, str]]:
    """Build the problem document and extra headers for any HTTP exception."""
    status = error.code or 500
    try:
        phrase = http.HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    body: dict[str, Any] = {"type": "about:blank", "title": phrase, "status": status}
    headers: dict[str, str] = {}
    detail = error.description
    if isinstance(error, Problem):
        if error.type_:
            body["type"] = error.type_
        if error.title:
            body["title"] = error.title
        if error.errors is not None:
            body["errors"] = error.errors
        body.update(error.extra)
        headers.update(error.extra_headers)
    data = getattr(error, "data", None)
    if isinstance(data, dict):
        messages = data.get("errors", data.get("messages"))
        if messages is not None:
            flat = _flatten_messages(messages)
            if status == 400 and flat == {"_body": ["Invalid JSON body."]}:
                detail = "The request body is not valid JSON."
            else:
                body["errors"] = flat
                detail = "The request has invalid fields; see errors."
        if "message" in data:
            detail = data["message"]
        headers.update(data.get("headers") or {})
    if status == 500:
        detail = "An unexpected error occurred. It has been logged."
    body["detail"] = detail
    # Keep what werkzeug adds for us (Allow on 405, WWW-Authenticate, Retry-After).
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            headers.setdefault(name, value)
    return body, headers


def problem_response(error: HTTPException) -> Response:
    """Render an HTTP exception as an ``application/problem+json`` response."""
    body, headers = problem_body(error)
    response = Response(
        json.dumps(body, ensure_ascii=False),
        status=body["status"],
        mimetype=PROBLEM_MIMETYPE,
    )
    for name, value in headers.items():
        response.headers[name] = value
    return response


HTML_ERRORS = "allocator.html_errors"  # app.extensions key: error -> an HTML response


def wants_html() -> bool:
    """True for a browser's request outside the API: it prefers HTML to JSON."""
    if request.path.startswith("/api/") or request.path in ("/healthz", "/livez"):
        return False
    best = request.accept_mimetypes.best_match(
        ["application/problem+json", "application/json", "text/html"])
    return best == "text/html"


class ProblemApi(Api):
    """flask-smorest Api whose errors, served and documented, are problem+json."""

    ERROR_SCHEMA = ProblemSchema

    def handle_http_exception(self, error: HTTPException) -> Any:
        """Answer every HTTP error with problem details; a browser asking for a page
        outside the API gets the HTML error page (with a title and a language)."""
        page = current_app.extensions.get(HTML_ERRORS)
        if page is not None and wants_html():
            return page(error)
        return problem_response(error)

    def _register_responses(self) -> None:
        for status in http.HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_MIMETYPE)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Default error response", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_MIMETYPE)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)
