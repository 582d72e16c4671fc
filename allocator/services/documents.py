"""Heavy documents — the report (DOCX, PDF), badges and sign-in sheets — built once per
content, one build at a time, so that printing never holds the desk.

Each document is named by its event and a key ("report.pdf", "badges-a4-all",
"sign-in-sheet-3") and identified by a digest: SHA-256 of what it shows (the facts its
template is given, computed cheaply before anything is drawn) and of the templates that
draw it. A download whose digest matches the stored build is answered from it; any change
of content makes a new digest and a new build, which replaces the old one.

Building is claimed in the database, so the promise holds across workers and hosts, in
the embedded default as with Redis: at most one build of a document at a time, and at most
``DOCUMENT_BUILDERS`` builds at once in all (default: one core's worth, cores - 1). A
request that finds its document being built, or every builder busy, is not made to wait
(a waiting worker is one the desk cannot use): it gets :class:`allocator.errors.Busy` with
the seconds the last build took, and asks again. A crashed build's claim ends with its
lease.

Stored bodies are encrypted (Fernet, key derived from SECRET_KEY with HKDF): badges carry
tickets, and a copy of the database alone must not make tickets. Erasure and purge delete
an event's documents at once (:func:`forget_event`).
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import json
import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import bindparam, delete, func, select, text, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from allocator.errors import Busy
from allocator.extensions import db
from allocator.i18n import DEFAULT_LANGUAGE, current_language
from allocator.models import Document, UTCDateTime, utcnow
from allocator.services import audit

TEMPLATES = Path(__file__).resolve().parent.parent / "web" / "templates"
TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
# The templates each kind of document is drawn with: a change to them is a change of content.
DRAWN_WITH = ("report", "badges")
LEASE = dt.timedelta(seconds=120)
# Any number PostgreSQL's advisory locks take; it serialises claims across connections.
CLAIM_LOCK = 7_105_342


@functools.lru_cache(maxsize=1)
def templates_digest() -> str:
    """SHA-256 of the templates documents are drawn with and of the catalogues that word
    them (read once per process)."""
    digest = hashlib.sha256()
    for folder in DRAWN_WITH:
        for path in sorted((TEMPLATES / folder).rglob("*")):
            if path.is_file():
                digest.update(path.name.encode() + b"\0" + path.read_bytes())
    # their words too: a corrected translation makes new documents
    for path in sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po")):
        digest.update(path.parent.parent.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def content_digest(key: str, content: Any) -> str:
    """The digest of a document: its key, what it shows (JSON-able facts) and the
    templates (64 hex characters)."""
    facts = json.dumps(content, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(f"{key}\0{templates_digest()}\0{facts}".encode()).hexdigest()


def _cipher() -> Any:
    """Fernet keyed by HKDF-SHA256 of SECRET_KEY (for the documents only)."""
    from cryptography.fernet import Fernet
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    secret = current_app.config["SECRET_KEY"].encode()
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
               info=b"allocator documents").derive(secret)
    return Fernet(base64.urlsafe_b64encode(key))


def obtain(event_id: int, key: str, content: Any, render: Callable[[], bytes]) -> bytes:
    """The bytes of document ``key`` of the event showing ``content``: the stored build
    when its digest matches, else built now by ``render`` (and kept). Busy (with the
    seconds to wait) while it, or every builder's worth of other documents, is being
    built elsewhere. Each language the reader reads has its own build (a German
    organiser's badges do not replace the English ones)."""
    language = current_language()
    if language != DEFAULT_LANGUAGE:
        key = f"{key}.{language}"
    digest = content_digest(key, content)
    row = db.session.execute(select(Document.digest, Document.state, Document.body,
                                    Document.build_s).where(
        Document.event_id == event_id, Document.key == key)).first()
    if row is not None and row.state == "ready" and row.digest == digest and row.body:
        return _cipher().decrypt(row.body)
    if not _claim(event_id, key, digest):
        seconds = row.build_s if row is not None and row.build_s else 2.0
        raise Busy("This document is being prepared; ask again in a moment.",
                   retry_after=min(10, max(1, math.ceil(seconds))),
                   title="Being prepared", type_="/problems/being-prepared")
    started = time.perf_counter()
    try:
        body = render()
    except BaseException:
        db.session.rollback()
        _release(event_id, key)
        raise
    spent = time.perf_counter() - started
    db.session.execute(update(Document).where(
        Document.event_id == event_id, Document.key == key, Document.digest == digest,
        Document.state == "building").values(
        state="ready", body=_cipher().encrypt(body), lease_until=None, build_s=spent,
        built_at=utcnow()))
    audit.record("document.built", event_id=event_id, subject=("document", key),
                 details={"seconds": round(spent, 3), "bytes": len(body)})
    db.session.commit()
    return body


def _claim(event_id: int, key: str, digest: str) -> bool:
    """Take the build of this document, unless someone holds it or every builder is busy
    (commits either way)."""
    now = utcnow()
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:lock)"), {"lock": CLAIM_LOCK})
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    table = Document.__table__
    until = bindparam("until", now + LEASE, type_=UTCDateTime)
    statement = insert(table).values(event_id=event_id, key=key, digest=digest,
                                     state="building", lease_until=now + LEASE,
                                     built_at=now)
    free = (table.c.state != "building") | (table.c.lease_until
                                            < bindparam("now", now, type_=UTCDateTime))
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.event_id, table.c.key],
        set_={"digest": digest, "state": "building", "body": None, "lease_until": until},
        where=free).returning(table.c.id)
    # On SQLite this write takes the database's lock, so the count below is exact there too.
    claimed = db.session.execute(statement).scalar()
    if claimed is None:
        db.session.rollback()
        return False
    others = db.session.scalar(select(func.count()).select_from(table).where(
        table.c.state == "building", table.c.lease_until >= now, table.c.id != claimed))
    if others >= builders():
        db.session.rollback()
        return False
    db.session.commit()
    return True


def _release(event_id: int, key: str) -> None:
    """Give up a claimed build that failed (the next request builds it again)."""
    db.session.execute(delete(Document).where(Document.event_id == event_id,
                                              Document.key == key,
                                              Document.state == "building"))
    db.session.commit()


def builders() -> int:
    """How many documents may be built at once (DOCUMENT_BUILDERS)."""
    return max(1, int(current_app.config["DOCUMENT_BUILDERS"]))


def forget_event(event_id: int) -> int:
    """In the caller's transaction: delete every stored document of the event (an
    erasure or a purge: they may show people); how many."""
    return db.session.execute(delete(Document).where(
        Document.event_id == event_id)).rowcount or 0
