"""Server-rendered pages for the desk and the organisers (Jinja, no build step, no CDN)."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Attach the pages to ``app``."""
    from allocator.i18n import STAFF_LANGUAGES
    from allocator.problems import HTML_ERRORS
    from allocator.services.team import ROLE_WORDS
    from allocator.web import (  # noqa: F401  (each module adds its pages to bp)
        desk,
        events,
        home,
        imports,
        invitations,
        networking,
        people,
        plenary,
        programme,
        recommendations,
        report,
        rules,
        runs,
        setup,
        team,
        tickets,
    )
    from allocator.web.blueprint import bp
    from allocator.web.store import DatabaseSessionInterface

    @app.context_processor
    def words() -> dict[str, object]:
        return {"role_word": lambda role: ROLE_WORDS.get(role, role),
                "staff_languages": STAFF_LANGUAGES}

    from allocator.web.words import message_kind, page_words, state_words

    app.add_template_global(message_kind)
    app.add_template_global(state_words)
    app.add_template_global(page_words)

    app.session_interface = DatabaseSessionInterface()
    app.register_blueprint(bp)
    app.extensions[HTML_ERRORS] = home.error_page
