"""allocation runs remember whom the rules or roles needed and the organisers left out

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 12:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('allocation_runs') as batch:
        batch.add_column(sa.Column('left_out', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('allocation_runs') as batch:
        batch.drop_column('left_out')
