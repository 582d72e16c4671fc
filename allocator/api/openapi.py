"""What the OpenAPI document tells a generated client beyond what flask-smorest writes.

An apispec plugin (:class:`ClientDocs`, given to the spec in ``create_app``) gives every
operation a stable ``operationId`` (:data:`OPERATION_IDS`), declares the
``Idempotency-Key`` header on every POST that :func:`allocator.auth.require` guards (it
honours the key there), and gives every error response declared with a description alone
its problem+json body. When the blueprints are registered, :func:`finish`
lists the fields of every response-only schema as required: a dump always writes them
(``null`` where a field allows none), except a field whose metadata says
``"optional": True`` (written only sometimes). A schema any request body or parameter
uses keeps what its fields say: input rules never change here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

import marshmallow as ma
from apispec import APISpec, BasePlugin

from allocator.problems import PROBLEM_MIMETYPE

# A download's body, for a 200 response declared with its media type.
BINARY = {"type": "string", "format": "binary"}
IDEMPOTENCY_KEY = "IdempotencyKey"
IDEMPOTENCY_PARAMETER = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "description": "A new key for each new request (1 to 255 printable ASCII characters): "
                   "the request is done once however often it is sent with this key, and "
                   "a repeat gets the first answer (with 'Idempotent-Replayed: true').",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255,
               "pattern": "^[!-~]([ -~]*[!-~])?$"},
}

# endpoint (blueprint.View) -> method -> operationId: a generated client's function names.
OPERATION_IDS: dict[str, dict[str, str]] = {
    "health.Live": {"get": "check_liveness"},
    "health.Health": {"get": "check_health"},
    "events.EventList": {"get": "list_events", "post": "create_event"},
    "events.EventItem": {"get": "get_event", "patch": "update_event"},
    "themes.ThemeList": {"get": "list_themes", "post": "create_theme"},
    "themes.ThemeItem": {"get": "get_theme", "patch": "update_theme",
                         "delete": "delete_theme"},
    "groups.GroupList": {"get": "list_groups", "post": "create_group"},
    "groups.GroupItem": {"get": "get_group", "patch": "update_group",
                         "delete": "delete_group"},
    "participants.ParticipantList": {"get": "list_participants",
                                     "post": "register_participant"},
    "participants.ParticipantItem": {"get": "get_participant",
                                     "patch": "update_participant",
                                     "delete": "withdraw_participant"},
    "participants.CheckIn": {"post": "check_in_participant", "delete": "undo_check_in"},
    "participants.PersonalData": {"get": "export_participant_data"},
    "participants.Erase": {"post": "erase_participant"},
    "participants.Import": {"post": "import_participants"},
    "rules.RuleList": {"get": "list_rules", "post": "create_rule"},
    "rules.RuleItem": {"get": "get_rule", "delete": "delete_rule"},
    "allocations.RunList": {"get": "list_allocation_runs", "post": "run_allocation"},
    "allocations.RunItem": {"get": "get_allocation_run", "delete": "delete_allocation_run"},
    "allocations.RunReport": {"get": "get_allocation_report"},
    "allocations.Publish": {"post": "publish_allocation_run"},
    "allocations.Move": {"patch": "move_participant"},
    "late.LateList": {"get": "list_late_arrivals"},
    "late.Place": {"post": "place_late_arrival"},
    "invitations.Invitations": {"get": "list_invitations", "post": "send_invitations"},
    "invitations.Invitation": {"delete": "revoke_invitation"},
    "invitations.Messages": {"get": "list_messages"},
    "invitations.Notifications": {"post": "send_notifications"},
    "recommendations.AllRecommendations": {"get": "list_recommendations"},
    "recommendations.Order": {"put": "order_recommendations"},
    "recommendations.GroupRecommendations": {"get": "list_group_recommendations",
                                             "post": "create_recommendation"},
    "recommendations.GroupSummary": {"get": "get_group_summary",
                                     "put": "write_group_summary"},
    "recommendations.Lock": {"post": "lock_recommendations",
                             "delete": "unlock_recommendations"},
    "recommendations.RecommendationItem": {"get": "get_recommendation",
                                           "patch": "update_recommendation",
                                           "delete": "delete_recommendation"},
    "report.ReportDocx": {"get": "download_report_docx"},
    "report.ReportPdf": {"get": "download_report_pdf"},
    "report.Release": {"get": "get_report_release", "post": "release_report",
                       "delete": "withdraw_report_release"},
    "tickets.TicketPng": {"get": "download_ticket_png"},
    "tickets.Ticket": {"post": "replace_ticket"},
    "tickets.CheckIns": {"post": "check_in_by_ticket"},
    "tickets.Badges": {"get": "download_badges_pdf"},
    "tickets.SignInSheet": {"get": "download_sign_in_sheet_pdf"},
    "exports.AllGroupsCsv": {"get": "download_groups_csv"},
    "exports.AllGroupsXlsx": {"get": "download_groups_xlsx"},
    "exports.GroupCsv": {"get": "download_group_csv"},
    "team.Team": {"get": "list_team", "post": "add_team_member"},
    "team.Member": {"delete": "remove_team_member"},
    "team.Link": {"post": "send_sign_in_link"},
    "team.Tokens": {"post": "create_token"},
    "team.Token": {"delete": "revoke_token"},
    "programme.Programme": {"get": "list_programme_items", "post": "create_programme_item"},
    "programme.ProgrammeItem": {"get": "get_programme_item",
                                "patch": "update_programme_item",
                                "delete": "delete_programme_item"},
    "audit.AuditLog": {"get": "list_audit_entries"},
    "me.Me": {"get": "get_my_networking"},
    "me.Directory": {"get": "search_directory", "put": "choose_my_directory_listing"},
    "me.MeetCode": {"get": "get_my_meet_code"},
    "me.Contacts": {"get": "list_my_contacts", "post": "request_contact_exchange"},
    "me.Accept": {"post": "accept_contact_request"},
    "me.Decline": {"post": "decline_contact_request"},
    "me.ContactsCard": {"get": "download_my_contacts_vcf"},
    "networking.Figures": {"get": "get_networking_figures"},
}
METHODS = ("get", "put", "post", "patch", "delete")


def operation_id(endpoint: str, method: str) -> str:
    """The operationId of ``method`` on ``endpoint``; one made from both if none is named."""
    named = OPERATION_IDS.get(endpoint, {}).get(method)
    if named:
        return named
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", endpoint.replace(".", "_")).lower()
    return f"{method}_{words}"


def _refs(node: Any) -> Iterator[str]:
    """The names of the component schemas ``node`` refers to, at any depth."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            yield ref.rsplit("/", 1)[1]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def _closure(names: Iterable[str], schemas: dict[str, Any]) -> set[str]:
    """``names`` and every component schema they lead to."""
    found: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        if name not in found:
            found.add(name)
            todo.extend(_refs(schemas.get(name, {})))
    return found


