"""People a run would leave out whom the rules or roles need.

An allocation of only those who checked in ("include": ["checked_in"]) leaves out everyone
registered who has not arrived. Most of them are no-shows and should stay out; but a
facilitator not yet scanned, a person pinned to a group or one of a pair kept together is
someone the workshop's roles or the organisers' rules count on. A run never leaves such a
person out in silence: it is refused (422) naming each of them and what needs them, unless
the organisers say to go ahead without exactly those people (``without``); the run then
keeps the list and shows it as a warning on its page and in its report.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from allocator.errors import Impossible
from allocator.extensions import db
from allocator.models import ACTIVE, Event, Participant, WorkingGroup
from allocator.services.rules import list_rules


def left_out(event: Event, include: list[str]) -> list[dict[str, Any]]:
    """Who the rules or roles need among the people ``include`` leaves out (registered,
    not of an included status): [{participant_id, needed_for: "facilitator" | "pin" |
    "together", group_id?, other_id?}], by participant id then need."""
    out_statuses = [s for s in ACTIVE if s not in include]
    if not out_statuses:
        return []
    out = {p.id: p for p in db.session.scalars(select(Participant).where(
        Participant.event_id == event.id, Participant.status.in_(out_statuses),
        Participant.erased_at.is_(None)))}
    found: list[dict[str, Any]] = [{"participant_id": p.id, "needed_for": "facilitator"}
                                   for p in out.values() if p.role == "facilitator"]
    for rule in list_rules(event):
        if rule.kind == "pin" and rule.participant_id in out:
            found.append({"participant_id": rule.participant_id, "needed_for": "pin",
                          "group_id": rule.group_id})
        elif rule.kind == "together":
            for one, other in ((rule.participant_id, rule.other_id),
                               (rule.other_id, rule.participant_id)):
                if one in out:
                    found.append({"participant_id": one, "needed_for": "together",
                                  "other_id": other})
    return sorted(found, key=lambda e: (e["participant_id"], e["needed_for"]))


def worded(event: Event, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each entry with the person's name and a sentence saying what needs them ("Anna
    Przykładowa: facilitator, not checked in"); erased people are left unnamed."""
    ids = {e["participant_id"] for e in entries} | {e["other_id"] for e in entries
                                                    if e.get("other_id")}
    people = {p.id: p for p in db.session.scalars(
        select(Participant).where(Participant.event_id == event.id, Participant.id.in_(ids)))}
    groups = {g.id: g.name for g in db.session.scalars(
        select(WorkingGroup).where(WorkingGroup.event_id == event.id))}

    def name(pid: int | None) -> str:
        person = people.get(pid or 0)
        return "someone erased" if person is None or person.erased_at else person.full_name

    out = []
    for entry in entries:
        need = entry["needed_for"]
        if need == "facilitator":
            why = "registered as a facilitator"
        elif need == "pin":
            why = f"pinned to {groups.get(entry.get('group_id') or 0, 'a working group')}"
        else:
            why = f"kept together with {name(entry.get('other_id'))}"
        out.append({**entry, "full_name": name(entry["participant_id"]),
                    "message": f"{name(entry['participant_id'])}: {why}, not checked in."})
    return out


def check(event: Event, include: list[str], without: list[int]) -> list[dict[str, Any]]:
    """The entries this run will leave out, once the organisers named every such person
    in ``without``; else Impossible (422, ``/problems/needed-people-left-out``) naming
    them, with ``left_out`` to show and ``without`` to send back to go ahead."""
    entries = left_out(event, include)
    missing = sorted({e["participant_id"] for e in entries} - set(without))
    if missing:
        words = worded(event, [e for e in entries if e["participant_id"] in missing])
        raise Impossible(
            f"{len(missing)} {'person' if len(missing) == 1 else 'people'} whom the roles or "
            "rules need would be left out: " + " ".join(w["message"] for w in words)
            + " Check them in and allocate again, or go ahead without them (\"without\": "
            "their ids).", type_="/problems/needed-people-left-out",
            title="Needed people left out",
            errors={"include": [w["message"] for w in words]},
            left_out=words, without=missing)
    return entries
