"""The event's team: give staff access by e-mail, end it at once; API tokens."""

from __future__ import annotations

from flask.views import MethodView

from allocator.api.blueprint import Blueprint
from allocator.api.schemas.team import MemberIn, MemberOut, TeamOut, TokenIn, TokenMade
from allocator.auth import require
from allocator.services import team
from allocator.services.events import get_event

blp = Blueprint("team", __name__, url_prefix="/api/events/<int:event_id>",
                description="The team: staff access by sign-in link, API tokens")


@blp.route("/team")
class Team(MethodView):
    """The event's team."""

    @require("team:read")
    @blp.response(200, TeamOut)
    def get(self, event_id):
        """List the team's members and the event's API tokens (never a secret)"""
        event = get_event(event_id)
        return {"members": team.members(event), "tokens": team.api_tokens(event)}

    @require("team:write")
    @blp.arguments(MemberIn)
    @blp.response(202, MemberOut, description="Added; the sign-in link is queued by e-mail")
    def post(self, data, event_id):
        """Give someone access: a sign-in link by e-mail, valid for 14 days"""
        return team.add_member(get_event(event_id), data)


@blp.route("/team/<int:member_id>")
class Member(MethodView):
    """One member of the team."""

    @require("team:write")
    @blp.response(204)
    def delete(self, event_id, member_id):
        """End a member's access: their link and every page session it started, at once"""
        team.remove_member(get_event(event_id), member_id)


@blp.route("/team/<int:member_id>/link")
class Link(MethodView):
    """A member's sign-in link."""

    @require("team:write")
    @blp.response(202, MemberOut, description="The new link is queued by e-mail")
    def post(self, event_id, member_id):
        """Send a new sign-in link (the old one stops working)"""
        return team.send_new_link(get_event(event_id), member_id)


@blp.route("/tokens")
class Tokens(MethodView):
    """The event's API tokens."""

    @require("team:write")
    @blp.arguments(TokenIn)
    @blp.response(201, TokenMade, description="The token, shown this once")
    def post(self, data, event_id):
        """Make an API token for this event (shown once, stored as a hash)"""
        return {"token": team.new_api_token(get_event(event_id), data)}


@blp.route("/tokens/<int:token_id>")
class Token(MethodView):
    """One API token."""

    @require("team:write")
    @blp.response(204)
    def delete(self, event_id, token_id):
        """Revoke an API token (its page sessions end at once)"""
        team.revoke_api_token(get_event(event_id), token_id)
