"""The desk: find a person as you type, check them in, register walk-ins."""

from __future__ import annotations

from collections import Counter
from typing import Any
from zoneinfo import ZoneInfo

import marshmallow as ma
from flask import flash, g, jsonify, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from allocator.api.schemas import ParticipantIn
from allocator.errors import DomainError
from allocator.extensions import db
from allocator.models import ACTIVE, GENDERS, Participant, utcnow
from allocator.services import participants
from allocator.services.allocation import published_run_id
from allocator.services.wording import DUTY_WORDS
from allocator.validation import COUNTRY_CODES, whole_number
from allocator.web.blueprint import bp
from allocator.web.forms import field_errors
from allocator.web.home import room_label
from allocator.web.session import page, render

RANK_LABELS = {1: _l("1st"), 2: _l("2nd"), 3: _l("3rd")}


def counters(event_id: int) -> dict[str, Any]:
    """Registered, checked in, and checked in per sector."""
    rows = db.session.execute(
        select(Participant.status, Participant.sector, func.count())
        .where(Participant.event_id == event_id, Participant.status.in_(ACTIVE))
        .group_by(Participant.status, Participant.sector)).all()
    by_sector: Counter = Counter()
    total = checked = 0
    for status, sector, count in rows:
        total += count
        if status == "checked_in":
            checked += count
            by_sector[sector] += count
    return {"registered": total, "checked_in": checked, "by_sector": dict(by_sector)}


def _search(q: str) -> list[Participant]:
    if not q.strip():
        return []
    return participants.search(g.event, {"q": q[:200], "per_page": 25, "page": 1,
                                         "sort": "name"}).items


# The desk's search text is a name: it travels in POST bodies and the server-side session,
# never in a URL (browser history, a proxy's log or the next person at a shared desk PC).
DESK_QUERY = "desk_q"


def _remember(q: str) -> str:
    q = q[:200]
    session[DESK_QUERY] = q
    return q


@bp.route("/events/<int:event_id>/desk", methods=["GET", "POST"])
@page("participants:read")
def desk(event_id: int):
    """Search box, results with one-click check-in, and the day's counters."""
    if request.method == "POST":  # the search form without JavaScript: remember, redirect
        _remember(request.form.get("q", ""))
        return redirect(url_for("web.desk", event_id=event_id))
    q = session.get(DESK_QUERY, "")
    return render("desk.html", q=q, results=_search(q), counts=counters(event_id))


@bp.route("/events/<int:event_id>/desk/results", methods=["POST"])
@page("participants:read")
def desk_results(event_id: int):
    """Just the results list, for the search-as-you-type script."""
    q = _remember(request.form.get("q", ""))
    return render("_results.html", q=q, results=_search(q))


@bp.route("/events/<int:event_id>/desk/counts")
@page("participants:read")
def desk_counts(event_id: int):
    """The day's counters as JSON ({registered, checked_in, by_sector}), for the desk page
    to keep current while this and other desks check people in: numbers, no names."""
    return jsonify(counters(event_id))


@bp.route("/events/<int:event_id>/desk/<int:participant_id>/check-in", methods=["POST"])
@page("participants:write")
def check_in(event_id: int, participant_id: int):
    """Check someone in (or undo it) and go back to the search."""
    try:
        if request.form.get("undo"):
            person = participants.undo_check_in(g.event, participant_id)
            flash(_("Check-in of %(name)s undone.", name=person.full_name))
        else:
            person = participants.check_in(g.event, participant_id)
            where = person.published_group
            flash(_("%(name)s is checked in.", name=person.full_name) + (
                " " + _("Group: %(group)s.", group=where["name"] + (
                    f", {room_label(where['room'])}" if where["room"] else ""))
                if where else ""))
    except DomainError as problem:
        flash(problem.detail, "error")
    return redirect(url_for("web.desk", event_id=event_id))


@bp.route("/events/<int:event_id>/desk/<int:participant_id>")
@page("participants:read")
def person(event_id: int, participant_id: int):
    """One person, with their group and room shown large."""
    return render("person.html", person=participants.read(g.event, participant_id),
                  published=published_run_id(g.event) is not None)


# The value of a theme's rank choice that rules the theme out ("not this theme").
VETO = "no"


