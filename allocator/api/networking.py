"""Networking as JSON. A person's own (``/api/me``), authorised by their personal link's
secret as a bearer token (never logged: it travels in a header, never in an address);
and the organisers' figures (numbers only)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import marshmallow as ma
from flask import Response, g, request
from flask.views import MethodView
from marshmallow import fields, validate

from allocator.api.blueprint import Blueprint
from allocator.api.fields import StrictBoolean
from allocator.api.schemas.common import StrictSchema
from allocator.auth import require
from allocator.problems import abort_problem
from allocator.services import networking, personal
from allocator.services.events import get_event
from allocator.services.invitations import personal_url

blp = Blueprint("me", __name__, url_prefix="/api/me",
                description="A person's own networking, by their personal link's secret")

F = TypeVar("F", bound=Callable[..., Any])


def personal_link(view: F) -> F:
    """Authorise a view by the personal link's secret (``Authorization: Bearer <secret>``):
    401, in the same words, for a missing, unknown, revoked, erased person's or purged
    event's link."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
        visit = personal.find(raw.strip()) if scheme.lower() == "bearer" else None
        if visit is None:
            abort_problem(401, "Send 'Authorization: Bearer <the secret of your personal "
                               "link>' (the last part of its address); this one does not "
                               "work (any more).", title="Unauthorized",
                          headers={"WWW-Authenticate": 'Bearer realm="personal link"'})
        g.visit = visit
        return view(*args, **kwargs)

    wrapper.permission = "personal-link"  # type: ignore[attr-defined]  (the access walk)
    doc = getattr(wrapper, "_apidoc", {})
    wrapper._apidoc = {**doc, "manual_doc": {**doc.get("manual_doc", {}),
                                             "security": [{"personalLink": []}]}}
    return wrapper  # type: ignore[return-value]


def _visit() -> personal.Visit:
    return g.visit


SHAREABLE = list(networking.SHAREABLE)


class DirectoryIn(StrictSchema):
    """Body of PUT /api/me/directory."""

    listed = StrictBoolean(required=True, metadata={
        "description": "Listed in the event's directory (off by default); true stores the "
                       "consent (consent_text, consent_version of GET /api/me)"})
    shared = fields.List(fields.String(validate=validate.OneOf(SHAREABLE)),
                         data_key="fields", load_default=list,
                         validate=validate.Length(max=len(SHAREABLE)),
                         metadata={"description": "What is shown beside the name, in the "
                                                  "directory and to accepted contacts"})
    about = fields.String(load_default="", validate=validate.Length(max=200),
                          metadata={"description": "A short 'I work on' line"})


class DirectoryQuery(StrictSchema):
    """Query of GET /api/me/directory."""

    q = fields.String(load_default="", validate=validate.Length(max=100))
    sector = fields.String(load_default="", validate=validate.Length(max=64))
    country = fields.String(load_default="", validate=validate.Length(max=2))
    theme = fields.String(load_default="", validate=validate.Length(max=64))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10_000))


class Shown(ma.Schema):
    """A person as they chose to be seen: the name, and only the fields they share."""

    full_name = fields.String(required=True)
    organization = fields.String(metadata={"optional": True})
    sector = fields.String(metadata={"optional": True})
    country = fields.String(metadata={"optional": True})
    email = fields.String(metadata={"optional": True})
    themes = fields.String(metadata={"optional": True})
    about = fields.String(required=True)


class Incoming(ma.Schema):
    """A request waiting for the person's answer: who asks (their name only)."""

    id = fields.Integer(required=True)
    full_name = fields.String(required=True)


class Sent(ma.Schema):
    """A request the person sent and that is not accepted (never to whom)."""

    sent_at = fields.String(required=True)


class ContactsOut(ma.Schema):
    """Requests in, requests out, accepted contacts."""

    incoming = fields.List(fields.Nested(Incoming), required=True)
    sent = fields.List(fields.Nested(Sent), required=True)
    accepted = fields.List(fields.Nested(Shown), required=True)


class MeOut(ContactsOut):
    """What the person's networking section shows."""

    listed = fields.Boolean(required=True)
    fields_ = fields.List(fields.String(), data_key="fields", attribute="fields",
                          required=True)
    about = fields.String(required=True)
    consent_text = fields.String(required=True)
    consent_version = fields.String(required=True)
    shown_as = fields.Nested(Shown, required=True,
                             metadata={"description": "How others see you"})


class DirectoryOut(ma.Schema):
    """One page of the directory."""

    items = fields.List(fields.Nested(Shown), required=True)
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    facets = fields.Dict(required=True, metadata={
        "description": "The sectors, countries and themes one can filter by (only values "
                       "people chose to share)"})


