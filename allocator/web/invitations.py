"""Invitations on the pages: the invitee's own page (no account: the link is the key) and
the organisers' page of who was invited, what was sent and where each answer stands."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from allocator.api.schemas import ParticipantIn
from allocator.api.schemas.invitations import AnswerIn
from allocator.errors import DomainError
from allocator.i18n import PARTICIPANT_LANGUAGES, current_language, language_code
from allocator.i18n import country_name as i18n_country
from allocator.models import Participant
from allocator.services import invitations, notifications, participants, personal, programme
from allocator.services.events import consent_of
from allocator.services.networking import figures as networking_figures
from allocator.services.taxonomy import for_event, using
from allocator.validation import whole_number
from allocator.web.blueprint import bp
from allocator.web.desk import country_choices
from allocator.web.forms import (
    ANSWER_LABELS,
    TICKET_QR_TITLE,
    check_personal_form,
    field_errors,
    participant_errors,
    personal_visit,
)
from allocator.web.networking import section as networking_section
from allocator.web.session import page, render


def _answer_form(person: Participant, themes: int) -> dict[str, str]:
    form = {"answer": "" if person.status in ("invited",) else
            ("decline" if person.status == "declined" else "accept"),
            "full_name": person.full_name, "organization": person.organization,
            "sector": person.sector or "",
            "country": i18n_country(person.country) if person.country else "",
            "consent": "yes" if person.consent else "",
            "badge_shows_organization": "yes" if person.badge_shows_organization else ""}
    for rank, key in enumerate(person.preference_keys[:themes], start=1):
        form[f"preference_{rank}"] = key
    form["vetoes"] = list(person.vetoes or [])
    return form


def _form_to_answer(form: Any, count: int) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The page's fields as AnswerIn's input, and the errors only the form can make."""
    errors: dict[str, list[str]] = {}
    chosen = [form.get(f"preference_{n}", "").strip() for n in range(1, count + 1)]
    chosen = [key for key in chosen if key]
    if len(chosen) != len(set(chosen)):
        errors["preferences"] = [_("Choose each theme once.")]
    data: dict[str, Any] = {"answer": form.get("answer", "")}
    if data["answer"] == "accept":
        data.update(full_name=form.get("full_name", ""),
                    organization=form.get("organization", ""),
                    sector=form.get("sector", ""), preferences=list(dict.fromkeys(chosen)),
                    vetoes=list(dict.fromkeys(form.getlist("vetoes"))),
                    consent=form.get("consent") == "yes",
                    badge_shows_organization=form.get("badge_shows_organization") == "yes")
        if form.get("country", "").strip():
            data["country"] = form["country"]
        for name in ("full_name", "organization", "sector"):
            if not str(data[name]).strip():
                data.pop(name)
    return data, errors


@bp.route("/i/<secret>", methods=["GET", "POST"])
def personal_page(secret: str):
    """An invitee's own page: the event, the consent text, and their answer (no account,
    no JavaScript needed); read-only after the registration deadline."""
    visit = personal_visit(secret)
    event, person = visit.event, visit.person
    themes = list(event.themes)
    errors: dict[str, list[str]] = {}
    form: Any = _answer_form(person, len(themes))
    status = 200
    if request.method == "POST":
        check_personal_form(visit)
        form = request.form
        if not visit.open_for_answers:
            errors = {"_form": ["Answers are closed for this event."]}
        else:
            data, errors = _form_to_answer(form, len(themes))
            if not person.language:  # they answered reading this page: they read this
                data["language"] = current_language()
            with using(for_event(event)):
                try:
                    loaded = AnswerIn().load(data)
                except ma.ValidationError as exc:
                    errors.update(participant_errors(exc.messages))
                    loaded = None
            if loaded is not None and not errors:
                try:
                    personal.answer(visit, loaded)
                except DomainError as problem:
                    errors = participant_errors(problem.field_errors())
                else:
                    return redirect(url_for("web.personal_page", secret=secret,
                                            saved=loaded["answer"]), code=303)
        status = 422 if errors else 200
    else:
        personal.opened(visit)
    shown = programme.with_speakers(event, programme.items(event))
    consent = consent_of(event.consent_text)
    return render_template(
        "invitations/personal.html", event=event, person=person, themes=themes,
        form=form, errors=errors, labels=ANSWER_LABELS, user=None,
        csrf_token=personal.form_token(visit), open=visit.open_for_answers,
        saved=request.args.get("saved") if request.method == "GET" else None,
        closes=invitations.local_time(event, invitations.closes_at(event)),
        when=invitations.when(event), consent_text=consent[0], consent_version=consent[1],
        countries=country_choices(), ticket_svg=_ticket(person),
        taxonomy=for_event(event), programme_items=shown, secret=secret,
        net=networking_section(visit), languages=PARTICIPANT_LANGUAGES,
        programme_spans={item.id: programme.span(event, item) for item in shown}), status


