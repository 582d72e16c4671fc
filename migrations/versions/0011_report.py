"""the report: the rapporteur's summary on the event

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 03:30:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    # plain ADD COLUMN: SQLite keeps the table (and its AUTOINCREMENT) as it is
    op.add_column('events', sa.Column('report_summary', sa.Text(), nullable=True))


def downgrade():
    op.drop_column('events', 'report_summary')
