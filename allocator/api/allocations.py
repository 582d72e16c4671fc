"""Rules, allocation runs, reports, manual moves and publishing (organisers)."""

from __future__ import annotations

from flask import current_app, jsonify, url_for
from flask.views import MethodView

from allocator.api.blueprint import Blueprint
from allocator.api.schemas import (
    AllocationIn,
    MoveIn,
    MoveOut,
    ReportOut,
    RuleIn,
    RuleOut,
    RunOut,
    RunSummary,
)
from allocator.auth import require
from allocator.services import allocation, reports, rules
from allocator.services.events import get_event

rules_blp = Blueprint("rules", __name__, url_prefix="/api/events/<int:event_id>/rules",
                      description="Pins and pairs the allocation must respect")
blp = Blueprint("allocations", __name__, url_prefix="/api/events/<int:event_id>/allocations",
                description="Allocation runs: trigger, review, adjust, publish")


@rules_blp.route("")
class RuleList(MethodView):
    """An event's rules."""

    @require("allocations:read")
    @rules_blp.response(200, RuleOut(many=True))
    def get(self, event_id):
        """List the rules"""
        return rules.list_rules(get_event(event_id))

    @require("allocations:write")
    @rules_blp.arguments(RuleIn)
    @rules_blp.response(201, RuleOut)
    def post(self, data, event_id):
        """Add a pin, an apart pair or a together pair"""
        rule = rules.create_rule(get_event(event_id), data)
        return rule, 201, {"Location": url_for("rules.RuleItem", event_id=event_id,
                                               rule_id=rule.id)}


@rules_blp.route("/<int:rule_id>")
class RuleItem(MethodView):
    """One rule."""

    @require("allocations:read")
    @rules_blp.response(200, RuleOut)
    def get(self, event_id, rule_id):
        """Read a rule"""
        return rules.get_rule(get_event(event_id), rule_id)

    @require("allocations:write")
    @rules_blp.response(204)
    def delete(self, event_id, rule_id):
        """Delete a rule"""
        rules.delete_rule(get_event(event_id), rule_id)


@blp.route("")
class RunList(MethodView):
    """An event's allocation runs."""

    @require("allocations:read")
    @blp.response(200, RunSummary(many=True))
    def get(self, event_id):
        """List allocation runs, newest first"""
        return allocation.list_runs(get_event(event_id))

    @require("allocations:write")
    @blp.arguments(AllocationIn, required=False)
    @blp.response(201, RunOut, description="Solved in the request (no REDIS_URL)")
    @blp.alt_response(202, schema=RunSummary,
                      description="Queued for a background worker (REDIS_URL set)")
    def post(self, data, event_id):
        """Run the allocation (409 while another run of the event is in progress)"""
        event = get_event(event_id)
        background = bool(current_app.config.get("REDIS_URL"))
        run = allocation.enqueue(event, data) if background else allocation.allocate(
            event, data)
        location = url_for("allocations.RunItem", event_id=event_id, run_id=run.id)
        if background:  # a different schema than the 201: answer it ready-made
            return jsonify(RunSummary().dump(run)), 202, {"Location": location}
        return run, 201, {"Location": location}


@blp.route("/<int:run_id>")
class RunItem(MethodView):
    """One allocation run."""

    @require("allocations:read")
    @blp.response(200, RunOut)
    def get(self, event_id, run_id):
        """Read a run with its figures"""
        return allocation.get_run(get_event(event_id), run_id)

    @require("allocations:write")
    @blp.response(204)
    def delete(self, event_id, run_id):
        """Delete a draft run"""
        allocation.delete_run(get_event(event_id), run_id)


@blp.route("/<int:run_id>/report")
class RunReport(MethodView):
    """What a run did, group by group and person by person."""

    @require("allocations:read")
    @blp.response(200, ReportOut)
    def get(self, event_id, run_id):
        """Read the report of a run"""
        event = get_event(event_id)
        return reports.report(event, allocation.get_run(event, run_id))


@blp.route("/<int:run_id>/publish")
class Publish(MethodView):
    """Publishing a run."""

    @require("allocations:write")
    @blp.response(200, RunOut)
    def post(self, event_id, run_id):
        """Publish a run: the desk and viewers see this allocation"""
        return allocation.publish(get_event(event_id), run_id)


@blp.route("/<int:run_id>/assignments/<int:participant_id>")
class Move(MethodView):
    """One person's place in a draft run."""

    @require("allocations:write")
    @blp.arguments(MoveIn)
    @blp.response(200, MoveOut)
    def patch(self, data, event_id, run_id, participant_id):
        """Move one person (hard rules enforced; balance warnings returned)"""
        event = get_event(event_id)
        run = allocation.get_run(event, run_id)
        return reports.move_person(event, run, participant_id, data["group_id"])