class ClientDocs(BasePlugin):
    """The apispec plugin that fills in what a generated client needs (see the module)."""

    def __init__(self) -> None:
        self.spec: APISpec | None = None
        self.schemas: dict[str, ma.Schema] = {}

    def init_spec(self, spec: APISpec) -> None:
        """Keep the spec and declare the Idempotency-Key header once, for reference."""
        self.spec = spec
        spec.components.parameter(IDEMPOTENCY_KEY, "header", dict(IDEMPOTENCY_PARAMETER))

    def schema_helper(self, name: str, definition: dict, **kwargs: Any) -> None:
        """Remember which marshmallow schema each component is (for :meth:`finish`)."""
        schema = kwargs.get("schema")
        if schema is not None:
            self.schemas[name] = schema() if isinstance(schema, type) else schema

    def operation_helper(self, path: str | None = None, operations: dict | None = None,
                         **kwargs: Any) -> None:
        """Name each operation, declare Idempotency-Key where it is honoured, and give a
        content-less error response its problem document."""
        rule = kwargs.get("rule")
        assert self.spec is not None
        problem = self.spec.components.get_ref("schema", "Problem")
        for method, operation in (operations or {}).items():
            if method not in METHODS:
                continue
            if rule is not None:
                operation.setdefault("operationId", operation_id(rule.endpoint, method))
            # Every API view guarded by require() carries its security; require() runs POSTs
            # sent with an Idempotency-Key once (allocator.idempotency).
            if method == "post" and operation.get("security"):
                operation.setdefault("parameters", []).append(IDEMPOTENCY_KEY)
            for status, response in operation.get("responses", {}).items():
                if (str(status).isdigit() and int(status) >= 400 and isinstance(response, dict)
                        and "content" not in response):
                    response["content"] = {PROBLEM_MIMETYPE: {"schema": dict(problem)}}

    def finish(self) -> None:
        """List every field of each response-only schema as required (see the module)."""
        assert self.spec is not None
        document = self.spec.to_dict()
        schemas = document.get("components", {}).get("schemas", {})
        asked: list[str] = []
        answered: list[str] = []
        for item in document.get("paths", {}).values():
            asked.extend(_refs(item.get("parameters", [])))
            for method, operation in item.items():
                if method in METHODS:
                    asked.extend(_refs(operation.get("parameters", [])))
                    asked.extend(_refs(operation.get("requestBody", {})))
                    answered.extend(_refs(operation.get("responses", {})))
        inputs = _closure(asked, schemas)
        for name in sorted(_closure(answered, schemas) - inputs):
            schema = self.schemas.get(name)
            component = self.spec.components.schemas.get(name)
            if schema is None or component is None:
                continue
            properties = component.get("properties", {})
            required = list(component.get("required", []))
            for field_name, field in schema.fields.items():
                key = field.data_key or field_name
                if (key in properties and key not in required and not field.load_only
                        and not field.metadata.get("optional")):
                    required.append(key)
            if required:
                component["required"] = sorted(required)


def finish(spec: APISpec) -> None:
    """Run :meth:`ClientDocs.finish` for ``spec`` (once its blueprints are registered)."""
    for plugin in spec.plugins:
        if isinstance(plugin, ClientDocs):
            plugin.finish()
