"""What makes the many apps a test run builds cheaper, without changing what they do."""

from __future__ import annotations

from typing import Any


def lazy_url_builders() -> None:
    """Werkzeug compiles two URL-building functions for every route of every app it is
    given (Python source through ``compile``): a third of ``create_app``, which each test
    runs. A test builds URLs for a few routes, so each is compiled the first time it is
    used instead: the same function, made later."""
    from werkzeug.routing import rules

    eager = rules.Rule._compile_builder
    if getattr(eager, "lazy", False):
        return

    def compile_builder(self: rules.Rule, append_unknown: bool = True) -> Any:
        compiled = None

        def build(rule: rules.Rule, **values: Any) -> Any:
            nonlocal compiled
            if compiled is None:
                compiled = eager(rule, append_unknown)
            return compiled(rule, **values)

        return build

    compile_builder.lazy = True  # type: ignore[attr-defined]
    rules.Rule._compile_builder = compile_builder  # type: ignore[method-assign]


def one_api_document() -> None:
    """flask-smorest writes the OpenAPI document anew for every app: each blueprint's
    views resolved through apispec's marshmallow plugin, with deep copies of their docs,
    four fifths of ``create_app`` (about 50 ms of CPU), which each test runs. The document
    depends on the code and the settings every test app shares (API_TITLE, OPENAPI_*),
    never on a test's database; so the first app's is written as in production and each
    later app gets that same document, while its blueprints and routes are registered
    as before (only the documenting of their views is left out)."""
    from flask_smorest.blueprint import Blueprint

    import allocator.api as api_package

    register = api_package.register
    if getattr(register, "one_document", False):
        return
    register_views_in_doc = Blueprint.register_views_in_doc
    written: list[Any] = []  # the first app's document (an apispec.APISpec)
    skipping = False

    def document(self: Blueprint, *args: Any, **kwargs: Any) -> None:
        if not skipping:
            register_views_in_doc(self, *args, **kwargs)

    def register_once(app: Any) -> None:
        nonlocal skipping
        from allocator.extensions import api

        if not written:
            register(app)
            written.append(api.spec)
            return
        skipping = True
        try:
            register(app)  # routes and error handlers; the document of a spare spec
        finally:
            skipping = False
        api.spec = written[0]

    register_once.one_document = True  # type: ignore[attr-defined]
    Blueprint.register_views_in_doc = document  # type: ignore[method-assign]
    api_package.register = register_once
