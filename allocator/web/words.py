"""Words the staff pages show for stored keys (a message's kind, a recommendation's state),
in the page's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

MESSAGE_KINDS = {"invitation": _l("Invitation"), "confirmation": _l("Confirmation"),
                 "reminder": _l("Reminder"), "groups": _l("Groups"), "change": _l("Change"),
                 "team": _l("Team"), "contacts": _l("Contacts")}
STATES = {"draft": _l("Draft"), "proposed": _l("Proposed"), "adopted": _l("Adopted"),
          "amended": _l("Amended"), "merged": _l("Merged"), "dropped": _l("Dropped")}


def message_kind(kind: str) -> str:
    """A message's kind as the page reads it: "invitation" -> "Invitation"."""
    return str(MESSAGE_KINDS.get(kind, kind.capitalize()))


def state_words(state: str) -> str:
    """A recommendation's state as the page reads it: "adopted" -> "Adopted"."""
    return str(STATES.get(state, state.capitalize()))
