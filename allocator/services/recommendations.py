"""Recommendations: what each working group proposes, and how the plenary adopts them.

Facilitators write their own group's recommendations (draft or proposed) until an organiser
locks the group; organisers (moderator, rapporteur) write everything and alone adopt,
amend, merge and drop. Every change bumps ``version`` (the ETag) and keeps the state it
replaced in the history, so an amended recommendation keeps its original wording. A change
must name the version it was made from (If-Match): 428 without, 412 when someone else
changed it first, with the current text in the problem document.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy import update as sql_update
from sqlalchemy.orm.exc import StaleDataError

from allocator.access import Principal
from allocator.errors import Forbidden, Stale, VersionRequired
from allocator.extensions import db
from allocator.models import (
    Event,
    Recommendation,
    RecommendationVersion,
    WorkingGroup,
    utcnow,
)
from allocator.services import audit, conflict, event_row, invalid
from allocator.services.events import require_open
from allocator.validation import whole_number

FACILITATOR_STATES = ("draft", "proposed")
EDITABLE = ("title", "text", "question", "position")


def get_group(event: Event, group_id: int) -> WorkingGroup:
    """The event's working group or 404."""
    return event_row(WorkingGroup, group_id, event.id, "Working group")


def get(event: Event, recommendation_id: int) -> Recommendation:
    """The event's recommendation or NotFound. Every reader of recommendations reads every
    group's (the plenary shares them all); writing is limited by :func:`_may_write`."""
    return event_row(Recommendation, recommendation_id, event.id, "Recommendation")


def listing(event: Event, group_id: int | None = None) -> list[Recommendation]:
    """The event's recommendations (or one group's), in the statement's order."""
    query = select(Recommendation).where(Recommendation.event_id == event.id)
    if group_id is not None:
        query = query.where(Recommendation.group_id == group_id)
    return list(db.session.scalars(query.order_by(
        Recommendation.position, Recommendation.group_id, Recommendation.id)))


def history(recommendation: Recommendation) -> list[RecommendationVersion]:
    """Every earlier state of a recommendation, oldest first."""
    return list(db.session.scalars(select(RecommendationVersion).where(
        RecommendationVersion.recommendation_id == recommendation.id)
        .order_by(RecommendationVersion.version)))


def earlier_wordings(items: list[Recommendation]) -> dict[int, list[RecommendationVersion]]:
    """For each recommendation the wordings it had before, oldest first, each once (a
    change of status alone adds none): what an amendment replaced. One query for all."""
    by_item: dict[int, list[RecommendationVersion]] = {item.id: [] for item in items}
    for version in db.session.scalars(select(RecommendationVersion).where(
            RecommendationVersion.recommendation_id.in_(list(by_item)))
            .order_by(RecommendationVersion.recommendation_id, RecommendationVersion.version)):
        by_item[version.recommendation_id].append(version)
    wordings = {}
    for item in items:
        versions = by_item[item.id]
        following = [*[(v.title, v.text) for v in versions[1:]], (item.title, item.text)]
        wordings[item.id] = [old for old, after in zip(versions, following, strict=False)
                             if (old.title, old.text) != after]
    return wordings


def may_change(principal: Principal, group: WorkingGroup,
               recommendation: Recommendation) -> bool:
    """Whether ``principal`` may change this recommendation now (organisers always;
    facilitators their group's drafts and proposals until the group is locked)."""
    if principal.role == "organizer":
        return True
    return (principal.group_scope in (None, group.id)
            and group.recommendations_locked_at is None
            and recommendation.status in FACILITATOR_STATES)


def _may_write(principal: Principal, group: WorkingGroup) -> None:
    if principal.role == "organizer":
        return
    if principal.group_scope not in (None, group.id):
        raise Forbidden("This token is limited to another working group.")
    if group.recommendations_locked_at is not None:
        conflict(f"{group.name}'s recommendations are locked by the organisers; ask them "
                 "to change one.", type_="/problems/recommendations-locked")


