"""What every request must be before a view sees it: size, media type, known parameters.

Two layers. :class:`BodyLimit` sits in front of the WSGI app and turns a chunked body
(no Content-Length) into a counted one, refusing it whole when it is too large: without
it a chunked upload was cut at the limit and the part before the cut imported.
:func:`check_request` runs before each view: the per-endpoint size limit, JSON as the
media type, a body where one is required, and no query parameter the view does not
declare.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable
from typing import Any

import marshmallow as ma
from flask import Flask, request

from allocator.problems import PROBLEM_MIMETYPE, abort_problem

# Endpoints whose body is not JSON (a CSV file), with the larger upload limit.
UPLOAD_ENDPOINTS = {"participants.Import"}


def too_large_body(limit: int) -> bytes:
    """The 413 problem document for a body over ``limit`` bytes."""
    return json.dumps({
        "type": "/problems/body-too-large", "title": "Content Too Large", "status": 413,
        "detail": f"The request body is larger than {limit:,} bytes; nothing was stored.",
    }).encode()


class BodyLimit:
    """WSGI middleware: read a chunked body up to ``limit`` bytes, or answer 413 at once.

    Within the limit the body is handed on as if it had been sent with a Content-Length,
    so the per-endpoint limits and every parser see one kind of request.
    """

    def __init__(self, app: Callable, limit: int) -> None:
        self.app = app
        self.limit = limit

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if chunked or (not environ.get("CONTENT_LENGTH")
                       and environ.get("wsgi.input_terminated")):
            body = environ["wsgi.input"].read(self.limit + 1)
            if len(body) > self.limit:
                problem = too_large_body(self.limit)
                start_response("413 Content Too Large", [
                    ("Content-Type", PROBLEM_MIMETYPE), ("Content-Length", str(len(problem))),
                    ("Connection", "close")])
                return [problem]
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
            environ.pop("HTTP_TRANSFER_ENCODING", None)
            environ.pop("wsgi.input_terminated", None)
        return self.app(environ, start_response)


def _view_doc(app: Flask) -> dict[str, Any] | None:
    """flask-smorest's documentation of the matched view and method, if it has one."""
    view = app.view_functions.get(request.endpoint or "")
    method = getattr(getattr(view, "view_class", None), request.method.lower(), None)
    return getattr(method, "_apidoc", None)


def _declared(doc: dict[str, Any], location: str) -> list[dict[str, Any]]:
    return [p for p in doc.get("arguments", {}).get("parameters", []) if p.get("in") == location]


def _query_fields(doc: dict[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for parameter in _declared(doc, "query"):
        schema = parameter["schema"]
        fields.update({f.data_key or name: f for name, f in schema.fields.items()})
    return fields


def check_request(app: Flask) -> None:
    """Refuse, as a problem document, a request no API view should have to read."""
    if request.routing_exception is not None:
        return  # 404 and 405 come first, from routing
    upload = request.endpoint in UPLOAD_ENDPOINTS
    if not upload:
        request.max_content_length = app.config["MAX_JSON_LENGTH"]
    if not request.path.startswith("/api/"):
        return
    doc = _view_doc(app)
    if doc is None:
        return  # the docs and the spec: no parameters, no body
    fields = _query_fields(doc)
    unknown = sorted(set(request.args) - set(fields))
    if unknown:
        known = sorted(fields)
        abort_problem(
            422, f"Unknown query parameter(s): {', '.join(unknown)}. "
            + (f"This address takes: {', '.join(known)}." if known
               else "This address takes none."),
            errors={name: ["Unknown query parameter."] for name in unknown})
    repeated = sorted(name for name in request.args if len(request.args.getlist(name)) > 1
                      and not isinstance(fields[name], ma.fields.List))
    if repeated:
        abort_problem(422, f"Query parameter(s) given more than once: {', '.join(repeated)}. "
                      "Give each once.",
                      errors={name: ["Given more than once."] for name in repeated})
    if upload or request.method not in ("POST", "PUT", "PATCH"):
        return
    has_body = (request.content_length or 0) > 0
    if has_body and not request.is_json:
        abort_problem(415, "Send the body as JSON (Content-Type: application/json).")
    required = any(p.get("required", True) for p in _declared(doc, "json"))
    if not has_body and required:
        abort_problem(422, "This request needs a JSON body.",
                      errors={"_body": ["A JSON object is required."]})
