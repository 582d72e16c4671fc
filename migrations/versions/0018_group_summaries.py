"""group summaries: each working group's summary of its discussion, for the report

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 10:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'group_summaries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('group_id', sa.Integer(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('changed_by_token_id', sa.Integer(), nullable=True),
        sa.Column('changed_by_role', sa.String(16), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'],
                                name=op.f('fk_group_summaries_event_id_events'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['group_id'], ['working_groups.id'],
                                name=op.f('fk_group_summaries_group_id_working_groups'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_group_summaries')),
        sa.UniqueConstraint('group_id', name=op.f('uq_group_summaries_group_id')),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f('ix_group_summaries_event_id'), 'group_summaries', ['event_id'])


def downgrade():
    op.drop_index(op.f('ix_group_summaries_event_id'), table_name='group_summaries')
    op.drop_table('group_summaries')
