"""duties: what a person does in the programme (moderator, chair, rapporteur, speaker)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 07:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    # plain ADD COLUMN: SQLite keeps the table (and its AUTOINCREMENT) as it is
    op.add_column('participants', sa.Column('duties', sa.JSON(), nullable=False,
                                            server_default=sa.text("'[]'")))


def downgrade():
    op.drop_column('participants', 'duties')
