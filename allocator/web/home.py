"""Signing in and out, choosing an event, and error pages."""

from __future__ import annotations

import re
from urllib.parse import unquote
from zoneinfo import ZoneInfo

from flask import flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from allocator.access import Principal
from allocator.auth import sign_in_attempt
from allocator.i18n import STAFF_LANGUAGES, http_title, room_phrase
from allocator.normalise import fold, humanise
from allocator.services import wording
from allocator.services.events import list_events
from allocator.services.taxonomy import for_event
from allocator.web.blueprint import bp
from allocator.web.forms import LABELS
from allocator.web.session import check_csrf, csrf_token, current_user, render


@bp.app_template_global()
def home_for(user: Principal | None, event_id: int) -> str:
    """Where a role starts on an event's pages."""
    if user is not None and user.role == "organizer":
        return url_for("web.allocate", event_id=event_id)
    if user is not None and user.role == "facilitator":
        return url_for("web.recommendations_page", event_id=event_id,
                       group_id=user.group_id or 0)
    return url_for("web.desk", event_id=event_id)


@bp.app_template_global()
def sector_label(key: str) -> str:
    """How a sector of the page's event reads ("Private sector")."""
    event = g.get("event")
    return for_event(event).label(key) if event is not None else humanise(key)


@bp.app_template_global()
def field_label(name: str) -> str:
    """How a form field is called in an error summary ("organization" -> "Organisation")."""
    return LABELS.get(name) or humanise(name)


ROOM_WORDS = {"room", "rooms", "raum", "salle", "sala", "aula", "hall", "auditorium"}


@bp.app_template_global()
def duty_words(duties: list[str]) -> str:
    """Programme duties as people read them ("Chair, Speaker")."""
    return wording.duty_words(duties)


@bp.app_template_global()
def room_label(room: str) -> str:
    """A room as a sentence names it: "room M1", but "Room C06" or "Board Room C" (already
    said) as it is."""
    return room if ROOM_WORDS & set(fold(room).split()) else room_phrase(room)


@bp.app_template_global()
def event_zone(event: object) -> ZoneInfo:
    """The event's time zone, to show its times as the people there read them."""
    return ZoneInfo(getattr(event, "timezone", "UTC") or "UTC")


# A path of this site: "/" then path characters only. No scheme, no host, no white space
# or control characters (browsers drop tabs and line breaks, so "/\t/evil" is "//evil"),
# no backslash (read as a slash), and not "//" (a host) at the start.
_SAFE_PATH = re.compile(r"/(?![/\\])[A-Za-z0-9\-._~!$&'()*+,;=:@/%?]*")


def safe_next(target: str) -> str | None:
    """``target`` if it is a same-site relative path to go to after sign-in, else None."""
    if len(target) > 2000 or not _SAFE_PATH.fullmatch(target):
        return None
    decoded = unquote(target)
    if decoded.startswith("//") or any(ch == "\\" or ord(ch) < 32 or ord(ch) == 127
                                       for ch in decoded):
        return None
    return target


@bp.route("/")
def index():
    """Send people to sign in, or to their event."""
    user = current_user()
    if user is None:
        return redirect(url_for("web.sign_in"))
    events = list_events(user)
    if len(events) == 1:
        return redirect(home_for(user, events[0].id))
    return render("events.html", events=events)


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    """Paste a token once; a session cookie keeps it."""
    error = None
    if request.method == "POST":
        check_csrf()
        raw = request.form.get("token", "").strip()
        token, wait = sign_in_attempt(raw)
        if wait:
            error = f"Too many failed attempts. Try again in {wait} seconds."
        elif token is None:
            error = "That token is not valid. Paste the whole token you were given."
        else:
            session.clear()
            session["token_id"] = token.id  # the session store gives it a new id
            return redirect(safe_next(request.args.get("next", "")) or url_for("web.index"))
    return render_template("sign_in.html", error=error, csrf_token=csrf_token(), user=None,
                           event=None), 401 if error else 200


@bp.route("/sign-out", methods=["POST"])
def sign_out():
    """Forget the token on this device."""
    check_csrf()
    session.clear()
    flash(_("Signed out."))
    response = redirect(url_for("web.sign_in"))
    # A shared desk PC keeps nothing of this session: caches and the desk's offline data.
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


@bp.route("/language", methods=["POST"])
def staff_language():
    """Choose the language of the staff pages for this browser's session (English or
    German); back to the page it was chosen on."""
    check_csrf()
    code = request.form.get("language", "")
    if code in STAFF_LANGUAGES:
        session["language"] = code
    return redirect(safe_next(request.form.get("next", "")) or url_for("web.index"), code=303)


@bp.errorhandler(HTTPException)
def error_page(error: HTTPException):
    """Errors on pages are pages, not JSON."""
    if error.code == 401:
        return redirect(url_for("web.sign_in", next=request.path))
    user = current_user()  # a stranger's 404 makes no session (no row, no cookie)
    # "Being prepared" (503 with Retry-After): the browser asks again by itself.
    retry = dict(error.get_headers()).get("Retry-After") or getattr(
        error, "extra_headers", {}).get("Retry-After")
    title = getattr(error, "title", None)
    error.title = _(title) if title else http_title(error.code or 500) or error.name
    response = render_template("error.html", error=error, user=user, event=None,
                               csrf_token=csrf_token() if user else "",
                               refresh=retry if error.code == 503 else None)
    return response, error.code or 500, {"Retry-After": retry} if retry else {}


