"""The migrations build exactly the schema the models describe (SQLite and PostgreSQL)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from allocator.extensions import db


def test_models_and_migrations_agree(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_migrations_go_down_and_up_again(app):
    with app.app_context():
        downgrade(revision="base")
        upgrade()
        assert "participants" in db.inspect(db.engine).get_table_names()


def test_integer_keys_are_never_reused_on_sqlite(app):
    """Every table with an integer key of its own keeps AUTOINCREMENT after every migration
    (a batch copy would silently drop it)."""
    from sqlalchemy import text

    with app.app_context(), db.engine.connect() as connection:
        if connection.dialect.name != "sqlite":
            return
        tables = dict(connection.execute(text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'table'")).all())
    for table in db.metadata.sorted_tables:
        if table.dialect_options["sqlite"].get("autoincrement"):
            assert "AUTOINCREMENT" in tables[table.name], table.name
