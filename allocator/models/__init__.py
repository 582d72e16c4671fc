"""SQLAlchemy 2 typed models. Invariants that matter are database constraints.

One module per part of the house; everything is importable from here.
"""

from allocator.models.access import (
    ApiToken,
    AuditEntry,
    AuthThrottle,
    IdempotencyRecord,
    WebSession,
)
from allocator.models.allocation import (
    RULE_KINDS,
    RUN_STATES,
    AllocationRun,
    Assignment,
    Rule,
)
from allocator.models.base import (
    ACTIVE,
    DEFAULT_SECTORS,
    DUTIES,
    GENDERS,
    ROLES,
    STATUSES,
    TOKEN_ROLES,
    TimestampMixin,
    UTCDateTime,
    utcnow,
)
from allocator.models.documents import DOCUMENT_STATES, Document
from allocator.models.networking import (
    REQUEST_STATES,
    SHARED_FIELDS,
    ContactRequest,
    NetworkingProfile,
)
from allocator.models.outputs import (
    RECOMMENDATION_STATES,
    GroupSummary,
    Recommendation,
    RecommendationVersion,
)
from allocator.models.outreach import MESSAGE_KINDS, MESSAGE_STATES, Message, PersonalLink
from allocator.models.programme import PROGRAMME_KINDS, ProgrammeItem
from allocator.models.team import TeamMember
from allocator.models.workshop import Event, Participant, Preference, Theme, WorkingGroup

__all__ = [
    "ACTIVE", "ContactRequest", "NetworkingProfile", "REQUEST_STATES", "SHARED_FIELDS",
    "DEFAULT_SECTORS", "DOCUMENT_STATES", "DUTIES", "Document", "GENDERS",
    "MESSAGE_KINDS", "MESSAGE_STATES", "Message",
    "PersonalLink", "PROGRAMME_KINDS", "ProgrammeItem", "RECOMMENDATION_STATES",
    "Recommendation", "RecommendationVersion",
    "ROLES", "RULE_KINDS", "RUN_STATES", "STATUSES",
    "TOKEN_ROLES", "AllocationRun", "ApiToken", "Assignment", "AuditEntry", "AuthThrottle",
    "Event", "GroupSummary", "IdempotencyRecord", "Participant", "Preference", "Rule", "Theme",
    "TeamMember", "TimestampMixin", "UTCDateTime", "WebSession", "WorkingGroup", "utcnow",
]
