"""programme: what happens when, and where (talks, questions, working groups, plenary)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 09:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'programme_items',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('title', sa.String(300), nullable=False),
        sa.Column('kind', sa.String(20), nullable=False),
        sa.Column('room', sa.String(200), nullable=False),
        sa.Column('theme_id', sa.Integer(), nullable=True),
        sa.Column('speaker_ids', sa.JSON(), nullable=False, server_default=sa.text("'[]'")),
        sa.Column('notes', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('ends_at > starts_at',
                           name=op.f('ck_programme_items_ends_after_start')),
        sa.CheckConstraint("kind IN ('talk', 'questions', 'working_groups', 'plenary', "
                           "'break', 'other')", name=op.f('ck_programme_items_kind_valid')),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'],
                                name=op.f('fk_programme_items_event_id_events'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['theme_id'], ['themes.id'],
                                name=op.f('fk_programme_items_theme_id_themes'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_items')),
        sqlite_autoincrement=True,
    )
    op.create_index('ix_programme_items_event_starts', 'programme_items',
                    ['event_id', 'starts_at'])


def downgrade():
    op.drop_index('ix_programme_items_event_starts', table_name='programme_items')
    op.drop_table('programme_items')
