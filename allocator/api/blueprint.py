"""The API's blueprint: flask-smorest's, with a strict body parser and schemas built once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flask
import flask_smorest
import marshmallow as ma
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request

from allocator import jsonbody
from allocator.problems import abort_problem


class StrictParser(FlaskParser):
    """webargs' Flask parser, reading bodies with :func:`allocator.jsonbody.loads`.

    Hostile JSON (NaN, duplicate keys, huge numbers, deep nesting, lone surrogates) is a
    400 problem naming what is wrong, never a server error; unknown query parameters are
    refused like unknown body fields.
    """

    DEFAULT_UNKNOWN_BY_LOCATION = {**FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION,
                                   "query": ma.RAISE, "querystring": ma.RAISE}

    def _raw_load_json(self, req: flask.Request) -> Any:
        if not is_json_request(req):
            return core.missing
        return load_json_body(req)


def load_json_body(req: flask.Request) -> Any:
    """The request's JSON body, strictly parsed; 400 with the reason when it is not JSON."""
    try:
        return jsonbody.loads(req.get_data(cache=True))
    except jsonbody.InvalidJson as exc:
        abort_problem(400, f"The request body is not valid JSON: {exc}.",
                      title="Bad Request", type_="/problems/invalid-json")


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest's Blueprint; webargs would build a schema class anew per request."""

    ARGUMENTS_PARSER = StrictParser()

    def arguments(self, schema: Any, **kwargs: Any) -> Callable:
        """Declare a view's arguments; a schema class is instantiated here, once."""
        if isinstance(schema, type):
            schema = schema()
        return super().arguments(schema, **kwargs)
