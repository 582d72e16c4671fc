"""Languages: which one a page or a message speaks, and dates and times in it.

Participants read the six UN languages (:data:`PARTICIPANT_LANGUAGES`); staff pages are in
English and German (:data:`STAFF_LANGUAGES`). Catalogues are gettext files under
``allocator/translations`` (Flask-Babel); ``make translations`` compiles them. Dates and
times are formatted by Babel (CLDR) in the reader's locale and the event's time zone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import (
    format_date,
    format_interval,
    format_skeleton,
    format_time,
    get_datetime_format,
    get_timezone_name,
)
from flask import Flask, g, has_request_context, request, session
from flask_babel import Babel, LazyString, force_locale, get_locale, refresh
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

PARTICIPANT_LANGUAGES = ("en", "fr", "es", "ru", "ar", "zh")
STAFF_LANGUAGES = ("en", "de")
DEFAULT_LANGUAGE = "en"
RTL = frozenset({"ar"})
# How dates read in each language: English the way the United Nations write it (British).
FORMAT_LOCALE = {"en": "en_GB"}

# Where the text participants read is written: every message of these files is translated
# into all six languages (tests/unit/test_catalogues.py); the rest (staff pages) into German.
PARTICIPANT_SOURCES = (
    "i18n.py", "services/networking.py", "services/notifications.py", "services/taxonomy.py",
    "services/team.py", "services/wording.py", "web/forms.py", "web/networking.py",
    "web/templates/base.html", "web/templates/error.html", "web/templates/_form.html",
    "web/templates/invitations/personal.html", "web/templates/networking/",
    "web/templates/mail/", "web/templates/badges/badges.html",
)

babel = Babel()


def N_(english: str) -> str:  # noqa: N802  (gettext's name for "mark, translate later")
    """Mark ``english`` for the catalogues; it is translated where it is shown."""
    return english


# The server's own consent text (config.CONSENT_TEXT's default, the same words): shown in
# the reader's language; one version whatever the language. A text an operator or an
# organiser writes is shown as written.
DEFAULT_CONSENT_TEXT = N_(
    "The organisers keep your name, e-mail, organisation, sector, country and theme "
    "preferences to run this workshop: to place you in a working group and to tell you "
    "where to go. Nobody else sees them. They are erased when the event's retention "
    "period ends, or earlier if you ask the organisers.")


def consent_words(text: str) -> str:
    """A consent text in the reader's language when it is the server's default."""
    return _(text) if text == DEFAULT_CONSENT_TEXT else text


def language_name(code: str) -> str:
    """A language's name in itself, as a switch offers it: "fr" -> "Français"."""
    name = Locale.parse(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]


def _names() -> dict[str, str]:
    """Every spelling of a supported language an event may hold -> its code."""
    names: dict[str, str] = {}
    for code in (*PARTICIPANT_LANGUAGES, *STAFF_LANGUAGES):
        names[code] = code
        for reader in ("en", code):
            names[Locale.parse(code).get_display_name(reader).casefold()] = code
    return names


_BY_NAME = _names()


def code_of(language: str | None) -> str | None:
    """A supported language's ISO 639-1 code from its code or its name ("French",
    "français", "fr-FR" -> "fr"), or None."""
    if not language:
        return None
    text = language.strip().casefold().replace("_", "-")
    return _BY_NAME.get(text) or _BY_NAME.get(text.split("-")[0])


def event_language(event: Any) -> str:
    """The event's language as a participant language code (its ``language`` may be a
    code or a name, "English" by default); English when it is none of the six."""
    code = code_of(getattr(event, "language", None))
    return code if code in PARTICIPANT_LANGUAGES else DEFAULT_LANGUAGE


def person_language(person: Any, event: Any = None) -> str:
    """The language a participant's messages are written in: their own choice, else the
    event's."""
    own = getattr(person, "language", None)
    if own in PARTICIPANT_LANGUAGES:
        return own
    return event_language(event if event is not None else getattr(person, "event", None))


def page_language_for(person: Any, event: Any) -> str:
    """The language of a participant's own pages: their stored choice, else what their
    browser asks for (``Accept-Language``) among the six, else the event's."""
    own = getattr(person, "language", None)
    if own in PARTICIPANT_LANGUAGES:
        return own
    return browser_language(PARTICIPANT_LANGUAGES) or event_language(event)