def form_to_data(form: Any, themes: list[str]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """A registration form's fields as the API's input (the schema reads the rest), and
    the errors only the form can make (ranks given twice, or not from the list)."""
    errors: dict[str, list[str]] = {}
    ranks = [v for k, v in form.items() if k.startswith("rank-") and v and v != VETO]
    if len(ranks) != len(set(ranks)):
        errors["preferences"] = [_("Give each theme a different rank.")]
    if any(whole_number(v) is None for v in ranks):
        errors["preferences"] = [_("Choose each rank from the list (1st, 2nd, …).")]
    ranked = []
    for key in themes:
        number = whole_number(form.get(f"rank-{key}"))
        if number is not None:
            ranked.append((number, key))
    data: dict[str, Any] = {
        "full_name": form.get("full_name", ""),
        "email": form.get("email", ""),
        "organization": form.get("organization", ""),
        "sector": form.get("sector", ""),
        "role": form.get("role", "participant") or "participant",
        "duties": form.getlist("duties"),
        "preferences": [key for _, key in sorted(ranked)],
        "vetoes": [key for key in themes if form.get(f"rank-{key}") == VETO],
        "consent": form.get("consent") == "yes",
        "badge_shows_organization": form.get("badge_shows_organization") == "yes",
    }
    for name in ("country", "gender", "language"):
        if form.get(name, "").strip():
            data[name] = form[name]
    return data, errors


def event_is_today(event: Any) -> bool:
    """Whether the event takes place today, in its own time zone: the desk checks walk-ins
    in as it registers them then, and not weeks before (experts registered early)."""
    zone = ZoneInfo(event.timezone or "UTC")
    today = utcnow().astimezone(zone).date()
    return event.starts_at.astimezone(zone).date() <= today <= \
        event.ends_at.astimezone(zone).date()


def country_choices() -> list[tuple[str, str]]:
    """(code, name) of every country in the reader's language, by name, for a type-ahead
    list (the country field reads names in every language the pages speak)."""
    from allocator.i18n import country_name

    return sorted(((code, country_name(code)) for code in COUNTRY_CODES),
                  key=lambda pair: pair[1])


def form_context() -> dict[str, Any]:
    """What the registration and edit forms need besides the person."""
    return {"genders": GENDERS, "countries": country_choices(), "rank_labels": RANK_LABELS,
            "duty_labels": DUTY_WORDS}


@bp.route("/events/<int:event_id>/desk/register", methods=["GET", "POST"])
@page("participants:write")
def register(event_id: int):
    """Register a walk-in: the same rules as the API, every field's problem at once,
    said next to the field; someone with the same name is pointed out before they are
    registered twice under another e-mail."""
    themes = [t.key for t in g.event.themes]
    errors: dict[str, list[str]] = {}
    existing = None
    duplicates: list[Any] = []
    form = request.form
    if request.method == "POST":
        data, errors = form_to_data(form, themes)
        try:
            loaded = ParticipantIn().load(data)
        except ma.ValidationError as exc:
            errors.update(field_errors(exc.messages))
            loaded = None
        if loaded is not None and not errors and not form.get("not_a_duplicate"):
            duplicates = participants.possible_duplicates(g.event, loaded)
        if loaded is not None and not errors and not duplicates:
            try:
                person = participants.register(event_id, loaded)
            except DomainError as problem:
                if problem.errors:
                    errors.update(field_errors(problem.errors))
                elif problem.extra.get("existing_id"):
                    existing = problem.extra["existing_id"]
                    errors["email"] = [_("Someone is already registered with this e-mail.")]
                else:
                    errors["_form"] = [problem.detail]
            else:
                flash(_("%(name)s is registered.", name=person["full_name"]))
                if form.get("check_in"):
                    participants.check_in(g.event, person["id"])
                    flash(_("%(name)s is checked in.", name=person["full_name"]))
                return redirect(url_for("web.person", event_id=event_id,
                                        participant_id=person["id"]))
    status = 422 if errors else 200
    return render("register.html", form=form, errors=errors, existing=existing,
                  duplicates=duplicates, on_the_day=event_is_today(g.event),
                  **form_context()), status
