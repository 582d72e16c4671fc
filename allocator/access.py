"""Who may do what, and what a reader sees of a person: decided here, once, for every door.

Pure: no Flask, no database. The doors (API views, pages, CLI, background jobs) name a
permission and pass the caller (a :class:`Principal`); :func:`refusal` decides whether the
caller may use it on an event and a working group, and the services scope their queries
by :meth:`Principal.group_scope`. :func:`person_fields` is the one rule for which fields of
a person a reader sees, whatever the document (a list, a badge, a page, an e-mail).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

TOKEN_PREFIX = "alc"

# What each role may do. Views name a permission; nothing else decides access.
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "viewer": frozenset({"event:read", "groups:read", "lists:read"}),
    "desk": frozenset({"event:read", "groups:read", "lists:read", "participants:read",
                       "participants:write"}),
    # A working group's facilitator: their group's list (no e-mails) and recommendations.
    "facilitator": frozenset({"event:read", "groups:read", "lists:read",
                              "recommendations:read", "recommendations:write",
                              "summaries:write"}),
    "organizer": frozenset({
        "event:read", "event:write", "event:create", "groups:read", "lists:read",
        "participants:read", "participants:write", "participants:import",
        "participants:admin", "invitations:write", "recommendations:read",
        "recommendations:write", "recommendations:moderate", "allocations:read",
        "allocations:write", "audit:read", "team:read", "team:write", "summaries:write"}),
}
PERMISSIONS = frozenset().union(*ROLE_PERMISSIONS.values())
# The staff who run the registration: they see every registration in full.
STAFF = frozenset({"organizer", "desk"})
# Statuses of people who take part (the others have nothing to show to anyone but staff).
TAKING_PART = ("registered", "checked_in")


@dataclass(frozen=True)
class Principal:
    """Who is calling: a token's id, name, role, and its event and working-group scope."""

    token_id: int
    name: str
    role: str
    event_id: int | None = None
    group_id: int | None = None
    # Whom the pages greet: a team member's name (the token's name stays in the audit).
    label: str = ""

    @classmethod
    def system(cls, name: str = "cli") -> Principal:
        """The operator on the server (CLI, background jobs): an organiser of every event."""
        return cls(token_id=0, name=name, role="organizer")

    def can(self, permission: str) -> bool:
        """Whether this caller's role grants ``permission`` (a token limited to one event
        creates no other)."""
        if permission == "event:create" and self.event_id is not None:
            return False
        return permission in ROLE_PERMISSIONS.get(self.role, frozenset())

    @property
    def group_scope(self) -> int | None:
        """The one working group this caller may see, or None for all of the event's."""
        return self.group_id if self.role == "facilitator" else None

    @property
    def is_staff(self) -> bool:
        """Organisers and the desk: they see registrations in full."""
        return self.role in STAFF


def refusal(principal: Principal, permission: str, *, event_id: int | None = None,
            group_id: int | None = None) -> str | None:
    """Why ``principal`` may not use ``permission`` on this event and working group, in
    words, or None when they may. The one check every door runs before anything else."""
    if permission not in PERMISSIONS:
        raise ValueError(f"unknown permission {permission!r}")
    if permission == "event:create" and principal.event_id is not None:
        return "This token is limited to one event."
    if not principal.can(permission):
        return f"A {principal.role} token may not do this (needs {permission})."
    if event_id is not None and principal.event_id not in (None, event_id):
        return "This token is limited to another event."
    scope = principal.group_scope
    if group_id is not None and scope is not None and group_id != scope:
        return "This token is limited to another working group."
    return None


# --- what a reader sees of a person ---------------------------------------------------

# Every field a person's record shows somewhere, and who sees it (see person_fields).
PUBLIC_FIELDS = frozenset({"id", "full_name", "sector", "country", "role", "status",
                           "group"})
STAFF_ONLY = frozenset({"email", "gender", "preferences", "vetoes", "consent",
                        "checked_in_at"})
CONSENTED = frozenset({"organization"})
ALL_FIELDS = PUBLIC_FIELDS | STAFF_ONLY | CONSENTED
# A printed page (badge, sign-in sheet) or a message to someone else: the public.
PUBLIC = "public"


def reader_of(principal: Principal | None) -> str:
    """The reader a caller is for :func:`person_fields`: their role, or ``public``."""
    return principal.role if principal is not None else PUBLIC


def person_fields(reader: str, *, status: str, erased: bool,
                  shows_organization: bool) -> frozenset[str]:
    """The fields of one person that ``reader`` (a role or ``public``) may see.

    The one rule, for every export, page, document and message: organisers and the desk
    see a registration in full (the e-mail address only they see); anyone else sees a
    person who takes part by name, sector, country and role, and their organisation
    only with the person's consent (the tick "show my organisation"); nobody sees
    anything of a withdrawn, declined, invited-only or erased person but staff, and of an
    erased person staff see only that the record was erased. A programme duty (moderator,
    chair, rapporteur, speaker) is a public role: it counts as consent to show the
    organisation (the forms say so).
    """
    if erased:
        return frozenset({"id", "status"}) if reader in STAFF else frozenset()
    if reader in STAFF:
        return ALL_FIELDS
    if status not in TAKING_PART:
        return frozenset()
    return PUBLIC_FIELDS | (CONSENTED if shows_organization else frozenset())


def person_view(reader: str, person: Mapping[str, Any]) -> dict[str, Any] | None:
    """The fields of ``person`` (a mapping holding at least ``status``, ``erased_at`` and
    ``badge_shows_organization``) that a record shows (:data:`ALL_FIELDS`), those that
    ``reader`` may not see blank; None when the reader may see nothing of them. Anything
    else in the mapping (search keys, ticket hashes, flags) is left out."""
    fields = person_fields(reader, status=person["status"],
                           erased=person.get("erased_at") is not None,
                           shows_organization=bool(person.get("badge_shows_organization"))
                           or bool(person.get("duties")))
    if not fields:
        return None
    return {name: (value if name in fields else _blank(value))
            for name, value in person.items() if name in ALL_FIELDS}


def _blank(value: Any) -> Any:
    return "" if isinstance(value, str) else None


# --- tokens ---------------------------------------------------------------------------

TOKEN_RE = re.compile(r"^alc_([0-9a-f]{12})_([A-Za-z0-9_-]{20,100})$")


def hash_secret(secret: str) -> str:
    """SHA-256 of a random secret (tokens, links): 64 hex characters. Random secrets
    need no slow hash."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_token_string() -> tuple[str, str, str]:
    """A fresh random token: (token, public id, secret)."""
    public_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    return f"{TOKEN_PREFIX}_{public_id}_{secret}", public_id, secret


def parse_token(raw: str) -> tuple[str, str] | None:
    """Split a presented token into (public id, secret), or None if malformed."""
    match = TOKEN_RE.match(raw)
    return (match.group(1), match.group(2)) if match else None
