"""Test databases: the schema the migrations make, built once per session and given to
each test as its own database (an SQLite file copied from the migrated one; on
PostgreSQL a schema of this process's, built by the migrations' statements the first time
and put back to the migrated state between the tests that use it)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

PG_URL = os.environ.get("ALLOCATOR_TEST_DATABASE_URL", "")

# What a PostgreSQL schema is made of, in one row per column, constraint and index (with the
# schema's own name taken out): a test that changed any of it leaves a schema nobody reuses.
SHAPE = sa.text("""
SELECT md5(string_agg(part, ';' ORDER BY part)) FROM (
  SELECT c.relname || ':' || c.relkind::text || ':' || coalesce(a.attname, '') || ':'
         || coalesce(format_type(a.atttypid, a.atttypmod), '') || ':'
         || coalesce(a.attnotnull::text, '') || ':'
         || coalesce(pg_get_expr(d.adbin, d.adrelid), '') AS part
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
    LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
   WHERE n.nspname = :schema
  UNION ALL
  SELECT conrelid::regclass::text || ':' || conname || ':' || pg_get_constraintdef(oid)
    FROM pg_constraint WHERE connamespace = CAST(:schema AS regnamespace)
  UNION ALL
  SELECT replace(indexdef, :schema, '') FROM pg_indexes WHERE schemaname = :schema
  UNION ALL
  SELECT p.proname || ':' || md5(p.prosrc) FROM pg_proc p
   WHERE pronamespace = CAST(:schema AS regnamespace)
  UNION ALL
  SELECT tgrelid::regclass::text || ':' || tgname FROM pg_trigger t
    JOIN pg_class c ON c.oid = t.tgrelid WHERE c.relnamespace = CAST(:schema AS regnamespace)
) AS parts""")


def pg_schema_url(schema: str) -> str:
    url = sa.engine.make_url(PG_URL)
    return url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False)


@dataclass
class Migrated:
    """The schema at head, built once per session by the real migrations: a migrated
    SQLite file, copied for each test; or on PostgreSQL the statements the migrations ran
    (replayed into a new schema when this process has none spare) and the migrated
    schema itself (``template``), whose rows and sequences a used schema is put back to."""

    sqlite_file: Path | None = None
    statements: list[tuple[str, Any, bool]] | None = None
    template: str = ""
    # PostgreSQL schemas at head with the migrations' rows only, ready for the next test;
    # and each schema's shape as it was built
    spare: list[str] = field(default_factory=list)
    shapes: dict[str, str] = field(default_factory=dict)
    _tables: list[str] = field(default_factory=list)
    _seeded: list[str] = field(default_factory=list)
    _kept: set[str] = field(default_factory=set)
    _sequences: dict[str, tuple[int | None, bool]] = field(default_factory=dict)

    def copy_into(self, url: str) -> None:
        """Give the empty database at ``url`` the schema (and rows) the migrations made."""
        if self.sqlite_file is not None:
            copy_sqlite(self.sqlite_file, url)
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

    # --- PostgreSQL: a schema per test, reused ------------------------------------------

    def _learn_template(self, conn: sa.Connection) -> None:
        """The template's tables (those that point at others first), the tables the
        migrations put rows in, and its sequences."""
        if self._tables:
            return
        tables = set(conn.scalars(sa.text(
            "SELECT tablename FROM pg_tables WHERE schemaname = :s"), {"s": self.template}))
        points_at: dict[str, set[str]] = {t: set() for t in tables}
        for child, parent in conn.execute(sa.text(
                "SELECT c.relname, p.relname FROM pg_constraint f "
                "JOIN pg_class c ON c.oid = f.conrelid JOIN pg_class p ON p.oid = f.confrelid "
                "WHERE f.contype = 'f' AND f.connamespace = CAST(:s AS regnamespace)"),
                {"s": self.template}):
            if child != parent:
                points_at[child].add(parent)
        # a table's rows go before the rows they point at
        order: list[str] = []
        while points_at:
            leaves = sorted(t for t in points_at
                            if not any(t in parents for parents in points_at.values()))
            if not leaves:  # a cycle: leave the rest in name order (never seen)
                leaves = sorted(points_at)
            order += leaves
            for table in leaves:
                del points_at[table]
        self._tables = order
        # rows a trigger keeps (the audit log is append-only): emptied by TRUNCATE
        self._kept = set(conn.scalars(sa.text(
            "SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE NOT t.tgisinternal AND c.relnamespace = CAST(:s AS regnamespace)"),
            {"s": self.template}))
        self._seeded = [t for t in sorted(tables) if conn.scalar(sa.text(
            f'SELECT EXISTS (SELECT 1 FROM "{self.template}"."{t}")'))]
        self._sequences = {name: (last, last is not None) for name, last in conn.execute(
            sa.text("SELECT sequencename, last_value FROM pg_sequences "
                    "WHERE schemaname = :s"), {"s": self.template})}

    def take(self, admin: sa.Engine) -> str:
        """A schema at head that no other test is using."""
        if self.spare:
            return self.spare.pop()
        schema = f"t_{uuid.uuid4().hex[:16]}"
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        self.copy_into(pg_schema_url(schema))
        with admin.connect() as conn:
            self.shapes[schema] = conn.scalar(SHAPE, {"schema": schema})
        return schema

    def give_back(self, admin: sa.Engine, schema: str) -> None:
        """Put ``schema`` back to what the migrations made and keep it for the next test;
        or drop it, if its shape changed or it could not be emptied."""
        try:
            with admin.begin() as conn:
                # a test's process still holding a lock: drop the schema instead (below)
                conn.execute(sa.text("SET LOCAL lock_timeout = '10s'"))
                # nothing here needs to outlive a crash of the database server
                conn.execute(sa.text("SET LOCAL synchronous_commit = off"))
                if conn.scalar(SHAPE, {"schema": schema}) != self.shapes.get(schema):
                    raise LookupError(schema)
                self._learn_template(conn)
                used = conn.scalars(sa.text(" UNION ALL ".join(
                    f"SELECT '{t}' WHERE EXISTS (SELECT 1 FROM \"{schema}\".\"{t}\")"
                    for t in self._tables))).all()
                # DELETE, not TRUNCATE: a few rows each, and TRUNCATE makes new files
                emptied = set(used) | set(self._seeded)
                if kept := sorted(emptied & self._kept):
                    conn.execute(sa.text("TRUNCATE " + ", ".join(
                        f'"{schema}"."{t}"' for t in kept) + " CASCADE"))
                for table in self._tables:
                    if table in emptied - self._kept:
                        conn.execute(sa.text(f'DELETE FROM "{schema}"."{table}"'))
                for table in self._seeded:
                    conn.execute(sa.text(f'INSERT INTO "{schema}"."{table}" '
                                         f'SELECT * FROM "{self.template}"."{table}"'))
                now = dict(conn.execute(sa.text(
                    "SELECT sequencename, last_value FROM pg_sequences "
                    "WHERE schemaname = :s"), {"s": schema}).all())
                for name, (last, called) in self._sequences.items():
                    if now.get(name, -1) != last:
                        conn.execute(sa.text("SELECT setval(:seq, :value, :called)"), {
                            "seq": f'"{schema}"."{name}"', "value": last or 1,
                            "called": called})
        except (LookupError, sa.exc.DBAPIError):
            self.drop(admin, schema)
            return
        self.spare.append(schema)

    def fill(self, admin: sa.Engine, schema: str, source: str) -> None:
        """Give ``schema``, at head with the migrations' rows only (from :meth:`take`),
        the rows and sequences of ``source``, another such schema that a test filled."""
        with admin.begin() as conn:
            conn.execute(sa.text("SET LOCAL synchronous_commit = off"))
            self._learn_template(conn)
            if kept := sorted(set(self._seeded) & self._kept):
                conn.execute(sa.text("TRUNCATE " + ", ".join(
                    f'"{schema}"."{t}"' for t in kept) + " CASCADE"))
            for table in self._tables:  # rows that point at others first
                if table in self._seeded and table not in self._kept:
                    conn.execute(sa.text(f'DELETE FROM "{schema}"."{table}"'))
            for table in reversed(self._tables):  # rows pointed at first
                conn.execute(sa.text(f'INSERT INTO "{schema}"."{table}" '
                                     f'SELECT * FROM "{source}"."{table}"'))
            for name, last in conn.execute(sa.text(
                    "SELECT sequencename, last_value FROM pg_sequences "
                    "WHERE schemaname = :s"), {"s": source}).all():
                conn.execute(sa.text("SELECT setval(:seq, :value, :called)"), {
                    "seq": f'"{schema}"."{name}"', "value": last or 1,
                    "called": last is not None})

    def drop(self, admin: sa.Engine, schema: str) -> None:
        self.shapes.pop(schema, None)
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))

    def close(self, admin: sa.Engine) -> None:
        """Drop the spare schemas (at the end of the session)."""
        while self.spare:
            self.drop(admin, self.spare.pop())


def copy_sqlite(source: Path | str, url: str) -> None:
    """Copy the SQLite database in the file ``source`` to the one at ``url``."""
    import sqlite3

    origin = sqlite3.connect(source)
    target = sqlite3.connect(sa.engine.make_url(url).database)
    with target:
        origin.backup(target)
    origin.close()
    target.close()


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
def own_database(folder: Path, migrated: Migrated, copy_of: str = "") -> Iterator[str]:
    """A database URL whose schema is at head and belongs to the caller alone (SQLite: a
    file in ``folder``; PostgreSQL: a schema of this process's, emptied afterwards); with
    ``copy_of``, the URL of another such database, it starts with that one's rows."""
    if not PG_URL:
        url = f"sqlite:///{folder / 'test.db'}"
        if copy_of:
            copy_sqlite(sa.engine.make_url(copy_of).database, url)
        else:
            migrated.copy_into(url)
        yield url
        return
    admin = sa.create_engine(PG_URL, poolclass=sa.pool.NullPool)
    schema = migrated.take(admin)
    try:
        if copy_of:
            options = sa.engine.make_url(copy_of).query["options"]
            migrated.fill(admin, schema, options.removeprefix("-csearch_path="))
        yield pg_schema_url(schema)
    finally:
        migrated.give_back(admin, schema)
        admin.dispose()