def _check_status(principal: Principal, recommendation: Recommendation | None,
                  data: dict[str, Any]) -> None:
    status = data.get("status")
    if principal.role != "organizer":
        if status is not None and status not in FACILITATOR_STATES:
            raise Forbidden("Only the organisers adopt, amend, merge or drop "
                            "recommendations.")
        if recommendation is not None and recommendation.status not in FACILITATOR_STATES:
            raise Forbidden(f"This recommendation is {recommendation.status}: only the "
                            "organisers change it now.")
        if "merged_into_id" in data:
            raise Forbidden("Only the organisers merge recommendations.")


def _merge_target(event: Event, recommendation: Recommendation | None,
                  data: dict[str, Any]) -> None:
    status = data.get("status", recommendation.status if recommendation else "draft")
    target_id = data.get("merged_into_id",
                         recommendation.merged_into_id if recommendation else None)
    if status == "merged" and target_id is None:
        invalid({"merged_into_id": ["Say which recommendation this one is merged into."]})
    if status != "merged" and "merged_into_id" in data and data["merged_into_id"] is not None:
        invalid({"status": ["A recommendation merged into another has the status merged."]})
    if status == "merged":
        target = db.session.get(Recommendation, target_id)
        if target is None or target.event_id != event.id or (
                recommendation is not None and target.id == recommendation.id):
            invalid({"merged_into_id": ["Choose another recommendation of this event."]})
    else:
        data["merged_into_id"] = None


def create(event: Event, group_id: int, data: dict[str, Any],
           principal: Principal) -> Recommendation:
    """Add a recommendation to a group (facilitators: draft or proposed)."""
    require_open(event)
    group = get_group(event, group_id)
    _may_write(principal, group)
    _check_status(principal, None, data)
    _merge_target(event, None, data)
    now = utcnow()
    recommendation = Recommendation(
        event_id=event.id, group_id=group.id, title=data["title"],
        text=data.get("text", ""), question=data.get("question", ""),
        position=data.get("position", 0), status=data.get("status", "draft"),
        merged_into_id=data.get("merged_into_id"),
        changed_by_token_id=principal.token_id, changed_by_role=principal.role,
        created_at=now, updated_at=now)
    db.session.add(recommendation)
    db.session.flush()
    audit.record("recommendation.created", event_id=event.id,
                 subject=("recommendation", recommendation.id),
                 details={"group_id": group.id, "status": recommendation.status})
    db.session.commit()
    return recommendation


def parse_if_match(header: str | None) -> int:
    """The version an If-Match header names ('"3"', 'W/"3"' or 3); 428 without one."""
    if not header:
        raise VersionRequired("Send the version you changed in If-Match (the ETag you "
                              "read), so that nobody's edit is overwritten unseen.",
                              title="Precondition Required")
    version = whole_number(header.strip().removeprefix("W/").strip('"'))
    if version is None:
        raise Stale("If-Match must be the ETag this recommendation was read with.",
                    title="Precondition Failed")
    return version


def _stale(recommendation: Recommendation, current: dict[str, Any]) -> None:
    raise Stale("Someone else changed this recommendation since you read it; compare "
                "with the current version and apply your change to it.",
                version=recommendation.version, title="Precondition Failed",
                type_="/problems/edit-conflict", current=current)


def etag(recommendation: Recommendation) -> str:
    """The recommendation's ETag: its version, quoted."""
    return f'"{recommendation.version}"'


def update(event: Event, recommendation_id: int, data: dict[str, Any], if_match: str | None,
           principal: Principal, dump: Any) -> Recommendation:
    """Change a recommendation made from the version ``if_match`` names; the state it
    replaces goes to the history. ``dump`` turns the current row into the problem
    document's ``current``."""
    require_open(event)
    version = parse_if_match(if_match)
    recommendation = get(event, recommendation_id)
    group = get_group(event, recommendation.group_id)
    _may_write(principal, group)
    if recommendation.version != version:
        _stale(recommendation, dump(recommendation))
    _check_status(principal, recommendation, data)
    _merge_target(event, recommendation, data)
    db.session.add(RecommendationVersion(
        recommendation_id=recommendation.id, version=recommendation.version,
        title=recommendation.title, text=recommendation.text, status=recommendation.status,
        changed_by_token_id=recommendation.changed_by_token_id,
        changed_by_role=recommendation.changed_by_role, changed_at=recommendation.updated_at))
    for name in (*EDITABLE, "status", "merged_into_id"):
        if name in data:
            setattr(recommendation, name, data[name])
    recommendation.changed_by_token_id = principal.token_id
    recommendation.changed_by_role = principal.role
    recommendation.updated_at = utcnow()
    try:  # the UPDATE is conditional on the version read: a writer in between wins
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        fresh = get(event, recommendation_id)
        _stale(fresh, dump(fresh))
    audit.record("recommendation.changed", event_id=event.id,
                 subject=("recommendation", recommendation.id),
                 details={"fields": sorted(data), "version": recommendation.version})
    db.session.commit()
    return recommendation


