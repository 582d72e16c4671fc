"""allocator: the registration desk and working-group allocation of a workshop.

The package imports nothing heavy by itself: ``python -m allocator.solver`` should not pay
for Flask and SQLAlchemy. The application factory lives in :mod:`allocator.app`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the application (see :func:`allocator.app.create_app`)."""
    from allocator.app import create_app as build

    return build(overrides)