@bp.route("/i/<secret>/language", methods=["POST"])
def personal_language(secret: str):
    """The person chooses the language they read: stored, then their page again in it."""
    visit = personal_visit(secret)
    check_personal_form(visit)
    try:
        code = language_code(request.form.get("language", ""))
    except ValueError:
        abort(400, description=_("Choose one of the languages offered."))
    personal.choose_language(visit, code)
    return redirect(url_for("web.personal_page", secret=secret), code=303)


def _ticket(person: Participant) -> str | None:
    """The person's ticket as an inline SVG QR code, once they are registered."""
    from allocator.services import tickets

    if person.status not in ("registered", "checked_in"):
        return None
    return tickets.qr_svg(tickets.payload(person), scale=5, title=str(TICKET_QR_TITLE))


# --- the organisers' page -------------------------------------------------------

@bp.route("/events/<int:event_id>/invitations")
@page("invitations:write")
def invitations_page(event_id: int):
    """Who was invited, what was sent, who answered; the links to hand over while no SMTP
    server is configured."""
    return _organiser_page({}, {})


def _organiser_page(form: Any, errors: dict[str, list[str]]) -> str:
    return render("invitations/organiser.html", standing=invitations.standings(g.event),
                  networking=networking_figures(g.event),
                  smtp=bool(current_app.config.get("SMTP_URL")), form=form, errors=errors,
                  mail_every=None if current_app.config.get("REDIS_URL") else
                  current_app.config.get("MAIL_EVERY_S"),
                  closes=invitations.local_time(g.event, invitations.closes_at(g.event)),
                  open=invitations.answers_open(g.event))


@bp.route("/events/<int:event_id>/invitations/invitees", methods=["POST"])
@page("invitations:write")
def add_invitee(event_id: int):
    """Add someone to invite: a name and an e-mail are enough."""
    data = {"full_name": request.form.get("full_name", ""),
            "email": request.form.get("email", ""), "status": "invited"}
    errors: dict[str, list[str]] = {}
    try:
        loaded = ParticipantIn().load(data)
    except ma.ValidationError as exc:
        errors = field_errors(exc.messages)
    else:
        try:
            participants.register(event_id, loaded)
        except DomainError as problem:
            errors = field_errors(problem.errors or {"email": [problem.detail]})
        else:
            flash(_("%(name)s is on the list; send the invitation below.",
                    name=loaded["full_name"]), "ok@invitees")
            return redirect(url_for("web.invitations_page", event_id=event_id) + "#invitees")
    return _organiser_page(request.form, errors), 422


@bp.route("/events/<int:event_id>/invitations/send", methods=["POST"])
@page("invitations:write")
def send_invitations(event_id: int):
    """Queue invitations: to everyone not invited yet, or again to one person."""
    one = whole_number(request.form.get("participant_id"))
    data: dict[str, Any] = {}
    if one is not None:
        data = {"participant_ids": [one], "resend": True}
    try:
        done = invitations.invite(g.event, data)
    except DomainError as problem:
        flash(problem.detail, "error@invitations")
    else:
        if done["queued"]:
            flash(ngettext("%(num)d invitation queued.", "%(num)d invitations queued.",
                          done["queued"]), "ok@invitations")
        else:
            flash(_("Everyone on the list has been sent an invitation already."),
                  "ok@invitations")
    return redirect(url_for("web.invitations_page", event_id=event_id) + "#invitations")


@bp.route("/events/<int:event_id>/invitations/<int:participant_id>/revoke", methods=["POST"])
@page("invitations:write")
def revoke_links(event_id: int, participant_id: int):
    """End every link of one person."""
    person = invitations.revoke(g.event, participant_id)
    flash(_("%(name)s's links no longer work.", name=person.full_name), "ok@invitations")
    return redirect(url_for("web.invitations_page", event_id=event_id) + "#invitations")


@bp.route("/events/<int:event_id>/notifications", methods=["POST"])
@page("invitations:write")
def send_notifications(event_id: int):
    """Queue group announcements or change notices."""
    kind = request.form.get("kind", "")
    if kind not in ("groups", "changes"):
        abort(400, description=_("Choose what to send."))
    try:
        done = notifications.notify(g.event, kind, again=bool(request.form.get("again")))
    except DomainError as problem:
        flash(problem.detail, "error@notifications")
    else:
        flash(ngettext("%(num)d message queued.", "%(num)d messages queued.", done["queued"])
              if done["queued"] else _("No message queued: everyone knows their current "
                                       "group already."), "ok@notifications")
    return redirect(url_for("web.invitations_page", event_id=event_id) + "#notifications")
