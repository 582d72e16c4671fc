"""What every schema shares: strict loading, ids, paging."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from allocator.services import MAX_ID

# Ids in bodies and queries: what an integer key can hold (as services.valid_id checks).
ID_RANGE = validate.Range(min=1, max=MAX_ID)


class StrictSchema(ma.Schema):
    """Unknown fields are an error, never silently dropped."""

    class Meta:
        unknown = ma.RAISE


def distinct(values: list[Any]) -> None:
    """A list validator: every entry at most once."""
    if len(set(values)) != len(values):
        raise ma.ValidationError("Each entry may appear only once.")


class Paging(StrictSchema):
    """Page number and size of a listing."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class PageInfo(ma.Schema):
    """Where a page sits in the whole listing."""

    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
    pages = fields.Integer()
