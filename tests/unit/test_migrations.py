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


def test_upgrading_keeps_every_row_that_points_at_a_rebuilt_table(app):
    """SQLite rebuilds tables to change their constraints (0006, 0009): with foreign keys
    enforced, dropping the old table would cascade and delete people's preferences,
    rules and assignments. Rows written at an old revision all survive the upgrade."""
    from sqlalchemy import text

    with app.app_context():
        downgrade(revision="0005")
        with db.engine.begin() as c:
            c.execute(text(
                "INSERT INTO events (id, name, starts_at, ends_at, timezone, venue, language, "
                "sectors, retention_days, created_at, updated_at) VALUES (1, 'e', "
                "'2030-01-01 09:00:00', '2030-01-01 17:00:00', 'UTC', '', 'English', "
                "'[\"government\"]', 90, '2026-01-01', '2026-01-01')"))
            c.execute(text("INSERT INTO themes (id, event_id, key, title, description, "
                           "position) VALUES (1, 1, 't', 'T', '', 0)"))
            c.execute(text("INSERT INTO working_groups (id, event_id, theme_id, name, room, "
                           "capacity, min_size) VALUES (1, 1, 1, 'G', 'R', 5, 0)"))
            for pid in (1, 2):
                c.execute(text(
                    "INSERT INTO participants (id, event_id, full_name, email, organization, "
                    "sector, role, status, consent, consent_at, consent_version, search_key, "
                    f"created_at, updated_at) VALUES ({pid}, 1, 'P{pid}', 'p{pid}@x.org', "
                    "'O', 'government', 'participant', 'registered', true, '2026-01-01', "
                    f"'v', 'p{pid}', '2026-01-01', '2026-01-01')"))
                c.execute(text(f"INSERT INTO preferences (participant_id, theme_id, rank) "
                               f"VALUES ({pid}, 1, 1)"))
            c.execute(text("INSERT INTO allocation_rules (event_id, kind, participant_id, "
                           "other_id, group_id, note, created_at, created_by) VALUES (1, "
                           "'apart', 1, 2, NULL, '', '2026-01-01', 'test')"))
        upgrade()
        with db.engine.connect() as c:
            counts = {table: c.execute(text(f"SELECT count(*) FROM {table}")).scalar()
                      for table in ("participants", "preferences", "allocation_rules")}
    assert counts == {"participants": 2, "preferences": 2, "allocation_rules": 1}


def test_0021_gives_every_participant_the_spellings_people_type(app, event):
    """Keys written by the older rules are recomputed, past one batch of 500 rows, so
    'papadopoulou' finds the people registered before the upgrade."""
    from sqlalchemy import insert, select, update

    from allocator.models import Participant
    from allocator.validation import search_key

    names = ["Παπαδοπούλου Ελένη", "Юлия Петрова", "김민준", "やまだ はなこ", "Jane Doe"]
    with app.app_context():
        db.session.execute(insert(Participant), [
            {"event_id": event["id"], "full_name": names[n % len(names)],
             "email": f"p{n}@example.org", "organization": "Υπουργείο", "sector": "government",
             "consent_version": "v"} for n in range(510)])
        db.session.execute(update(Participant).values(search_key="stale"))
        db.session.commit()
        downgrade(revision="0020")
        upgrade()
        rows = db.session.execute(select(Participant.full_name, Participant.organization,
                                         Participant.email, Participant.search_key)).all()
    assert len(rows) == 510
    assert all(key == search_key(name, org, email) for name, org, email, key in rows)
    assert sum("papadopoulou" in key for *_, key in rows) == 102
