"""allocation runs say more: reproducible or not (and why), the hand moves a run kept

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTER TABLE ADD COLUMN: a batch copy would rebuild the table on SQLite without
    # its AUTOINCREMENT (migration 0006).
    op.add_column('allocation_runs', sa.Column('kept_moves', sa.JSON(), nullable=True))
    op.add_column('allocation_runs', sa.Column('reproducible', sa.Boolean(), nullable=False,
                                               server_default=sa.true()))
    op.add_column('allocation_runs', sa.Column('reproducible_detail', sa.Text(),
                                               nullable=False, server_default=''))


def downgrade():
    # SQLite 3.35+ drops columns in place, so the table keeps its AUTOINCREMENT here too.
    op.drop_column('allocation_runs', 'reproducible_detail')
    op.drop_column('allocation_runs', 'reproducible')
    op.drop_column('allocation_runs', 'kept_moves')