def browser_language(supported: tuple[str, ...]) -> str | None:
    """The first of ``supported`` the browser's ``Accept-Language`` asks for, by quality
    ("ru-RU, en;q=0.5" -> "ru": a regional tag counts for its language), or None."""
    if not has_request_context():
        return None
    for value, quality in request.accept_languages:  # highest quality first
        primary = value.replace("_", "-").split("-")[0].casefold()
        if quality > 0 and primary in supported:
            return primary
    return None


def use_language(code: str) -> None:
    """Speak ``code`` for the rest of this request (a participant's page)."""
    g.language = code
    refresh()


def _select_locale() -> str:
    """Flask-Babel's choice for the request: what a view set (participant pages), else
    the staff session's choice, else the browser's among the staff languages."""
    chosen = g.get("language")
    if chosen:
        return chosen
    if not has_request_context() or request.path.startswith("/api/"):
        return DEFAULT_LANGUAGE  # the API speaks English (problem documents, schemas)
    if request.path.startswith("/i/"):  # a participant's link that opened nothing
        return browser_language(PARTICIPANT_LANGUAGES) or DEFAULT_LANGUAGE
    stored = session.get("language")
    if stored in STAFF_LANGUAGES:
        return stored
    return browser_language(STAFF_LANGUAGES) or DEFAULT_LANGUAGE


def current_language() -> str:
    """The language code this request or block speaks ("en" outside any)."""
    locale = get_locale()
    return locale.language if locale is not None else DEFAULT_LANGUAGE


def direction(code: str | None = None) -> str:
    """"rtl" for right-to-left languages, else "ltr"."""
    return "rtl" if (code or current_language()) in RTL else "ltr"


@contextmanager
def speaking(code: str) -> Iterator[None]:
    """Render what is inside in ``code`` (a message for one person), then go back."""
    with force_locale(code):
        yield


def _format_locale() -> str:
    code = current_language()
    return FORMAT_LOCALE.get(code, code)


def local(event: Any, at: dt.datetime) -> dt.datetime:
    """An instant in the event's time zone."""
    return at.astimezone(ZoneInfo(getattr(event, "timezone", None) or "UTC"))


def date_time(event: Any, at: dt.datetime) -> str:
    """A day and time in the reader's language, in the event's time zone:
    "Friday, 15 February 2008, 09:00" (en), "vendredi 15 février 2008, 09:00" (fr)."""
    loc = _format_locale()
    moment = local(event, at)
    pattern = get_datetime_format("medium", locale=loc).replace("'", "")
    return pattern.format(format_time(moment, "HH:mm", locale=loc),
                          format_date(moment, "full", locale=loc))


def day(event: Any, at: dt.datetime) -> str:
    """A day in the reader's language: "15 February 2008" (en), "15 février 2008" (fr)."""
    return format_date(local(event, at), "long", locale=_format_locale())


def hours(event: Any, starts: dt.datetime, ends: dt.datetime) -> str:
    """Two times of one day as a span in the reader's language: "09:00–17:00"."""
    loc = _format_locale()
    return format_interval(local(event, starts).time(), local(event, ends).time(), "Hm",
                           locale=loc)


def day_and_hours(event: Any, starts: dt.datetime, ends: dt.datetime) -> str:
    """A span of time in the reader's language and the event's zone, named:
    "Friday, 15 February 2008, 09:00–17:00, Central European Standard Time"."""
    loc = _format_locale()
    if local(event, starts).date() == local(event, ends).date():
        pattern = get_datetime_format("medium", locale=loc).replace("'", "")
        span = pattern.format(hours(event, starts, ends),
                              format_date(local(event, starts), "full", locale=loc))
    else:
        span = _("%(start)s to %(end)s", start=date_time(event, starts),
                 end=date_time(event, ends))
    return _("%(time)s, %(zone)s", time=span, zone=zone_name(event, starts))


def in_zone(event: Any, text: str, at: dt.datetime) -> str:
    """A time followed by the event's zone as the reader calls it."""
    return _("%(time)s, %(zone)s", time=text, zone=zone_name(event, at))


def lazy(function: Any, *args: Any) -> LazyString:
    """Text made when it is shown, in the language of that moment (one context, many
    readers: a message to each in their own language)."""
    return LazyString(function, *args)


def zone_name(event: Any, at: dt.datetime) -> str:
    """The event's time zone as the reader calls it: "Central European Standard Time"."""
    return get_timezone_name(local(event, at), "long", locale=_format_locale())


def country_name(code: str | None) -> str:
    """A country's name in the reader's language from its ISO 3166 code ("AT" ->
    "Autriche" in French); the code itself when CLDR does not know it."""
    if not code:
        return ""
    return Locale.parse(_format_locale()).territories.get(code.upper(), code)


