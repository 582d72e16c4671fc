"""words people read and write: sector labels, transliterated search keys

* events.sector_labels: how each sector reads ("Private sector"), editable per event.
* participants.search_key is rebuilt with transliteration (anyascii): "petrova" finds
  "Петрова", "oconnor" finds "O'Connor".

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 12:00:00

"""
import re
import unicodedata

import sqlalchemy as sa
from alembic import op
from anyascii import anyascii


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def _fold(value):
    # as allocator.validation.fold at this revision: transliterated, case and accents
    # folded, apostrophes dropped, other punctuation a space
    text = unicodedata.normalize("NFKD", value.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = anyascii(text).lower()
    text = re.sub(r"['’`]", "", text)
    return " ".join(re.sub(r"[^0-9a-z@.+_]+", " ", text).split())


def upgrade():
    # plain ADD COLUMN: a batch copy would drop SQLite's AUTOINCREMENT (migration 0006)
    op.add_column('events', sa.Column('sector_labels', sa.JSON(), nullable=True))
    connection = op.get_bind()
    people = sa.table('participants', sa.column('id', sa.Integer),
                      sa.column('full_name', sa.String), sa.column('organization', sa.String),
                      sa.column('email', sa.String), sa.column('search_key', sa.Text),
                      sa.column('erased_at', sa.DateTime))
    rows = connection.execute(sa.select(people.c.id, people.c.full_name,
                                        people.c.organization, people.c.email)
                              .where(people.c.erased_at.is_(None))).all()
    for pid, name, organization, email in rows:
        key = " | ".join(_fold(p) for p in (name, organization, email) if p)
        connection.execute(people.update().where(people.c.id == pid).values(search_key=key))


def downgrade():
    op.drop_column('events', 'sector_labels')
