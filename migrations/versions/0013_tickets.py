"""tickets: a random hashed ticket per registration, and badges that may show the organisation

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 03:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    # plain ADD COLUMN: SQLite keeps the table (and its AUTOINCREMENT) as it is
    op.add_column('participants', sa.Column('ticket_salt', sa.String(32), nullable=True))
    op.add_column('participants', sa.Column('ticket_hash', sa.String(64), nullable=True))
    op.add_column('participants', sa.Column('badge_shows_organization', sa.Boolean(),
                                            nullable=False, server_default=sa.false()))
    op.create_index('ix_participants_ticket_hash', 'participants', ['ticket_hash'],
                    unique=True)
    op.create_index('ix_participants_facilitators', 'participants', ['event_id'],
                    sqlite_where=sa.text("role = 'facilitator'"),
                    postgresql_where=sa.text("role = 'facilitator'"))


def downgrade():
    op.drop_index('ix_participants_facilitators', table_name='participants')
    op.drop_index('ix_participants_ticket_hash', table_name='participants')
    op.drop_column('participants', 'badge_shows_organization')
    op.drop_column('participants', 'ticket_hash')
    op.drop_column('participants', 'ticket_salt')
