"""The programme: what happens when, and where."""

from __future__ import annotations

from flask import url_for
from flask.views import MethodView

from allocator.api.blueprint import Blueprint
from allocator.api.schemas.programme import (
    ProgrammeItemIn,
    ProgrammeItemOut,
    ProgrammeItemPatch,
)
from allocator.auth import require
from allocator.services import programme
from allocator.services.events import get_event

blp = Blueprint("programme", __name__, url_prefix="/api/events/<int:event_id>/programme",
                description="The programme: talks, questions, working groups, plenary")


@blp.route("")
class Programme(MethodView):
    """The event's programme."""

    @require("event:read")
    @blp.response(200, ProgrammeItemOut(many=True))
    def get(self, event_id):
        """List the programme, in time order"""
        event = get_event(event_id)
        return programme.with_speakers(event, programme.items(event))

    @require("event:write")
    @blp.arguments(ProgrammeItemIn)
    @blp.response(201, ProgrammeItemOut)
    def post(self, data, event_id):
        """Add an item (within the event; never overlapping another in its room)"""
        event = get_event(event_id)
        item = programme.add(event, data)
        location = url_for("programme.ProgrammeItem", event_id=event_id, item_id=item.id)
        return programme.with_speakers(event, [item])[0], 201, {"Location": location}


@blp.route("/<int:item_id>")
class ProgrammeItem(MethodView):
    """One item of the programme."""

    @require("event:read")
    @blp.response(200, ProgrammeItemOut)
    def get(self, event_id, item_id):
        """Read an item"""
        event = get_event(event_id)
        return programme.with_speakers(event, [programme.get_item(event, item_id)])[0]

    @require("event:write")
    @blp.arguments(ProgrammeItemPatch)
    @blp.response(200, ProgrammeItemOut)
    def patch(self, data, event_id, item_id):
        """Change an item"""
        event = get_event(event_id)
        return programme.with_speakers(event, [programme.change(event, item_id, data)])[0]

    @require("event:write")
    @blp.response(204)
    def delete(self, event_id, item_id):
        """Take an item off the programme"""
        programme.remove(get_event(event_id), item_id)
