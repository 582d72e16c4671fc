"""The API's blueprint: flask-smorest's, with each argument schema built once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flask_smorest


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest's Blueprint; webargs would build a schema class anew per request."""

    def arguments(self, schema: Any, **kwargs: Any) -> Callable:
        """Declare a view's arguments; a schema class is instantiated here, once."""
        if isinstance(schema, type):
            schema = schema()
        return super().arguments(schema, **kwargs)
