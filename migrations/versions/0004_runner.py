"""allocation runs remember which process solves them

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 17:10:04.545229

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():

    with op.batch_alter_table('allocation_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('runner', sa.String(length=100), nullable=True))




def downgrade():

    with op.batch_alter_table('allocation_runs', schema=None) as batch_op:
        batch_op.drop_column('runner')


