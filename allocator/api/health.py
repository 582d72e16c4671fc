"""Liveness and readiness."""

from __future__ import annotations

from flask.views import MethodView
from marshmallow import Schema, fields
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from allocator.api.blueprint import Blueprint
from allocator.extensions import db
from allocator.problems import abort_problem

blp = Blueprint("health", __name__, url_prefix="", description="Health")


class HealthOut(Schema):
    """Health of the service and its database."""

    status = fields.String()
    database = fields.String(metadata={"optional": True})  # /livez does not look


@blp.route("/livez")
class Live(MethodView):
    """Liveness: the process answers (no database); also the load benchmark's ceiling."""

    @blp.response(200, HealthOut)
    def get(self):
        """Is the process up?"""
        return {"status": "ok"}


@blp.route("/healthz")
class Health(MethodView):
    """Health check for load balancers and monitoring."""

    @blp.response(200, HealthOut)
    def get(self):
        """Is the service up and the database reachable?"""
        try:
            db.session.execute(text("SELECT 1"))
        except SQLAlchemyError:
            db.session.rollback()
            abort_problem(503, "The database is not reachable.", headers={"Retry-After": "5"})
        return {"status": "ok", "database": "ok"}
