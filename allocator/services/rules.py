"""Organisers' rules: pins to a group, pairs kept apart or together."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from allocator.errors import Impossible
from allocator.extensions import db
from allocator.models import ACTIVE, Event, Participant, Rule, WorkingGroup
from allocator.services import (
    audit,
    commit_or_conflict,
    conflict,
    event_row,
    find,
    invalid,
    lock_event,
    wording,
)
from allocator.services.events import require_open
from allocator.services.participants import not_taking_part, refuse_erased


def list_rules(event: Event) -> list[Rule]:
    """The event's rules, oldest first."""
    return list(db.session.scalars(
        select(Rule).where(Rule.event_id == event.id).order_by(Rule.id)))


def _person(event: Event, participant_id: int, field: str) -> Participant:
    person = find(Participant, participant_id)
    if person is None or person.event_id != event.id:
        invalid({field: [f"The event has no participant {participant_id}."]})
    refuse_erased(person)
    if person.status not in ACTIVE:
        invalid({field: [not_taking_part(person)]})
    return person


def create_rule(event: Event, data: dict[str, Any]) -> Rule:
    """Add a rule after checking it names this event's people and groups and fits the others."""
    require_open(event)
    lock_event(event.id)  # an erasure in progress finishes first, and then it is seen here
    kind = data["kind"]
    first = _person(event, data["participant_id"], "participant_id")
    if kind == "pin":
        if data.get("other_id") is not None:
            invalid({"other_id": ["A pin names one participant and a group."]})
        group_id = data.get("group_id")
        if group_id is None:
            invalid({"group_id": ["A pin needs the group to pin to."]})
        group = find(WorkingGroup, group_id)
        if group is None or group.event_id != event.id:
            invalid({"group_id": [f"The event has no working group {group_id}."]})
        existing = db.session.scalar(select(Rule).where(
            Rule.kind == "pin", Rule.participant_id == first.id))
        if existing is not None:
            conflict(f"{first.full_name} is already pinned (rule {existing.id}); delete "
                     "that rule first.", type_="/problems/rule-conflict", existing_id=existing.id)
        rule = Rule(event_id=event.id, kind="pin", participant_id=first.id, group_id=group.id,
                    note=data.get("note", ""), created_by=audit.actor_name())
    else:
        if data.get("group_id") is not None:
            invalid({"group_id": ["Pairs name two participants and no group."]})
        other_id = data.get("other_id")
        if other_id is None:
            invalid({"other_id": ["A pair needs the second participant."]})
        second = _person(event, other_id, "other_id")
        if second.id == first.id:
            invalid({"other_id": ["A pair needs two different participants."]})
        low, high = sorted((first.id, second.id))
        clash = db.session.scalar(select(Rule).where(
            Rule.participant_id == low, Rule.other_id == high, Rule.kind != "pin"))
        if clash is not None:
            verb = "kept apart" if clash.kind == "apart" else "together"
            conflict(f"{first.full_name} and {second.full_name} already must be {verb} "
                     f"(rule {clash.id}).", type_="/problems/rule-conflict",
                     existing_id=clash.id)
        rule = Rule(event_id=event.id, kind=kind, participant_id=low, other_id=high,
                    note=data.get("note", ""), created_by=audit.actor_name())
    refuse_clashes(event, rule)
    db.session.add(rule)
    db.session.flush()
    audit.record("rule.created", event_id=event.id, subject=("rule", rule.id),
                 details={"kind": kind, "participants": [rule.participant_id, rule.other_id],
                          "group_id": rule.group_id})
    commit_or_conflict("The same rule was added at the same moment; it exists now.")
    return rule


def refuse_clashes(event: Event, new: Rule) -> None:
    """Answer 422 if ``new`` makes the organisers' rules contradict each other: the
    minimal set of rules it clashes with, as a chain in people's names.

    Only what rules say among themselves counts here (pins, pairs, and the rooms'
    capacity for the people they name); a shortage of seats or facilitators is found
    when the allocation runs, as it exists with or without this rule.
    """
    from allocator.solver import parse_problem
    from allocator.solver.conflicts import to_conflict
    from allocator.solver.prepare import prepare
    from allocator.solver.rules import RuleModel

    active = set(db.session.scalars(select(Participant.id).where(
        Participant.event_id == event.id, Participant.status.in_(ACTIVE))))
    rules = [r for r in list_rules(event)
             if {r.participant_id, r.other_id or r.participant_id} <= active] + [new]
    named = sorted({r.participant_id for r in rules} | {r.other_id for r in rules
                                                          if r.other_id})
    themes = {g.theme.key for g in event.groups}
    # the themes they ruled out are their own rules: a pin into one clashes with it
    vetoes = {pid: [t for t in vetoed or [] if t in themes] for pid, vetoed in
              db.session.execute(select(Participant.id, Participant.vetoes).where(
                  Participant.id.in_(named)))}
    problem = parse_problem({
        "groups": [{"id": str(g.id), "theme": g.theme.key, "capacity": g.capacity,
                    "name": g.name} for g in event.groups],
        "participants": [{"id": str(pid), "sector": "any",
                          **({"vetoes": vetoes[pid]} if vetoes.get(pid) else {})}
                         for pid in named],
        "pins": {str(r.participant_id): str(r.group_id) for r in rules if r.kind == "pin"},
        "apart": [[str(r.participant_id), str(r.other_id)] for r in rules
                  if r.kind == "apart"],
        "together": [[str(r.participant_id), str(r.other_id)] for r in rules
                     if r.kind == "together"],
    })
    prep = prepare(problem)
    if new.kind == "pin":
        key = ("pin", prep.pindex[str(new.participant_id)])
    else:
        pairs = problem.together if new.kind == "together" else problem.apart
        key = (new.kind, pairs.index(tuple(sorted((str(new.participant_id),
                                                   str(new.other_id))))))
    found = RuleModel(prep, whole=False).conflicts(must_include=key, limit=1)
    if not found:
        return
    clash = to_conflict(prep, found[0])
    worded = wording.conflicts(event, [{"rule": clash.rule, "message": clash.message,
                                        "people": clash.people, "groups": clash.groups,
                                        "rules": clash.rules}])
    field = "group_id" if new.kind == "pin" else "other_id"
    raise Impossible("This rule cannot hold with the rules already made. "
                     + worded[0]["message"], title="The rules would contradict each other",
                     type_="/problems/rules-clash", conflicts=worded,
                     errors={field: [worded[0]["message"]]})


def get_rule(event: Event, rule_id: int) -> Rule:
    """The event's rule or 404."""
    return event_row(Rule, rule_id, event.id, "Rule")


def delete_rule(event: Event, rule_id: int) -> None:
    """Remove a rule (allocations already made keep the rules they were made with)."""
    rule = get_rule(event, rule_id)
    audit.record("rule.deleted", event_id=event.id, subject=("rule", rule.id),
                 details={"kind": rule.kind})
    db.session.delete(rule)
    db.session.commit()


def rules_for(event: Event, people: set[int]) -> tuple[list[Rule], list[Rule]]:
    """(rules that apply to these people, rules ignored because someone is not included)."""
    applied, ignored = [], []
    for rule in list_rules(event):
        named = {rule.participant_id} | ({rule.other_id} if rule.other_id else set())
        (applied if named <= people else ignored).append(rule)
    return applied, ignored
