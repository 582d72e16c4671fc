"""The workshop's report: whether facilitators may download it."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields


class ReleaseOut(ma.Schema):
    """Whether the report is released to the facilitators, and since when."""

    released = fields.Function(lambda event: event.report_released_at is not None)
    released_at = fields.DateTime(attribute="report_released_at", allow_none=True)
