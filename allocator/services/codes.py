"""What a ticket is made of: its code, from a fresh secret salt and the server's key, and
its QR image. Read by the desk's scans and the outbox's messages alike (see
:mod:`allocator.services.tickets` for issuing and scanning)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io

from flask import current_app

from allocator.models import ACTIVE, Participant

PREFIX = "ALC1"
CODE_LENGTH = 26  # base-32 characters: 130 bits


def make_code(salt: str) -> str:
    """The ticket code a salt makes with the server's key: 26 base-32 characters."""
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"ticket:{salt}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode()[:CODE_LENGTH]


def code_hash(code: str) -> str:
    """SHA-256 of a ticket code, as stored (the code itself is stored nowhere)."""
    return hashlib.sha256(code.encode()).hexdigest()


def holds_ticket(person: Participant) -> bool:
    """Whether the person may hold a ticket now: taking part and not erased."""
    return person.status in ACTIVE and person.erased_at is None


def text(person: Participant) -> str | None:
    """The text of the person's QR code if they hold a ticket now, else None; reads and
    writes nothing."""
    if person.ticket_salt is None or not holds_ticket(person):
        return None
    return f"{PREFIX}:{person.event_id}:{make_code(person.ticket_salt)}"


def qr_png(text: str, scale: int = 8) -> bytes:
    """``text`` as a QR code PNG (segno; error correction M, 4-module quiet zone)."""
    import segno

    out = io.BytesIO()
    segno.make(text, error="m", micro=False).save(out, kind="png", scale=scale, border=4)
    return out.getvalue()


def qr_svg(text: str, scale: int = 4, title: str = "Ticket QR code") -> str:
    """``text`` as an inline SVG QR code (for the badges and the person's page)."""
    import segno

    out = io.BytesIO()
    segno.make(text, error="m", micro=False).save(
        out, kind="svg", scale=scale, border=4, xmldecl=False, svgns=True, title=title)
    return out.getvalue().decode()
