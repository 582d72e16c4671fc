"""Recommendations: the working groups' output, with no lost edits (ETag / If-Match)."""

from __future__ import annotations

import functools

from flask import request
from flask.views import MethodView

from allocator.api.blueprint import Blueprint
from allocator.api.schemas.recommendations import (
    LockOut,
    OrderIn,
    RecommendationDetail,
    RecommendationIn,
    RecommendationOut,
    RecommendationPatch,
    SummaryIn,
    SummaryOut,
)
from allocator.auth import current_principal, require
from allocator.problems import PROBLEM_MIMETYPE, StaleProblemSchema
from allocator.services import recommendations, summaries
from allocator.services.events import get_event

blp = Blueprint("recommendations", __name__, url_prefix="/api/events/<int:event_id>",
                description="What the working groups recommend")

IF_MATCH = {"parameters": [{"in": "header", "name": "If-Match", "required": True,
                            "schema": {"type": "string",
                                       "pattern": r'^(W/)?"?[0-9]{1,9}"?$'},
                            "description": "The ETag (version) the change was made from"}]}
# A 412 answers with the current version (and what it holds), for the client to compare.
STALE = {"schema": StaleProblemSchema, "content_type": PROBLEM_MIMETYPE}


def owned(lookup):
    """Check, before the body is read (422), that the path's group or recommendation is
    the event's (404): ``lookup(event, kwargs)`` raises the 404."""
    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            lookup(get_event(kwargs["event_id"]), kwargs)
            return view(*args, **kwargs)

        return wrapper

    return decorator


own_group = owned(lambda event, kw: recommendations.get_group(event, kw["group_id"]))
own_recommendation = owned(lambda event, kw: recommendations.get(event,
                                                                 kw["recommendation_id"]))


def _detail(recommendation):
    recommendation.history = recommendations.history(recommendation)
    return recommendation


def _dump(recommendation) -> dict:
    return RecommendationOut().dump(recommendation)


def _with_etag(recommendation, status: int = 200):
    return _detail(recommendation), status, {"ETag": recommendations.etag(recommendation)}


@blp.route("/recommendations")
class AllRecommendations(MethodView):
    """Every group's recommendations."""

    @require("recommendations:read")
    @blp.response(200, RecommendationOut(many=True))
    def get(self, event_id):
        """List every group's recommendations, in the statement's order"""
        return recommendations.listing(get_event(event_id))


@blp.route("/recommendations/order")
class Order(MethodView):
    """The order of the final statement."""

    @require("recommendations:moderate")
    @blp.arguments(OrderIn)
    @blp.response(200, RecommendationOut(many=True))
    def put(self, data, event_id):
        """Order the recommendations (positions 1…n; versions unchanged)"""
        return recommendations.reorder(get_event(event_id), data["ids"])


@blp.route("/groups/<int:group_id>/recommendations")
class GroupRecommendations(MethodView):
    """One working group's recommendations."""

    @require("recommendations:read")
    @blp.response(200, RecommendationOut(many=True))
    def get(self, event_id, group_id):
        """List a group's recommendations"""
        event = get_event(event_id)
        recommendations.get_group(event, group_id)
        return recommendations.listing(event, group_id)

    @require("recommendations:write")
    @own_group
    @blp.arguments(RecommendationIn)
    @blp.response(201, RecommendationDetail)
    def post(self, data, event_id, group_id):
        """Add a recommendation to a group"""
        created = recommendations.create(get_event(event_id), group_id, data,
                                         current_principal())
        return _with_etag(created, 201)


@blp.route("/groups/<int:group_id>/summary")
class GroupSummary(MethodView):
    """A working group's summary of its discussion."""

    @require("recommendations:read")
    @blp.response(200, SummaryOut)
    def get(self, event_id, group_id):
        """Read a group's summary and its ETag (version 0: nothing written yet)"""
        found = summaries.read(get_event(event_id), group_id)
        return found, 200, {"ETag": found.etag}

    @require("summaries:write")
    @own_group
    @blp.arguments(SummaryIn)
    @blp.response(200, SummaryOut)
    @blp.doc(parameters=[{"in": "header", "name": "If-Match", "required": True,
                          "schema": {"type": "string", "pattern": r'^(W/)?"?[0-9]{1,9}"?$'},
                          "description": "The ETag the change was made from (\"0\" for the "
                                         "first summary of the group)"}])
    @blp.alt_response(412, description="Changed by someone else: the current text is in "
                                       "the problem document", **STALE)
    @blp.alt_response(428, description="If-Match is missing")
    def put(self, data, event_id, group_id):
        """Write a group's summary (its facilitator, the rapporteur or an organiser)"""
        saved = summaries.write(get_event(event_id), group_id, data["text"],
                                request.headers.get("If-Match"), current_principal())
        return saved, 200, {"ETag": saved.etag}


@blp.route("/groups/<int:group_id>/recommendations/lock")
class Lock(MethodView):
    """Locking a group's recommendations against its facilitators' changes."""

    @require("recommendations:moderate")
    @blp.response(200, LockOut)
    def post(self, event_id, group_id):
        """Lock the group's recommendations (organisers still change them)"""
        return recommendations.lock(get_event(event_id), group_id, True)

    @require("recommendations:moderate")
    @blp.response(200, LockOut)
    def delete(self, event_id, group_id):
        """Unlock the group's recommendations"""
        return recommendations.lock(get_event(event_id), group_id, False)


@blp.route("/recommendations/<int:recommendation_id>")
class RecommendationItem(MethodView):
    """One recommendation."""

    @require("recommendations:read")
    @blp.response(200, RecommendationDetail)
    def get(self, event_id, recommendation_id):
        """Read a recommendation, its ETag and its history"""
        return _with_etag(recommendations.get(get_event(event_id), recommendation_id))

    @require("recommendations:write")
    @own_recommendation
    @blp.arguments(RecommendationPatch)
    @blp.response(200, RecommendationDetail)
    @blp.doc(**IF_MATCH)
    @blp.alt_response(412, description="Changed by someone else: the current version is in "
                                       "the problem document", **STALE)
    @blp.alt_response(428, description="If-Match is missing")
    def patch(self, data, event_id, recommendation_id):
        """Change a recommendation (If-Match: the ETag it was read with)"""
        changed = recommendations.update(get_event(event_id), recommendation_id, data,
                                         request.headers.get("If-Match"),
                                         current_principal(), _dump)
        return _with_etag(changed)

    @require("recommendations:write")
    @blp.response(204)
    @blp.doc(**IF_MATCH)
    @blp.alt_response(412, description="Changed by someone else", **STALE)
    @blp.alt_response(428, description="If-Match is missing")
    def delete(self, event_id, recommendation_id):
        """Remove a recommendation (If-Match: the ETag it was read with)"""
        recommendations.delete(get_event(event_id), recommendation_id,
                               request.headers.get("If-Match"), current_principal(), _dump)
        return "", 204