class MeetCodeOut(ma.Schema):
    """The person's meet code and its QR image's address."""

    code = fields.String(required=True)
    qr = fields.String(required=True, metadata={"description": "Address of the QR PNG"})


class CodeIn(StrictSchema):
    """Body of POST /api/me/contacts."""

    code = fields.String(required=True, validate=validate.Length(min=1, max=100))


class SentOut(ma.Schema):
    """The same answer whoever or nobody the code belongs to."""

    sent = fields.Boolean(required=True)
    detail = fields.String(required=True)


@blp.route("")
class Me(MethodView):
    """What the person's page shows of networking."""

    @personal_link
    @blp.response(200, MeOut)
    def get(self):
        """Your directory choice and your contacts"""
        visit = _visit()
        return networking.me(visit.person, visit.event)


@blp.route("/directory")
class Directory(MethodView):
    """The event's directory."""

    @personal_link
    @blp.arguments(DirectoryQuery, location="query")
    @blp.response(200, DirectoryOut)
    def get(self, args):
        """Search the people who chose to be listed (by name, and by what they share)"""
        visit = _visit()
        return networking.directory(visit.person, visit.event, visit.link.secret_hash, args)

    @personal_link
    @blp.arguments(DirectoryIn)
    @blp.response(200, MeOut)
    def put(self, data):
        """Be listed or not, and choose what you share"""
        visit = _visit()
        return networking.set_directory(visit.person, visit.event, {
            "listed": data["listed"], "fields": data["shared"], "about": data["about"]})


@blp.route("/meet-code")
class MeetCode(MethodView):
    """The person's meet code."""

    @personal_link
    @blp.response(200, MeetCodeOut)
    def get(self):
        """Your meet code (not your ticket) and its QR image's address"""
        visit = _visit()
        code = networking.meet_code(visit.person, visit.event)
        secret = request.headers["Authorization"].partition(" ")[2].strip()
        return {"code": code, "qr": personal_url(secret) + "/meet.png"}


@blp.route("/contacts")
class Contacts(MethodView):
    """Contact requests and accepted contacts."""

    @personal_link
    @blp.response(200, ContactsOut)
    def get(self):
        """Requests in, requests out, accepted contacts"""
        visit = _visit()
        return networking.contacts(visit.person, visit.event)

    @personal_link
    @blp.arguments(CodeIn)
    @blp.response(202, SentOut)
    def post(self, data):
        """Ask the owner of a meet code to exchange contacts (the answer reveals nothing)"""
        visit = _visit()
        return networking.request_contact(visit.person, visit.event, data["code"])


@blp.route("/contacts/<int:request_id>/accept")
class Accept(MethodView):
    """Accepting a request."""

    @personal_link
    @blp.response(200, ContactsOut)
    def post(self, request_id):
        """Accept a request made to you: each then sees what the other shares"""
        visit = _visit()
        return networking.answer_request(visit.person, visit.event, request_id, True)


@blp.route("/contacts/<int:request_id>/decline")
class Decline(MethodView):
    """Declining a request."""

    @personal_link
    @blp.response(200, ContactsOut)
    def post(self, request_id):
        """Decline a request made to you (the requester is never told)"""
        visit = _visit()
        return networking.answer_request(visit.person, visit.event, request_id, False)


@blp.route("/contacts.vcf")
class ContactsCard(MethodView):
    """The accepted contacts as vCards."""

    @personal_link
    @blp.response(200, description="vCard 3.0 file",
                  content_type="text/vcard")
    def get(self):
        """Your accepted contacts as a vCard file"""
        visit = _visit()
        body = networking.vcards(networking.accepted(visit.person, visit.event))
        return Response(body, mimetype="text/vcard", headers={
            "Content-Disposition": 'attachment; filename="contacts.vcf"'})



org_blp = Blueprint("networking", __name__, url_prefix="/api/events/<int:event_id>",
                    description="Networking as numbers, for the organisers")


class FiguresOut(ma.Schema):
    """How the workshop's networking went, as numbers only."""

    listed = fields.Integer(required=True, metadata={"description": "People listed"})
    requests = fields.Integer(required=True, metadata={"description": "Requests sent"})
    accepted = fields.Integer(required=True, metadata={"description": "Exchanges accepted"})


@org_blp.route("/networking")
class Figures(MethodView):
    """Networking figures."""

    @require("event:write")
    @org_blp.response(200, FiguresOut)
    def get(self, event_id):
        """How many are listed, requests sent, exchanges accepted (never who met whom)"""
        return networking.figures(get_event(event_id))
