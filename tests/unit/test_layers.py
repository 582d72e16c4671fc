"""The house's layers, read from every import of ``allocator/`` (function-local ones too).

docs/architecture.md draws them: the doors (``api``, ``web``, ``cli`` and the request
machinery) over ``services`` over ``models`` over the pure modules; ``solver`` stands alone.
An arrow the wrong way, or any cycle, fails here with the modules that make it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "allocator"

# The pure modules below everything: no Flask, no database, no services.
PURE = {"allocator.access", "allocator.errors", "allocator.validation", "allocator.romanise",
        "allocator.normalise", "allocator.markup", "allocator.jsonbody"}
DOORS = ("allocator.api", "allocator.web", "allocator.cli")
REQUEST = {"allocator.auth", "allocator.idempotency", "allocator.app", "allocator.problems",
           "allocator.http_guard"}


def modules() -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its own name)."""
    found = {}
    for path in ROOT.rglob("*.py"):
        parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def imports() -> dict[str, set[str]]:
    """module -> the allocator modules it imports, wherever in the file the import is."""
    known = modules()

    def resolve(name: str) -> str | None:
        while name and name not in known:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {name: set() for name in known}
    for name, path in known.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(parts + ([base] if base else []))
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base
                           for a in node.names]
            else:
                continue
            for target in targets:
                if target.startswith("allocator"):
                    resolved = resolve(target)
                    if resolved and resolved != name:
                        graph[name].add(resolved)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def within(name: str, *prefixes: str) -> bool:
    """Whether module ``name`` is one of ``prefixes`` or inside one of them."""
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def test_the_walk_sees_function_local_imports():
    graph = imports()
    # app.create_app imports the blueprints inside the function
    assert "allocator.api" in graph["allocator.app"]
    assert "allocator.web" in graph["allocator.app"]


def test_there_is_no_import_cycle():
    assert cycles(imports()) == []


def test_a_cycle_is_found_where_there_is_one():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def _arrows(allowed) -> list[str]:  # noqa: ANN001
    return [f"{source} -> {target}" for source, targets in sorted(imports().items())
            for target in sorted(targets) if not allowed(source, target)]


def test_the_solver_imports_nothing_outside_itself():
    assert _arrows(lambda s, t: not within(s, "allocator.solver")
                   or within(t, "allocator.solver")) == []


def test_services_import_no_door():
    def allowed(source: str, target: str) -> bool:
        return not within(source, "allocator.services") or not (
            within(target, *DOORS) or target in REQUEST)

    assert _arrows(allowed) == []


def test_models_import_nothing_above_them():
    def allowed(source: str, target: str) -> bool:
        return not within(source, "allocator.models") or not (
            within(target, "allocator.services", "allocator.solver", *DOORS)
            or target in REQUEST)

    assert _arrows(allowed) == []


def test_the_pure_modules_import_only_pure_modules():
    assert _arrows(lambda s, t: s not in PURE or t in PURE) == []


def test_the_api_and_the_pages_do_not_import_each_other_s_views():
    def allowed(source: str, target: str) -> bool:
        if within(source, "allocator.web"):
            # the pages read input with the API's schemas: one source of input rules
            return not within(target, "allocator.api") or within(
                target, "allocator.api.schemas", "allocator.api.fields")
        if within(source, "allocator.api"):
            return not within(target, "allocator.web", "allocator.cli")
        return True

    assert _arrows(allowed) == []


@pytest.mark.parametrize("name", sorted(PURE))
def test_a_pure_module_needs_no_flask_and_no_database(name):
    source = modules()[name].read_text(encoding="utf-8")
    assert "import flask" not in source and "from flask" not in source
    assert "sqlalchemy" not in source
