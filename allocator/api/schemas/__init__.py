"""Request and response schemas: the API's contract and the one source of input rules.

One module per part of the API; everything is importable from here.
"""

from allocator.api.schemas.allocations import (
    AllocationIn,
    MoveIn,
    MoveOut,
    ReportOut,
    RuleIn,
    RuleOut,
    RunOut,
    RunSummary,
)
from allocator.api.schemas.common import ID_RANGE, PageInfo, Paging, StrictSchema
from allocator.api.schemas.events import (
    EventIn,
    EventOut,
    EventPatch,
    GroupIn,
    GroupOut,
    GroupPatch,
    ThemeDeleteQuery,
    ThemeIn,
    ThemeOut,
    ThemePatch,
)
from allocator.api.schemas.participants import (
    ImportQuery,
    ImportResult,
    ParticipantIn,
    ParticipantOut,
    ParticipantPage,
    ParticipantPatch,
    ParticipantQuery,
    PersonalDataOut,
    PublishedGroup,
)
from allocator.api.schemas.records import AuditEntryOut, AuditPage, AuditQuery, ExportQuery

__all__ = [
    "ID_RANGE", "AllocationIn", "AuditEntryOut", "AuditPage", "AuditQuery", "EventIn",
    "EventOut", "EventPatch", "ExportQuery", "GroupIn", "GroupOut", "GroupPatch",
    "ImportQuery", "ImportResult", "MoveIn", "MoveOut", "PageInfo", "Paging",
    "ParticipantIn", "ParticipantOut", "ParticipantPage", "ParticipantPatch",
    "ParticipantQuery", "PersonalDataOut", "PublishedGroup", "ReportOut", "RuleIn", "RuleOut",
    "RunOut", "RunSummary", "StrictSchema", "ThemeDeleteQuery", "ThemeIn", "ThemeOut",
    "ThemePatch",
]
