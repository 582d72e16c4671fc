"""Words the staff pages show for stored keys (a message's kind, a recommendation's state),
in the page's language."""

from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from allocator.i18n import N_

# What the staff pages' scripts say (app.js, desk.js), translated where the page is made
SCRIPT_WORDS = (
    N_("Saved"), N_("Someone else changed this — press Save to compare."),
    N_("Not saved: %(reason)s"), N_("Not saved — sign in again, then press Save."),
    N_("Not saved — offline? Press Save when you are back."), N_("Not saved yet"),
    N_("Not checked in"), N_("This ticket cannot be used (%(status)s)."),
    N_("%(num)s scans waiting — sign in again to send them"), N_("Offline — %(num)s waiting"),
    N_("%(name)s — already waiting to be checked in"),
    N_("This ticket — already waiting to be checked in"),
    N_("Saved — sign in again to check it in"),
    N_("Your session ended; the scan waits on this device."), N_("Not on this desk's list"),
    N_("Offline, this ticket matches nobody registered when the page opened: check who it "
       "is. The scan is kept and tried when the network is back."),
    N_("Ticket saved — will check in when the network is back"), N_("Not checked in."),
    N_("The camera could not start"),
    N_("Allow the camera for this page, or find the person by name below."),
)

MESSAGE_KINDS = {"invitation": _l("Invitation"), "confirmation": _l("Confirmation"),
                 "reminder": _l("Reminder"), "groups": _l("Groups"), "change": _l("Change"),
                 "team": _l("Team"), "contacts": _l("Contacts"),
                 "waiting": _l("Waiting list")}
STATES = {"draft": _l("Draft"), "proposed": _l("Proposed"), "adopted": _l("Adopted"),
          "amended": _l("Amended"), "merged": _l("Merged"), "dropped": _l("Dropped")}


def message_kind(kind: str) -> str:
    """A message's kind as the page reads it: "invitation" -> "Invitation"."""
    return str(MESSAGE_KINDS.get(kind, kind.capitalize()))


def state_words(state: str) -> str:
    """A recommendation's state as the page reads it: "adopted" -> "Adopted"."""
    return str(STATES.get(state, state.capitalize()))


def page_words() -> dict[str, str]:
    """Every script's words in the page's language, by their English (for app.js)."""
    from allocator.web.networking import SCRIPT_WORDS as PERSONAL_SCRIPT_WORDS

    return {english: gettext(english) for english in (*SCRIPT_WORDS, *PERSONAL_SCRIPT_WORDS)}
