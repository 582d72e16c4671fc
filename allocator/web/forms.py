"""What the pages' forms share: error messages by field, whole numbers, people pickers."""

from __future__ import annotations

import hmac
import re
from collections import Counter
from typing import Any

from flask import abort, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from allocator.errors import DomainError, sentences
from allocator.i18n import current_language, page_language_for, use_language
from allocator.models import Participant
from allocator.services import personal
from allocator.validation import fold

# What validation says most often, in the catalogues: a page shows it in its reader's
# language (a sentence not listed here stays as the schema wrote it).
KNOWN_SENTENCES = (
    _l("Missing data for required field."), _l("Consent to processing is required."),
    _l("Not a valid string."), _l("Field may not be null."), _l("Choose each theme once."),
    _l("Not a valid email address."), _l("May not be blank."), _l("Unknown field."),
    _l("Answers are closed for this event."), _l("Choose one of the languages offered."),
)
# What a participant's page says of a field whose problem the catalogues do not word (a
# sentence the schema built with the value in it), in the page's language
FIELD_HINTS = {
    "answer": _l("Choose whether you will take part."),
    "full_name": _l("Write your full name (at most 200 characters)."),
    "organization": _l("Write your organisation (at most 200 characters)."),
    "sector": _l("Choose a sector from the list."),
    "country": _l("Write the country's name or its ISO code (e.g. AT, CO, TH)."),
    "preferences": _l("Choose each theme from the list, once."),
    "vetoes": _l("A theme you cannot take part in cannot also be one of your choices."),
    "consent": _l("Consent to processing is required."),
    "language": _l("Choose one of the languages offered."),
}


def participant_errors(messages: Any) -> dict[str, list[str]]:
    """A participant page's field errors in its language: the catalogue's sentence where
    there is one, else the field's hint (never a sentence left in English)."""
    raw = messages if isinstance(messages, dict) else {"_form": messages}
    out: dict[str, list[str]] = {}
    for name, value in raw.items():
        worded: list[str] = []
        for sentence in sentences(value):
            said_here = _(sentence) if sentence else sentence
            if said_here == sentence and current_language() != "en":
                said_here = str(FIELD_HINTS.get(str(name), _l("Please check this field.")))
            if said_here not in worded:
                worded.append(said_here)
        out[str(name)] = worded
    return out


# The ticket's QR code, as a screen reader announces it on the person's page
TICKET_QR_TITLE = _l("Ticket QR code")

# The personal page's own fields, as its error summary names them
ANSWER_LABELS = {"answer": _l("Your answer"), "preferences": _l("Themes"),
                 "vetoes": _l("Themes you cannot take part in")}


def _said(sentence: str) -> str:
    return _(sentence) if sentence else sentence


def field_errors(messages: Any) -> dict[str, list[str]]:
    """Marshmallow's or a problem's messages as {field: [sentences]} (nested ones flat), in
    the page's language where the catalogue knows them."""
    if not isinstance(messages, dict):
        return {"_form": [_said(m) for m in sentences(messages)]}
    return {str(key): [_said(m) for m in sentences(value)] for key, value in messages.items()}


def person_choice(person: Participant) -> str:
    """How a person is offered in a type-ahead list: name, organisation, and their number."""
    return f"{person.full_name} — {person.organization} · #{person.id}"


_NUMBER = re.compile(r"#(\d{1,9})\s*$")


