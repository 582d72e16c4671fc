"""Test databases: the schema the migrations make, built once per session and copied into
each test's own database (an SQLite file, or a PostgreSQL schema dropped afterwards)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

PG_URL = os.environ.get("ALLOCATOR_TEST_DATABASE_URL", "")


def pg_schema_url(schema: str) -> str:
    url = sa.engine.make_url(PG_URL)
    return url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False)


@dataclass
class Migrated:
    """The schema at head, built once per session by the real migrations and copied into
    each test's database: a migrated SQLite file, or the statements the migrations ran
    on PostgreSQL, replayed in order into each test's new schema."""

    sqlite_file: Path | None = None
    statements: list[tuple[str, Any, bool]] | None = None

    def copy_into(self, url: str) -> None:
        """Give the empty database at ``url`` the schema (and rows) the migrations made."""
        if self.sqlite_file is not None:
            import sqlite3

            source = sqlite3.connect(self.sqlite_file)
            target = sqlite3.connect(sa.engine.make_url(url).database)
            with target:
                source.backup(target)
            source.close()
            target.close()
            return
        engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            for statement, parameters, many in self.statements or []:
                if many:
                    cursor.executemany(statement, parameters)
                else:
                    cursor.execute(statement, parameters)
            raw.commit()
        finally:
            raw.close()
            engine.dispose()


def record(engine: sa.Engine, statements: list[tuple[str, Any, bool]]) -> None:
    """Keep every statement ``engine`` runs except plain reads, with its parameters."""

    @sa.event.listens_for(engine, "before_cursor_execute")
    def keep(conn, cursor, statement, parameters, context, executemany) -> None:
        text = statement.lstrip().upper()
        reads = text.startswith(("SELECT", "SHOW")) and not any(
            call in text for call in ("SETVAL", "NEXTVAL", "SET_CONFIG"))
        if not reads:
            # a list of parameter sets was an executemany; one set (even of a batched
            # insert) was one execute
            statements.append((statement, parameters, isinstance(parameters, list)))


@contextmanager
def own_database(folder: Path, migrated: Migrated) -> Iterator[str]:
    """A database URL whose schema is at head and belongs to the caller alone (SQLite: a
    file in ``folder``; PostgreSQL: a new schema, dropped afterwards)."""
    if not PG_URL:
        url = f"sqlite:///{folder / 'test.db'}"
        migrated.copy_into(url)
        yield url
        return
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = pg_schema_url(schema)
        migrated.copy_into(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
