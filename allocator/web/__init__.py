"""Server-rendered pages for the desk and the organisers (Jinja, no build step, no CDN)."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("web", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static/web")


def register(app: Flask) -> None:
    """Attach the pages to ``app``."""
    from allocator.errors import HTML_ERRORS
    from allocator.web import (  # noqa: F401
        desk,
        events,
        home,
        imports,
        invitations,
        people,
        plenary,
        recommendations,
        report,
        rules,
        runs,
        setup,
        tickets,
    )
    from allocator.web.store import DatabaseSessionInterface

    app.session_interface = DatabaseSessionInterface()
    app.register_blueprint(bp)
    app.extensions[HTML_ERRORS] = home.error_page