def pick_person(text: str, people: list[Participant]) -> tuple[int | None, str | None]:
    """The person a type-ahead field names: by the "#N" its list adds, by a name or a
    choice that fits exactly one person, or by any part of a name that only one person's
    name holds (read as the desk's search reads it). (id, None) or (None, a sentence saying
    why not: nobody, or the candidates with their organisation and number)."""
    text = (text or "").strip()
    if not text:
        return None, "Choose a person."
    found = _NUMBER.search(text)
    ids = {p.id for p in people}
    if found and int(found.group(1)) in ids:
        return int(found.group(1)), None
    wanted = " ".join(text.casefold().split())
    matches = [p for p in people if " ".join(p.full_name.casefold().split()) == wanted
               or person_choice(p).casefold() == wanted]
    if not matches:  # any part of a name, as the desk's search reads it ("hargr", "ewa k")
        words = fold(text).split()
        matches = [p for p in people
                   if words and all(w in fold(p.full_name) for w in words)]
    if len(matches) == 1:
        return matches[0].id, None
    if matches:
        shown = "; ".join(person_choice(p) for p in matches[:MAX_CANDIDATES])
        more = len(matches) - MAX_CANDIDATES
        return None, (f"{len(matches)} people match “{text}”: {shown}"
                      + (f" and {more} more" if more > 0 else "")
                      + ". Type more of the name, or choose one from the list.")
    return None, f"Nobody called {text} is registered: choose a name from the list."


MAX_CANDIDATES = 8  # named in a "several match" message; the list offers them all


def namesakes(names: list[str]) -> set[str]:
    """The names that more than one of these people share (as the desk's search reads
    them), to show something that tells them apart beside each."""
    seen = Counter(fold(name) for name in names)
    return {name for name in names if seen[fold(name)] > 1}


# How a form field is called where people read about it (problem sentences, summaries).
LABELS = {
    "name": _l("Name"), "venue": _l("Venue"), "starts_at": _l("Starts"),
    "ends_at": _l("Ends"), "timezone": _l("Time zone"), "language": _l("Working language"),
    "registration_closes_at": _l("Registration deadline"),
    "contact_email": _l("Contact e-mail"), "consent_text": _l("Consent text"),
    "report_summary": _l("Summary"), "retention_days": _l("Keep personal data (days)"),
    "key": _l("Key"), "title": _l("Title"), "description": _l("Description"),
    "theme": _l("Theme"), "room": _l("Room"), "capacity": _l("Capacity"),
    "min_size": _l("Minimum size"), "sectors": _l("Sectors"),
    "sector_labels": _l("Sector names"), "participant_id": _l("Person"),
    "other_id": _l("Second person"), "group_id": _l("Group"), "kind": _l("Kind of rule"),
    "note": _l("Note"), "full_name": _l("Full name"), "email": _l("E-mail"),
    "organization": _l("Organisation"), "sector": _l("Sector"), "country": _l("Country"),
    "gender": _l("Gender"), "role": _l("Role"), "preferences": _l("Theme preferences"),
    "consent": _l("Consent"), "duties": _l("Programme duties"),
    "vetoes": _l("Themes they cannot take part in"),
    "overflow": _l("If seats run short"),
    "token-name": _l("Who holds it"), "token-role": _l("Role"),
    "token-group": _l("Working group"), "speaker_ids": _l("Speakers"),
}



def said(error: DomainError) -> str:
    """The pages' mapping of a domain error to one notice beside the form: its field
    messages with their labels ("Capacity: Must be at least 1."), or its detail."""
    errors = error.field_errors()
    return error.detail if "_form" in errors else sentence(errors)


def sentence(errors: dict[str, list[str]]) -> str:
    """Every field's errors as one sentence for a notice: "Capacity: Must be at least 1."
    (form-wide ones without a label)."""
    parts = []
    for name, messages in errors.items():
        text = " ".join(messages)
        parts.append(text if name == "_form" else f"{LABELS.get(name, name)}: {text}")
    return " ".join(parts)


def personal_visit(secret: str) -> personal.Visit:
    """The visit a personal link opens, or a 404 page: one answer for unknown, revoked,
    erased and expired links (nothing to tell apart)."""
    visit = personal.find(secret)
    if visit is None:
        abort(404, description=_("This link does not work (any more). If you were invited, "
                                 "ask the organisers for a new one."))
    use_language(page_language_for(visit.person, visit.event))
    return visit


def check_personal_form(visit: personal.Visit) -> None:
    """400 unless the posted form carries the personal page's CSRF token (bound to the
    link, no session needed)."""
    if not hmac.compare_digest(request.form.get("csrf_token", ""),
                               personal.form_token(visit)):
        abort(400, description=_("The form expired or did not come from this page; "
                                 "reload the page and try again."))
