"""The OpenAPI document gives a generated client what it needs: a name for every
operation, the Idempotency-Key header where it is honoured, required response fields,
binary downloads, problem bodies for errors, both bodies of the CSV import."""

from __future__ import annotations

import re
from typing import Any

import pytest

from allocator import create_app
from allocator.api.openapi import BINARY, OPERATION_IDS, ClientDocs
from allocator.extensions import api

METHODS = ("get", "put", "post", "patch", "delete")
PROBLEM = "application/problem+json"
DOWNLOADS = {
    "/api/events/{event_id}/groups.csv": "text/csv",
    "/api/events/{event_id}/groups/{group_id}.csv": "text/csv",
    "/api/events/{event_id}/groups.xlsx":
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "/api/events/{event_id}/report.docx":
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "/api/events/{event_id}/report.pdf": "application/pdf",
    "/api/events/{event_id}/badges.pdf": "application/pdf",
    "/api/events/{event_id}/groups/{group_id}/sign-in-sheet.pdf": "application/pdf",
    "/api/events/{event_id}/participants/{participant_id}/ticket.png": "image/png",
}


@pytest.fixture(scope="module")
def built() -> tuple[Any, dict[str, Any], ClientDocs]:
    """An app without a database, its document, and the plugin that finished it."""
    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    document = app.test_client().get("/api/openapi.json").json
    [plugin] = [p for p in api.spec.plugins if isinstance(p, ClientDocs)]
    return app, document, plugin


@pytest.fixture(scope="module")
def spec(built) -> dict[str, Any]:
    """The document as a client downloads it."""
    return built[1]


def operations(spec: dict[str, Any]):
    """(path, method, operation) for every operation in the document."""
    for path, item in spec["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def resolved(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """``node``, or what its $ref names."""
    while "$ref" in node:
        kind, name = node["$ref"].split("/")[-2:]
        node = spec["components"][kind][name]
    return node


def test_every_operation_has_a_unique_readable_operation_id(spec):
    ids = [op.get("operationId") for _, _, op in operations(spec)]
    assert None not in ids
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)*", name) for name in ids)
    # Each is chosen in OPERATION_IDS (none made up from a view's name), and the table
    # names nothing that is gone.
    named = {name for methods in OPERATION_IDS.values() for name in methods.values()}
    assert set(ids) == named
    lookup = {(p, m): op["operationId"] for p, m, op in operations(spec)}
    assert lookup["/api/events/{event_id}/participants", "get"] == "list_participants"
    assert lookup["/api/events/{event_id}/participants/{participant_id}/check-in",
                  "post"] == "check_in_participant"


def test_idempotency_key_is_declared_on_every_operation_that_honours_it(built, spec):
    app = built[0]
    parameter = spec["components"]["parameters"]["IdempotencyKey"]
    assert parameter["in"] == "header" and parameter["name"] == "Idempotency-Key"
    assert not parameter["required"] and parameter["schema"]["maxLength"] == 255
    ref = {"$ref": "#/components/parameters/IdempotencyKey"}
    # auth.require runs a POST sent with the key once: every POST view it guards.
    honoured = set()
    for rule in app.url_map.iter_rules():
        view_class = getattr(app.view_functions[rule.endpoint], "view_class", None)
        post = getattr(view_class, "post", None)
        if post is not None and hasattr(post, "permission"):
            honoured.add(re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule))
    assert "/api/events/{event_id}/participants" in honoured
    assert "/api/events/{event_id}/participants/import" in honoured
    assert "/api/events/{event_id}/check-ins" in honoured
    declared = {path for path, method, op in operations(spec)
                if ref in op.get("parameters", [])}
    assert declared == honoured
    assert all(method == "post" for path, method, op in operations(spec)
               if ref in op.get("parameters", []))


def test_response_schemas_list_the_fields_always_present(spec):
    schemas = spec["components"]["schemas"]
    out = schemas["ParticipantOut"]
    assert set(out["required"]) == set(out["properties"])
    assert {"id", "full_name", "email", "status", "checked_in_at", "group"} <= set(
        out["required"])
    # null where nothing is known yet: present, and nullable
    assert out["properties"]["checked_in_at"]["nullable"] is True
    assert set(schemas["ParticipantPage"]["required"]) == {
        "items", "page", "pages", "per_page", "total"}
    # written only sometimes: left optional
    assert set(schemas["Problem"]["required"]) == {"type", "title", "status", "detail"}
    assert schemas["HealthOut"]["required"] == ["status"]


def test_input_schemas_keep_their_own_required_fields(built, spec):
    """A schema any request uses lists exactly the fields its marshmallow schema requires."""
    plugin = built[2]
    schemas = spec["components"]["schemas"]
    assert schemas["ParticipantIn"]["required"] == ["email", "full_name"]
    assert "required" not in schemas["ParticipantPatch"]
    for name in ("ParticipantIn", "ParticipantPatch", "EventIn", "EventPatch", "GroupIn",
                 "AllocationIn", "RecommendationPatch", "SummaryIn", "CheckInIn",
                 "ProgrammeItemIn"):
        schema = plugin.schemas[name]
        wanted = sorted(field.data_key or key for key, field in schema.fields.items()
                        if field.required and not schema.partial)
        assert sorted(schemas[name].get("required", [])) == wanted, name


def test_downloads_declare_their_media_type_as_binary(spec):
    for path, media_type in DOWNLOADS.items():
        content = spec["paths"][path]["get"]["responses"]["200"]["content"]
        assert content == {media_type: {"schema": BINARY}}, path


def test_error_responses_are_problem_documents(spec):
    preconditions = 0
    for path, method, op in operations(spec):
        for status, response in op["responses"].items():
            if status == "default" or int(status) >= 400:
                content = resolved(spec, response)["content"]
                assert list(content) == [PROBLEM], (path, method, status)
                schema = resolved(spec, content[PROBLEM]["schema"])
                assert {"type", "title", "status", "detail"} <= set(schema["required"])
            if status == "412":
                preconditions += 1
                stale = resolved(spec, resolved(spec, response)["content"][PROBLEM]["schema"])
                assert stale["properties"]["current_version"]["type"] == "integer"
            if status == "428":
                preconditions += 1
    assert preconditions == 6  # the summary's PUT, a recommendation's PATCH and DELETE


def test_the_import_takes_multipart_or_a_csv_body(spec):
    body = spec["paths"]["/api/events/{event_id}/participants/import"]["post"]["requestBody"]
    assert body["required"] is True
    assert body["content"]["text/csv"] == {"schema": BINARY}
    form = body["content"]["multipart/form-data"]["schema"]
    assert form["required"] == ["file"] and form["properties"]["file"] == BINARY
