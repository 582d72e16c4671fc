"""Downloads and the audit log."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from allocator.api.schemas.common import ID_RANGE, PageInfo, Paging, StrictSchema


class ExportQuery(StrictSchema):
    """Query of the group-list downloads."""

    columns = fields.String(validate=validate.Regexp(r"^[a-z_, ]{0,300}$"), metadata={
        "pattern": r"^[a-z_, ]{0,300}$",
        "description": "Comma-separated columns (default: group, theme, room, facilitator, "
                       "full_name, organization, sector, country; also email, gender, role, "
                       "status, participant_id)"})
    run = fields.Integer(validate=ID_RANGE, metadata={
        "description": "An unpublished run (organisers only)"})


class AuditQuery(Paging):
    """Filters and paging of GET .../audit."""

    action = fields.String(validate=validate.Regexp(r"^[a-z_.]{1,64}$"),
                           metadata={"description": "e.g. participant.checked_in",
                                     "pattern": r"^[a-z_.]{1,64}$"})


class AuditEntryOut(ma.Schema):
    """One audit entry: ids, never names or e-mails."""

    id = fields.Integer()
    at = fields.DateTime()
    actor = fields.String(metadata={"description": "Token name, or cli"})
    action = fields.String()
    subject_type = fields.String()
    subject_id = fields.String()
    details = fields.Dict(allow_none=True)


class AuditPage(PageInfo):
    """One page of the audit log, newest first."""

    items = fields.List(fields.Nested(AuditEntryOut))
