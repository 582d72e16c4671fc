"""Register the API's blueprints."""

from __future__ import annotations

from flask import Flask

from allocator.api import (
    allocations,
    audit,
    docs,
    events,
    exports,
    health,
    invitations,
    late,
    networking,
    openapi,
    participants,
    programme,
    recommendations,
    report,
    team,
    tickets,
)
from allocator.extensions import api


def register(app: Flask) -> None:
    """Attach every API blueprint and the docs to ``app``."""
    api.register_blueprint(health.blp)
    api.register_blueprint(events.blp)
    api.register_blueprint(events.themes_blp)
    api.register_blueprint(events.groups_blp)
    api.register_blueprint(participants.blp)
    api.register_blueprint(allocations.rules_blp)
    api.register_blueprint(allocations.blp)
    api.register_blueprint(late.blp)
    api.register_blueprint(networking.blp)
    api.register_blueprint(networking.org_blp)
    api.register_blueprint(invitations.blp)
    api.register_blueprint(recommendations.blp)
    api.register_blueprint(report.blp)
    api.register_blueprint(tickets.blp)
    api.register_blueprint(exports.blp)
    api.register_blueprint(team.blp)
    api.register_blueprint(programme.blp)
    api.register_blueprint(audit.blp)
    app.register_blueprint(docs.bp)
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer",
                       "description": "A token made with 'flask create-token'"}
    )
    api.spec.components.security_scheme(
        "personalLink", {"type": "http", "scheme": "bearer",
                         "description": "The secret of the person's own link: the last "
                                        "part of its address (/i/<secret>)"})
    openapi.finish(api.spec)
