"""consent text per event: what people agree to when they register (none: the server's)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 11:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('events', sa.Column('consent_text', sa.Text(), nullable=True))


def downgrade():
    op.drop_column('events', 'consent_text')
