"""Events, themes and working groups."""

from __future__ import annotations

from flask import url_for
from flask.views import MethodView

from allocator.api.blueprint import Blueprint
from allocator.api.schemas import (
    EventIn,
    EventOut,
    EventPatch,
    GroupIn,
    GroupOut,
    GroupPatch,
    ThemeDeleteQuery,
    ThemeIn,
    ThemeOut,
    ThemePatch,
)
from allocator.auth import current_principal, require
from allocator.services import events

blp = Blueprint("events", __name__, url_prefix="/api/events",
                description="Events: when and where, sectors, retention")
themes_blp = Blueprint("themes", __name__, url_prefix="/api/events/<int:event_id>/themes",
                       description="The themes people rank")
groups_blp = Blueprint("groups", __name__, url_prefix="/api/events/<int:event_id>/groups",
                       description="Working groups: theme, room, capacity")


@blp.route("")
class EventList(MethodView):
    """The events collection."""

    @require("event:read")
    @blp.response(200, EventOut(many=True))
    def get(self):
        """List events"""
        return events.list_events(current_principal())

    @require("event:create")
    @blp.arguments(EventIn)
    @blp.response(201, EventOut)
    def post(self, data):
        """Create an event"""
        event = events.create_event(data)
        return event, 201, {"Location": url_for("events.EventItem", event_id=event.id)}


@blp.route("/<int:event_id>")
class EventItem(MethodView):
    """One event."""

    @require("event:read")
    @blp.response(200, EventOut)
    def get(self, event_id):
        """Read an event"""
        return events.get_event(event_id)

    @require("event:write")
    @blp.arguments(EventPatch)
    @blp.response(200, EventOut)
    def patch(self, data, event_id):
        """Change an event"""
        return events.update_event(events.get_event(event_id), data)


@themes_blp.route("")
class ThemeList(MethodView):
    """An event's themes."""

    @require("event:read")
    @themes_blp.response(200, ThemeOut(many=True))
    def get(self, event_id):
        """List an event's themes"""
        return events.get_event(event_id).themes

    @require("event:write")
    @themes_blp.arguments(ThemeIn)
    @themes_blp.response(201, ThemeOut)
    def post(self, data, event_id):
        """Add a theme"""
        theme = events.create_theme(events.get_event(event_id), data)
        location = url_for("themes.ThemeItem", event_id=event_id, key=theme.key)
        return theme, 201, {"Location": location}


@themes_blp.route("/<string:key>")
class ThemeItem(MethodView):
    """One theme, named by its key."""

    @require("event:read")
    @themes_blp.response(200, ThemeOut)
    def get(self, event_id, key):
        """Read a theme"""
        return events.get_theme(events.get_event(event_id), key)

    @require("event:write")
    @themes_blp.arguments(ThemePatch)
    @themes_blp.response(200, ThemeOut)
    def patch(self, data, event_id, key):
        """Change a theme"""
        return events.update_theme(events.get_event(event_id), key, data)

    @require("event:write")
    @themes_blp.arguments(ThemeDeleteQuery, location="query")
    @themes_blp.response(204)
    def delete(self, args, event_id, key):
        """Delete a theme"""
        events.delete_theme(events.get_event(event_id), key, force=args["force"])


@groups_blp.route("")
class GroupList(MethodView):
    """An event's working groups."""

    @require("groups:read")
    @groups_blp.response(200, GroupOut(many=True))
    def get(self, event_id):
        """List an event's working groups"""
        return events.get_event(event_id).groups

    @require("event:write")
    @groups_blp.arguments(GroupIn)
    @groups_blp.response(201, GroupOut)
    def post(self, data, event_id):
        """Add a working group"""
        group = events.create_group(events.get_event(event_id), data)
        location = url_for("groups.GroupItem", event_id=event_id, group_id=group.id)
        return group, 201, {"Location": location}


@groups_blp.route("/<int:group_id>")
class GroupItem(MethodView):
    """One working group."""

    @require("groups:read")
    @groups_blp.response(200, GroupOut)
    def get(self, event_id, group_id):
        """Read a working group"""
        return events.get_group(events.get_event(event_id), group_id)

    @require("event:write")
    @groups_blp.arguments(GroupPatch)
    @groups_blp.response(200, GroupOut)
    def patch(self, data, event_id, group_id):
        """Change a working group"""
        return events.update_group(events.get_event(event_id), group_id, data)

    @require("event:write")
    @groups_blp.response(204)
    def delete(self, event_id, group_id):
        """Delete a working group"""
        events.delete_group(events.get_event(event_id), group_id)
