"""Late arrivals: who the published allocation does not place, and placing one of them."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from marshmallow import fields

from allocator.api.blueprint import Blueprint
from allocator.api.schemas import ParticipantOut
from allocator.auth import require
from allocator.services import late
from allocator.services.events import get_event

blp = Blueprint("late", __name__, url_prefix="/api/events/<int:event_id>/late-arrivals",
                description="People who take part now (per the published run's include) and are "
                                "not in the published allocation")


class PlacedOut(ma.Schema):
    """Where a late arrival was placed."""

    participant_id = fields.Integer()
    full_name = fields.String()
    group_id = fields.Integer()
    group = fields.String(metadata={"description": "The group's name"})
    room = fields.String()


@blp.route("")
class LateList(MethodView):
    """People taking part (per the published run's include) it does not place; registered
    people a checked-in-only run left out are not listed until they check in."""

    @require("allocations:read")
    @blp.response(200, ParticipantOut(many=True))
    def get(self, event_id):
        """List late arrivals"""
        return late.late_arrivals(get_event(event_id))


@blp.route("/<int:participant_id>/place")
class Place(MethodView):
    """Placing one late arrival."""

    @require("allocations:write")
    @blp.response(200, PlacedOut)
    def post(self, event_id, participant_id):
        """Place a late arrival in the best group that keeps every rule (nobody else moves);
        while someone ahead on the waiting list could take a seat, 409
        /problems/waiting-list-first names them"""
        return late.place(get_event(event_id), participant_id)
