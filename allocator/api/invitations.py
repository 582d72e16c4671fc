"""Invitations, the outbox and notifications: the organisers' calls for reaching people."""

from __future__ import annotations

from flask.views import MethodView
from sqlalchemy import select

from allocator.api.blueprint import Blueprint
from allocator.api.schemas.invitations import (
    InvitationsIn,
    InvitationsOut,
    MessageOut,
    MessageQuery,
    NotificationIn,
    QueuedOut,
    StandingsOut,
)
from allocator.api.schemas.participants import ParticipantOut
from allocator.auth import require
from allocator.extensions import db
from allocator.models import Message
from allocator.services import invitations, notifications
from allocator.services.events import get_event

blp = Blueprint("invitations", __name__, url_prefix="/api/events/<int:event_id>",
                description="Invitations, e-mail and notifications")


@blp.route("/invitations")
class Invitations(MethodView):
    """Invitations: each with a personal link to the invitee's own page."""

    @require("invitations:write")
    @blp.response(200, StandingsOut)
    def get(self, event_id):
        """Where every invitation stands (queued, sent, opened, answered) and the counters"""
        return invitations.standings(get_event(event_id))

    @require("invitations:write")
    @blp.arguments(InvitationsIn)
    @blp.response(202, InvitationsOut)
    def post(self, data, event_id):
        """Queue invitations: every invitee not invited yet, or the given people"""
        return invitations.invite(get_event(event_id), data)


@blp.route("/invitations/<int:participant_id>")
class Invitation(MethodView):
    """One person's links."""

    @require("invitations:write")
    @blp.response(200, ParticipantOut)
    def delete(self, event_id, participant_id):
        """Revoke every link of this person (their unsent invitations are dropped)"""
        return invitations.revoke(get_event(event_id), participant_id)


@blp.route("/messages")
class Messages(MethodView):
    """The outbox."""

    @require("invitations:write")
    @blp.arguments(MessageQuery, location="query")
    @blp.response(200, MessageOut(many=True))
    def get(self, args, event_id):
        """List messages (no bodies, no addresses): queued, sent or failed with the error"""
        event = get_event(event_id)
        query = select(Message).where(Message.event_id == event.id)
        for name in ("status", "kind", "participant_id"):
            if name in args:
                query = query.where(getattr(Message, name) == args[name])
        return list(db.session.scalars(query.order_by(Message.id)))


@blp.route("/notifications")
class Notifications(MethodView):
    """Telling people their working group."""

    @require("invitations:write")
    @blp.arguments(NotificationIn)
    @blp.response(202, QueuedOut)
    def post(self, data, event_id):
        """Queue group announcements (with a calendar entry) or change notices"""
        return notifications.notify(get_event(event_id), data["kind"], again=data["again"])

