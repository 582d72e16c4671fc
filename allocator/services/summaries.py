"""Each working group's summary of its discussion (the aide-memoire's expected output 2).

Written by the group's facilitator, the rapporteur (a facilitator whose access covers
every group) or an organiser; autosaved on the group's page. As for recommendations, a
change names the version it was made from (If-Match): VersionRequired (428) without one
once a summary exists, Stale (412, with the current text) when someone else saved first.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from allocator.access import Principal
from allocator.errors import Conflict, Forbidden, Stale, VersionRequired
from allocator.extensions import db
from allocator.markup import to_html
from allocator.models import Event, GroupSummary, WorkingGroup, utcnow
from allocator.services import audit, event_row
from allocator.services.events import require_open
from allocator.validation import whole_number


@dataclass
class Summary:
    """A group's summary as readers get it (version 0: nothing written yet)."""

    group_id: int
    text: str
    version: int
    updated_at: object = None

    @property
    def text_html(self) -> str:
        """The text, the Markdown subset rendered safely."""
        return str(to_html(self.text))

    @property
    def etag(self) -> str:
        """Its ETag: the version, quoted."""
        return f'"{self.version}"'


def _group(event: Event, group_id: int) -> WorkingGroup:
    return event_row(WorkingGroup, group_id, event.id, "Working group")


def read(event: Event, group_id: int) -> Summary:
    """The group's summary (an empty one, version 0, before anyone wrote it)."""
    group = _group(event, group_id)
    row = db.session.scalar(select(GroupSummary).where(GroupSummary.group_id == group.id))
    if row is None:
        return Summary(group.id, "", 0)
    return Summary(group.id, row.text, row.version, row.updated_at)


def by_group(event: Event) -> dict[int, str]:
    """{group id: summary text} of every group that wrote one (for the report)."""
    return {gid: text for gid, text in db.session.execute(
        select(GroupSummary.group_id, GroupSummary.text).where(
            GroupSummary.event_id == event.id)) if text.strip()}


def may_write(writer: Principal, group: WorkingGroup) -> bool:
    """Whether ``writer`` may change the group's summary now: organisers and the
    rapporteur (a facilitator of every group) always; the group's own facilitator until
    the organisers lock the group's output."""
    if not writer.can("summaries:write"):
        return False
    if writer.role == "organizer" or writer.group_scope is None:
        return True
    return writer.group_scope == group.id and group.recommendations_locked_at is None


def _stale(current: Summary) -> Stale:
    return Stale("Someone else changed this summary since you read it; compare with the "
                 "current text and apply your change to it.", version=current.version,
                 title="Precondition Failed", type_="/problems/edit-conflict",
                 current={"text": current.text, "version": current.version})


def write(event: Event, group_id: int, text: str, if_match: str | None,
          writer: Principal) -> Summary:
    """Save the group's summary made from the version ``if_match`` names (none needed for
    the first one). Forbidden for a facilitator of another group."""
    require_open(event)
    group = _group(event, group_id)
    if writer.role != "organizer" and writer.group_scope not in (None, group.id):
        raise Forbidden("This token is limited to another working group.")
    if not may_write(writer, group):
        raise Conflict(f"{group.name}'s output is locked by the organisers; ask them (or the "
                       "rapporteur) to change the summary.",
                       type_="/problems/recommendations-locked")
    current = read(event, group.id)
    if if_match is None and current.version > 0:
        raise VersionRequired("Send the version you changed in If-Match (the ETag you read), "
                              "so that nobody's edit is overwritten unseen.",
                              title="Precondition Required")
    wanted = whole_number((if_match or "0").strip().removeprefix("W/").strip('"'))
    if wanted is None and if_match not in (None, "0"):
        raise Stale("If-Match must be the ETag this summary was read with.",
                    title="Precondition Failed")
    if (wanted or 0) != current.version:
        raise _stale(current)
    now = utcnow()
    row = db.session.scalar(select(GroupSummary).where(GroupSummary.group_id == group.id))
    if row is None:
        row = GroupSummary(event_id=event.id, group_id=group.id, created_at=now)
        db.session.add(row)
    row.text, row.updated_at = text, now
    row.changed_by_token_id, row.changed_by_role = writer.token_id, writer.role
    try:  # conditional on the version read (or the group's one row): a writer in between wins
        db.session.flush()
    except (StaleDataError, IntegrityError) as exc:
        db.session.rollback()
        raise _stale(read(event, group.id)) from exc
    audit.record("summary.changed", event_id=event.id, subject=("group", group.id),
                 details={"version": row.version})
    db.session.commit()
    return Summary(group.id, row.text, row.version, row.updated_at)
