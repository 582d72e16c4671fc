"""search keys hold the spellings people type: Greek as in passports (ELOT 743), Russian
and Ukrainian passport forms, Korean surnames as spelt, kana with their voicing

participants.search_key is recomputed for every participant not erased, in batches of
500 rows, with the rules of allocator.validation.search_key (allocator.romanise): the
tables are long, and a key is only useful if it is what the running code computes for
the search to match. A later change to the rules brings its own migration.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-08 12:00:00

"""
import sqlalchemy as sa
from alembic import op

from allocator.validation import search_key


# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None

BATCH = 500


def upgrade():
    connection = op.get_bind()
    people = sa.table('participants', sa.column('id', sa.Integer),
                      sa.column('full_name', sa.String), sa.column('organization', sa.String),
                      sa.column('email', sa.String), sa.column('search_key', sa.Text),
                      sa.column('erased_at', sa.DateTime))
    after = 0
    while True:  # by id, so each batch is one short query whatever the table's size
        rows = connection.execute(
            sa.select(people.c.id, people.c.full_name, people.c.organization,
                      people.c.email, people.c.search_key)
            .where(people.c.erased_at.is_(None), people.c.id > after)
            .order_by(people.c.id).limit(BATCH)).all()
        if not rows:
            break
        changed = [{"pid": pid, "key": key} for pid, name, organization, email, old in rows
                   if (key := search_key(name, organization, email)) != old]
        if changed:
            connection.execute(people.update().where(people.c.id == sa.bindparam("pid"))
                               .values(search_key=sa.bindparam("key")), changed)
        after = rows[-1][0]


def downgrade():
    # The older keys found fewer people but the same ones: nothing to undo.
    pass
