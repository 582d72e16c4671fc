"""the report: when the organisers released it to the facilitators

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 02:40:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    # plain ADD COLUMN: SQLite keeps the table (and its AUTOINCREMENT) as it is
    op.add_column('events', sa.Column('report_released_at', sa.DateTime(timezone=True),
                                      nullable=True))


def downgrade():
    op.drop_column('events', 'report_released_at')