def delete(event: Event, recommendation_id: int, if_match: str | None, principal: Principal,
           dump: Any) -> None:
    """Remove a recommendation read at the version ``if_match`` names (facilitators:
    their drafts)."""
    require_open(event)
    version = parse_if_match(if_match)
    recommendation = get(event, recommendation_id)
    group = get_group(event, recommendation.group_id)
    _may_write(principal, group)
    if recommendation.version != version:
        _stale(recommendation, dump(recommendation))
    if principal.role != "organizer" and recommendation.status != "draft":
        raise Forbidden("Only drafts are removed by facilitators; the organisers drop "
                        "the others.")
    db.session.delete(recommendation)
    audit.record("recommendation.deleted", event_id=event.id,
                 subject=("recommendation", recommendation_id))
    db.session.commit()


def lock(event: Event, group_id: int, locked: bool) -> WorkingGroup:
    """Lock (or unlock) a group's recommendations against its facilitators' changes."""
    require_open(event)
    group = get_group(event, group_id)
    group.recommendations_locked_at = utcnow() if locked else None
    audit.record("recommendations.locked" if locked else "recommendations.unlocked",
                 event_id=event.id, subject=("group", group.id))
    db.session.commit()
    return group


def reorder(event: Event, ids: list[int]) -> list[Recommendation]:
    """Put the recommendations ``ids`` in this order in the final statement (positions
    1…n; the others keep theirs). The order is the moderator's, not the wording, so no
    version changes and nobody's open edit turns stale. 422 for an id named twice or not
    the event's."""
    require_open(event)
    if len(set(ids)) != len(ids):
        invalid({"ids": ["Name each recommendation once."]})
    known = set(db.session.scalars(select(Recommendation.id).where(
        Recommendation.event_id == event.id, Recommendation.id.in_(ids))))
    unknown = [str(i) for i in ids if i not in known]
    if unknown:
        invalid({"ids": [f"Not recommendations of this event: {', '.join(unknown[:10])}."]})
    for position, recommendation_id in enumerate(ids, start=1):
        # a bulk UPDATE by WHERE: the ORM's version counter is left as it is, on purpose
        db.session.execute(sql_update(Recommendation)
                           .where(Recommendation.id == recommendation_id)
                           .values(position=position)
                           .execution_options(synchronize_session=False))
    db.session.expire_all()
    audit.record("recommendations.ordered", event_id=event.id, subject=("event", event.id),
                 details={"ids": ids})
    db.session.commit()
    return listing(event)


def by_theme(event: Event) -> list[tuple[Any, list[Recommendation]]]:
    """The event's themes in order, each with its groups' recommendations in the
    statement's order: [(theme, [recommendation, …]), …]."""
    theme_of = {group.id: group.theme_id for group in event.groups}
    sections: dict[int, list[Recommendation]] = {theme.id: [] for theme in event.themes}
    for recommendation in listing(event):
        sections[theme_of[recommendation.group_id]].append(recommendation)
    return [(theme, sections[theme.id]) for theme in event.themes]


def move(event: Event, recommendation_id: int, offset: int) -> None:
    """Move a recommendation ``offset`` places (-1 up, +1 down) among its theme's."""
    recommendation = get(event, recommendation_id)
    for _, items in by_theme(event):
        ids = [item.id for item in items]
        if recommendation.id in ids:
            here = ids.index(recommendation.id)
            there = min(max(here + offset, 0), len(ids) - 1)
            ids.insert(there, ids.pop(here))
            reorder(event, ids)
            return
