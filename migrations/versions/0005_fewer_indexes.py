"""drop indexes that no query needs: participants.event_id, audit_log.at

Every registration wrote both. ix_participants_event_status (event_id, status) serves
each look-up by event; the audit log is read by event and id, never by time.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 19:35:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    # Plain index operations: no batch table copy (the audit log keeps its triggers).
    op.drop_index('ix_participants_event_id', table_name='participants')
    op.drop_index('ix_audit_log_at', table_name='audit_log')


def downgrade():
    op.create_index('ix_audit_log_at', 'audit_log', ['at'], unique=False)
    op.create_index('ix_participants_event_id', 'participants', ['event_id'], unique=False)
