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
