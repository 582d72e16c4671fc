"""The solver speaks in ids; people read names. Turning one into the other lives here.

The solver's structured output (each conflict's chain of rules) is worded again with the
names a person reads: participants' full names (erased people stay "Erased participant")
and groups' names. Machine fields keep the ids beside.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from allocator.extensions import db
from allocator.models import Event, Participant, WorkingGroup
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
    out = []
    for conflict in found:
        worded = dict(conflict)
        if conflict.get("rules"):
            worded["message"] = conflict_message(
                conflict["rules"], lambda p: names.get(str(p), f"participant {p}"),
                lambda g: groups.get(str(g), f"group {g}"))
        out.append(worded)
    return out