def short_time(event: Any, at: dt.datetime | None) -> str:
    """A day and time, short, in the reader's language and the event's zone: "7 Dec 14:30"."""
    if at is None:
        return ""
    loc = _format_locale()
    moment = local(event, at)
    return (f"{format_skeleton('MMMd', moment, locale=loc, fuzzy=True)} "
            f"{format_time(moment, 'HH:mm', locale=loc)}")


def short_day(event: Any, at: dt.datetime | None) -> str:
    """A day, short, in the reader's language and the event's zone: "7 Dec"."""
    if at is None:
        return ""
    return format_skeleton("MMMd", local(event, at), locale=_format_locale(), fuzzy=True)


def full_day(event: Any, at: dt.datetime) -> str:
    """A day in full in the reader's language: "Friday, 15 February 2008"."""
    return format_date(local(event, at), "full", locale=_format_locale())


# The titles of the error pages people meet (HTTP's names, in the page's language)
HTTP_WORDS = {400: _l("Bad Request"), 403: _l("Forbidden"), 404: _l("Not Found"),
              405: _l("Method Not Allowed"), 409: _l("Conflict"), 410: _l("Gone"),
              413: _l("Request Entity Too Large"), 422: _l("Unprocessable Entity"),
              429: _l("Too Many Requests"), 500: _l("Internal Server Error"),
              503: _l("Service Unavailable")}


def http_title(status: int) -> str | None:
    """An error page's title in the reader's language ("Not Found"), or None."""
    title = HTTP_WORDS.get(status)
    return str(title) if title is not None else None


def room_phrase(room: str) -> str:
    """A room as a sentence names it, in the reader's language: "room M1"."""
    return _("room %(room)s", room=room)


def init_app(app: Flask) -> None:
    """Flask-Babel with our catalogues and locale choice; ``page_lang``/``page_dir`` and
    the language helpers in every template."""
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    babel.init_app(app, locale_selector=_select_locale)

    @app.context_processor
    def languages() -> dict[str, Any]:
        code = current_language()
        return {"page_lang": code, "page_dir": direction(code)}

    @app.template_filter("strong")
    def strong(text: Any) -> Markup:
        """Text in <strong>, to pass into a translated sentence."""
        return Markup("<strong>{}</strong>").format(text)

    @app.template_global("mail_link")
    def mail_link(address: str) -> Markup:
        """A mailto link to pass into a translated sentence."""
        return Markup('<a href="mailto:{0}">{0}</a>').format(address)

    @app.template_global("link_to")
    def link_to(url: str) -> Markup:
        """A link showing its own address, to pass into a translated sentence."""
        return Markup('<a href="{0}">{0}</a>').format(url)

    app.add_template_global(country_name, "country_name")
    for helper in (short_time, short_day, full_day, day, zone_name):
        app.add_template_global(helper)
    app.add_template_global(day, "long_day")
    app.add_template_global(zone_name, "zone_words")
    app.add_template_global(language_name, "language_name")
    app.add_template_global(event_language, "event_language")
    app.add_template_global(PARTICIPANT_LANGUAGES, "participant_languages")

    @app.template_filter("code")
    def code(text: Any) -> Markup:
        """Text in <code>, to pass into a translated sentence."""
        return Markup("<code>{}</code>").format(text)

    @app.template_global("columns")
    def columns(names: Any) -> Markup:
        """Column headings a file must carry, as literal code (they are not translated)."""
        return Markup(", ").join(Markup("<code>{}</code>").format(name) for name in names)

    @app.template_filter("kbd")
    def kbd(text: Any) -> Markup:
        """Text in <kbd>, to pass into a translated sentence."""
        return Markup("<kbd>{}</kbd>").format(text)

    @app.template_global("link_text")
    def link_text(url: str, text: Any) -> Markup:
        """A link with its words, to pass into a translated sentence."""
        return Markup('<a href="{}">{}</a>').format(url, text)

    @app.template_filter("bdi")
    def isolate(text: Any) -> Markup:
        """A name in its own direction inside text of another (Latin in Arabic)."""
        return Markup("<bdi>{}</bdi>").format(text if text is not None else "")


def language_code(value: str) -> str:
    """A participant language's code from what someone typed ("French" -> "fr"); raises
    ValueError naming the six when it is none of them."""
    code = code_of(value)
    if code not in PARTICIPANT_LANGUAGES:
        raise ValueError("Must be one of " + ", ".join(PARTICIPANT_LANGUAGES)
                         + " (or the language's name).")
    return code
