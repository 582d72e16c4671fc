"""Interactive API documentation, served entirely by this app (no CDN)."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, abort, send_from_directory
from swagger_ui_bundle import swagger_ui_path

bp = Blueprint("apidocs", __name__, url_prefix="/api/docs")
ASSETS = {"swagger-ui.css", "swagger-ui-bundle.js", "favicon-32x32.png"}

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>allocator API</title>
<link rel="stylesheet" href="/api/docs/static/swagger-ui.css">
</head><body><div id="swagger-ui"></div>
<script src="/api/docs/static/swagger-ui-bundle.js"></script>
<script src="/api/docs/init.js"></script>
</body></html>"""

INIT = """window.ui = SwaggerUIBundle({url: "/api/openapi.json", dom_id: "#swagger-ui",
  deepLinking: true, persistAuthorization: false});"""


@bp.get("")
def page() -> Response:
    """The Swagger UI page."""
    return Response(PAGE, mimetype="text/html")


@bp.get("/init.js")
def init() -> Response:
    """Start Swagger UI on this service's spec (a file, so CSP can forbid inline scripts)."""
    return Response(INIT, mimetype="text/javascript")


@bp.get("/static/<path:name>")
def asset(name: str) -> Response:
    """Swagger UI's own files, from the swagger-ui-bundle package."""
    if name not in ASSETS:
        abort(404)
    response = send_from_directory(Path(str(swagger_ui_path)), name, max_age=86400)
    return response
