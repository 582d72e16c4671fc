"""Recommendations of the working groups."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from allocator.api.fields import Text
from allocator.api.schemas.common import ID_RANGE, StrictSchema
from allocator.markup import to_html
from allocator.models import RECOMMENDATION_STATES


class RecommendationIn(StrictSchema):
    """Body of POST …/groups/{gid}/recommendations."""

    title = Text(required=True, max_length=300)
    text = Text(load_default="", max_length=20_000, allow_blank=True, multiline=True,
                metadata={"description": "The recommendation (a Markdown subset)"})
    question = Text(load_default="", max_length=2_000, allow_blank=True, multiline=True,
                    metadata={"description": "The theme's question it answers"})
    position = fields.Integer(strict=True, load_default=0,
                              validate=validate.Range(min=0, max=100_000),
                              metadata={"description": "Order in the final statement"})
    status = fields.String(validate=validate.OneOf(RECOMMENDATION_STATES), metadata={
        "description": "Facilitators: draft or proposed; organisers also adopted, amended, "
                       "merged (with merged_into_id) and dropped"})
    merged_into_id = fields.Integer(strict=True, allow_none=True, validate=ID_RANGE)


class RecommendationPatch(RecommendationIn):
    """Body of PATCH …/recommendations/{rid}: any of the fields (send If-Match)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(partial=True, **kwargs)


class RecommendationVersionOut(ma.Schema):
    """An earlier state of a recommendation."""

    version = fields.Integer()
    title = fields.String()
    text = fields.String()
    status = fields.String()
    changed_by_role = fields.String()
    changed_at = fields.DateTime()


class RecommendationOut(ma.Schema):
    """A recommendation as it stands; ``version`` is also the ETag."""

    id = fields.Integer()
    group_id = fields.Integer()
    title = fields.String()
    text = fields.String()
    text_html = fields.Function(lambda r: str(to_html(r.text)), metadata={
        "type": "string", "description": "The text rendered as safe HTML (the Markdown "
                                         "subset: emphasis, lists, http(s) links)"})
    question = fields.String()
    position = fields.Integer()
    status = fields.String(metadata={"enum": list(RECOMMENDATION_STATES)})
    merged_into_id = fields.Integer(allow_none=True)
    version = fields.Integer()
    changed_by_role = fields.String(metadata={"description": "Who changed it last (role)"})
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class RecommendationDetail(RecommendationOut):
    """A recommendation with its history (earlier wordings, oldest first)."""

    history = fields.List(fields.Nested(RecommendationVersionOut))


class LockOut(ma.Schema):
    """Whether a group's recommendations are locked against its facilitators."""

    group_id = fields.Integer(attribute="id")
    locked_at = fields.DateTime(attribute="recommendations_locked_at", allow_none=True)


class OrderIn(StrictSchema):
    """Body of PUT …/recommendations/order: the final statement's order."""

    ids = fields.List(fields.Integer(strict=True, validate=ID_RANGE), required=True,
                      validate=validate.Length(min=1, max=1000), metadata={
                          "description": "Recommendation ids, first to last; the others "
                                         "keep their places", "uniqueItems": True})


class SummaryIn(StrictSchema):
    """Body of PUT .../groups/{gid}/summary."""

    text = Text(required=True, max_length=50_000, allow_blank=True, multiline=True,
                metadata={"description": "The Markdown subset of recommendations"})


class SummaryOut(ma.Schema):
    """A working group's summary of its discussion (version 0: not written yet)."""

    group_id = fields.Integer(required=True)
    text = fields.String(required=True)
    text_html = fields.String(required=True)
    version = fields.Integer(required=True)
    updated_at = fields.DateTime(allow_none=True)
