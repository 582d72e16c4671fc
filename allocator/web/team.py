"""The Team page (organisers): give staff access by e-mail, end it at once, make API
tokens; and the sign-in link's own page, for the staff member who opens it."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from allocator.api.schemas.team import MemberIn, TokenIn
from allocator.errors import DomainError
from allocator.services import team
from allocator.validation import whole_number
from allocator.web.blueprint import bp
from allocator.web.forms import field_errors, said
from allocator.web.session import check_csrf, csrf_token, page, render

ROLE_CHOICES = [("facilitator", _l("Facilitator (their group's list and recommendations)")),
                ("desk", _l("Registration desk")), ("viewer", _l("Viewer (published lists)")),
                ("organizer", _l("Organiser (everything)"))]


def _page(form: Any = None, errors: dict[str, list[str]] | None = None,
          made: str | None = None, token_form: Any = None,
          token_errors: dict[str, list[str]] | None = None, status: int = 200) -> Any:
    groups = {grp.id: grp for grp in g.event.groups}
    return render("team/team.html", members=team.members(g.event),
                  tokens=team.api_tokens(g.event), links=team.unsent_links(g.event),
                  groups=groups, roles=ROLE_CHOICES, role_words=team.ROLE_WORDS,
                  smtp=bool(current_app.config.get("SMTP_URL")), form=form or {},
                  errors=errors or {}, made=made, token_form=token_form or {},
                  token_errors=token_errors or {}), status


def _load(schema: ma.Schema, form: Any) -> tuple[dict[str, Any] | None, dict[str, list[str]]]:
    data: dict[str, Any] = {name: form.get(name, "") for name in ("name", "email", "role")
                            if name in schema.fields}
    group = form.get("group_id", "")
    if group:
        data["group_id"] = whole_number(group) or group
    try:
        return schema.load(data), {}
    except ma.ValidationError as exc:
        return None, field_errors(exc.messages)


@bp.route("/events/<int:event_id>/team")
@page("team:read")
def team_page(event_id: int):
    """The team: who has access, their links, and the event's API tokens."""
    return _page()


@bp.route("/events/<int:event_id>/team", methods=["POST"])
@page("team:write")
def add_member(event_id: int):
    """Give someone access: they get a sign-in link by e-mail."""
    data, errors = _load(MemberIn(), request.form)
    if data is not None:
        try:
            member = team.add_member(g.event, data)
        except DomainError as error:
            errors = error.field_errors()
        else:
            flash(_("%(name)s is in the team; their sign-in link is on its way.",
                    name=member.name),
                  "ok@members")
            return redirect(url_for("web.team_page", event_id=event_id) + "#members")
    return _page(form=request.form, errors=errors, status=422)


@bp.route("/events/<int:event_id>/team/<int:member_id>/link", methods=["POST"])
@page("team:write")
def send_link(event_id: int, member_id: int):
    """Send a member a new sign-in link (the old one stops working)."""
    try:
        member = team.send_new_link(g.event, member_id)
    except DomainError as error:
        flash(said(error), "error@members")
    else:
        flash(_("A new sign-in link for %(name)s is on its way; the old one no longer works.",
                name=member.name), "ok@members")
    return redirect(url_for("web.team_page", event_id=event_id) + "#members")


@bp.route("/events/<int:event_id>/team/<int:member_id>/delete", methods=["POST"])
@page("team:write")
def remove_member(event_id: int, member_id: int):
    """End a member's access at once (their link and every session it started)."""
    member = team.remove_member(g.event, member_id)
    flash(_("%(name)s no longer has access; any page they had open is signed out.",
            name=member.name),
          "ok@members")
    return redirect(url_for("web.team_page", event_id=event_id) + "#members")


@bp.route("/events/<int:event_id>/tokens", methods=["POST"])
@page("team:write")
def add_token(event_id: int):
    """Make an API token: shown once on the answer (never stored, never flashed)."""
    data, errors = _load(TokenIn(), request.form)
    if data is not None:
        try:
            made = team.new_api_token(g.event, data)
        except DomainError as error:
            errors = error.field_errors()
        else:
            return _page(made=made)
    # the token form's fields have ids of their own (the member form has name and e-mail)
    renamed = {"name": "token-name", "role": "token-role", "group_id": "token-group"}
    return _page(token_form=request.form, status=422,
                 token_errors={renamed.get(k, k): v for k, v in errors.items()})


@bp.route("/events/<int:event_id>/tokens/<int:token_id>/delete", methods=["POST"])
@page("team:write")
def revoke_token(event_id: int, token_id: int):
    """Revoke an API token (pages signed in with it are signed out at once)."""
    try:
        token = team.revoke_api_token(g.event, token_id)
    except DomainError as error:
        flash(said(error), "error@tokens")
    else:
        flash(_("The token %(name)s no longer works.", name=token.name), "ok@tokens")
    return redirect(url_for("web.team_page", event_id=event_id) + "#tokens")


# --- the sign-in link -----------------------------------------------------------------

@bp.route("/sign-in/<secret>", methods=["GET", "POST"])
def sign_in_by_link(secret: str):
    """A staff member's sign-in link: opening it shows whose it is; the button signs in
    (a mail program that opens links to check them signs nobody in)."""
    visit = team.by_link(secret)
    if visit is None:
        # One answer for unknown, replaced, expired and ended links.
        abort(404, description=_("This sign-in link does not work (any more). Ask the "
                                 "organisers to send you a new one."))
    if request.method == "POST":
        check_csrf()
        token_id = team.signed_in(visit)
        session.clear()
        session["token_id"] = token_id  # the session store gives it a new id
        return redirect(url_for("web.index"))
    return render_template("team/sign_in.html", visit=visit, user=None, event=visit.event,
                           csrf_token=csrf_token(), role=team.ROLE_WORDS[visit.member.role],
                           group=visit.member.group_id and next(
                               (grp for grp in visit.event.groups
                                if grp.id == visit.member.group_id), None))
