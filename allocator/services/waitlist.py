"""The waiting list: whom a run with a waiting list (``overflow: waitlist``) could not
place, in the order they are offered a seat, and who of them still waits.

The run stores the solver's list once (``AllocationRun.unplaced``: participant id,
position, reasons). Who still waits is read from it each time: not placed since (a late
placement took them in), still taking part (not withdrawn, not erased); positions are
counted again among those, so the first still waiting is always number 1.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from allocator.extensions import db
from allocator.models import ACTIVE, AllocationRun, Assignment, Event, Participant
from allocator.services.wording import Words


def waiting(event: Event, run: AllocationRun | None, *, worded: bool = True
            ) -> list[dict[str, Any]]:
    """Who of ``run``'s waiting list still waits, first offered first: participant id,
    position (from 1), the person (a ``Participant``) and, ``worded``, the reasons in words
    (the order alone needs no names or titles)."""
    entries = sorted((run.unplaced or []) if run is not None else [],
                     key=lambda e: e["position"])
    if not entries:
        return []
    ids = [e["participant_id"] for e in entries]
    placed = set(db.session.scalars(select(Assignment.participant_id).where(
        Assignment.run_id == run.id, Assignment.participant_id.in_(ids))))
    people = {p.id: p for p in db.session.scalars(select(Participant).where(
        Participant.event_id == event.id, Participant.id.in_(ids)))}
    words = Words(event) if worded else None
    if words is not None:
        words.want({int(pid) for e in entries for r in e["reasons"]
                    for pid in r.get("people", [])})
    out: list[dict[str, Any]] = []
    for entry in entries:
        person = people.get(entry["participant_id"])
        if (person is None or person.erased_at is not None or person.status not in ACTIVE
                or person.id in placed):
            continue
        out.append({"participant_id": person.id, "position": len(out) + 1,
                    "person": person,
                    "reasons": [dict(r, message=reason_words(r, words))
                                for r in entry["reasons"]] if words is not None else []})
    return out


def position(event: Event, person: Participant) -> int | None:
    """The person's place on the published allocation's waiting list (1: next to be
    offered a seat), or None when they are not waiting."""
    run = db.session.scalar(select(AllocationRun).where(
        AllocationRun.event_id == event.id, AllocationRun.published.is_(True)))
    for entry in waiting(event, run, worded=False):
        if entry["participant_id"] == person.id:
            return entry["position"]
    return None


def reason_words(reason: dict[str, Any], words: Words) -> str:
    """Why someone waits, for organisers, with names and theme titles in the page's
    language (the solver's ``unplaced`` reasons: ``no_seat``, ``together``; any other
    rule keeps the solver's message)."""
    themes = ", ".join(words.theme(t) for t in reason.get("themes", []))
    vetoes = ", ".join(words.theme(t) for t in reason.get("vetoes", []))
    if reason.get("rule") == "no_seat":
        if not themes:
            return _("They ruled out every theme.")
        text = _("No seat was left in any theme they can take (%(themes)s).", themes=themes)
        if vetoes:
            text += " " + _("They cannot take part in %(themes)s.", themes=vetoes)
        return text
    if reason.get("rule") == "pin":
        group = words.group(reason.get("groups", [""])[0])
        return _("They are pinned to %(group)s, which had no seat left for them.",
                 group=group)
    if reason.get("rule") == "together":
        names = ", ".join(words.person(p) for p in reason.get("people", []))
        return _("They must be in the same group as %(names)s, and no group had two seats "
                 "left (or %(names)s waits too).", names=names)
    return reason.get("message", "")


def waiting_rows(event: Event, run: AllocationRun) -> list[dict[str, Any]]:
    """The waiting list as the report and the API give it: position, id, name, sector,
    status and the reasons in words (staff only read runs; see ``allocations:read``)."""
    return [{"position": e["position"], "participant_id": e["participant_id"],
             "full_name": e["person"].full_name, "organization": e["person"].organization,
             "sector": e["person"].sector, "status": e["person"].status,
             "reasons": e["reasons"]} for e in waiting(event, run)]
