"""The solver speaks in ids; people read names. Turning one into the other lives here.

The solver's structured output (each conflict's chain of rules) is worded again with the
names a person reads: participants' full names (erased people stay "Erased participant")
and groups' names. Machine fields keep the ids beside.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from allocator.extensions import db
from allocator.models import Event, Participant, WorkingGroup
from allocator.normalise import DUTY_LABELS
from allocator.solver.conflicts import conflict_message


def people_names(event: Event, ids: set[int]) -> dict[str, str]:
    """Participant id (as the solver writes it) -> full name, for this event only."""
    if not ids:
        return {}
    rows = db.session.execute(select(Participant.id, Participant.full_name).where(
        Participant.event_id == event.id, Participant.id.in_(sorted(ids)))).all()
    return {str(pid): name for pid, name in rows}


def group_names(event: Event) -> dict[str, str]:
    """Group id (as the solver writes it) -> the group's name."""
    return {str(gid): name for gid, name in db.session.execute(
        select(WorkingGroup.id, WorkingGroup.name).where(WorkingGroup.event_id == event.id))}


def conflicts(event: Event, found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The solver's conflicts with messages in names; ids stay in ``people``/``groups``."""
    ids = {int(p) for c in found for p in c.get("people", []) if str(p).isdigit()}
    names = people_names(event, ids)
    groups = group_names(event)
    titles = {t.key: t.title for t in event.themes}
    out = []
    for conflict in found:
        worded = dict(conflict)
        if conflict.get("rules"):
            worded["message"] = conflict_message(
                conflict["rules"], lambda p: names.get(str(p), f"participant {p}"),
                lambda g: groups.get(str(g), f"group {g}"), lambda t: titles.get(t, t))
        out.append(worded)
    return out


class Words:
    """How one event's things read: people's names, groups' names, theme titles, sector
    labels. Names of people are read when first asked for, a few at a time."""

    def __init__(self, event: Event) -> None:
        from allocator.services.taxonomy import for_event

        self.event = event
        self.taxonomy = for_event(event)
        self.groups = group_names(event)
        self._people: dict[str, str] = {}

    def want(self, ids: Any) -> None:
        """Read the names of these participants now, in one query."""
        missing = {int(i) for i in ids if str(i).isdigit() and str(i) not in self._people}
        self._people.update(people_names(self.event, missing))

    def person(self, pid: Any) -> str:
        """A participant's full name (or "participant N" if they are not of this event)."""
        if str(pid) not in self._people:
            self.want([pid])
        return self._people.get(str(pid), f"participant {pid}")

    def group(self, gid: Any) -> str:
        """A group's name."""
        return self.groups.get(str(gid), f"group {gid}")

    def theme(self, key: str) -> str:
        """A theme's title."""
        return self.taxonomy.themes.get(key, key)

    def sector(self, key: str) -> str:
        """A sector's label."""
        return self.taxonomy.label(key)


REASONS = {
    "no_group": "There is no working group on this theme.",
    "pin": "An organiser pinned them to their group.",
    "veto": "They cannot take part in that theme (they said so).",
    "stability": "They stay in the group already announced to them.",
    "apart": "Every group there holds someone they must be kept apart from.",
    "facilitator": "The groups there already have their share of facilitators.",
    "facilitator_needed": "Their own group would be left without its share of facilitators.",
    "balance": "Moving them would break the sector balance of their group or of that one.",
    "min_size": "Their group would fall below its minimum size.",
    "even_sizes": "Moving them would make the groups of a theme uneven in size.",
    "none": "No rule kept them out; the search stopped at the time limit first.",
}


def reason_message(entry: dict[str, Any], words: Words, back: bool = False) -> str:
    """One reason of the solver's (rules plus facts) in names and labels."""
    parts = []
    for rule in entry.get("rules", []):
        if rule == "together":
            partners = [words.person(p) for p in entry.get("partners", [])]
            parts.append(f"They must stay with {', '.join(partners) or 'their partner'}.")
        elif rule == "full":
            fill = ", ".join(f"{words.group(f['group'])} {f['size']}/{f['capacity']}"
                             for f in entry.get("fill", []))
            parts.append(f"Its groups were full ({fill})." if fill else "Its groups were full.")
        elif rule == "sector_share":
            label = words.sector(entry.get("sector", ""))
            counts = ", ".join(f"{words.group(c['group'])}: {c['count']} of at most "
                               f"{c['most']}" for c in entry.get("sector_counts", []))
            parts.append(f"The share of {label} there was reached ({counts}).")
        elif rule == "none" and back:
            parts.append("No single rule keeps them out of the group announced to them; the "
                         "search stopped at the time limit first.")
        else:
            parts.append(REASONS.get(rule, entry.get("message", "")))
    if back and entry.get("rules") != ["none"]:
        parts.insert(0, "Moved from the group announced to them, because keeping them there "
                        "would break a rule:")
    return " ".join(parts)


DUTY_WORDS = {"moderator": _l("Moderator"), "chair": _l("Chair"),
              "rapporteur": _l("Rapporteur"), "speaker": _l("Speaker")}


def duty_words(duties: list[str]) -> str:
    """Programme duties as people read them, in the reader's language: ["chair",
    "speaker"] -> "Chair, Speaker"."""
    return ", ".join(str(DUTY_WORDS.get(duty, DUTY_LABELS.get(duty, duty))) for duty in duties)
