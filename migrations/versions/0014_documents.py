"""documents: the report, badges and sign-in sheets kept once built (encrypted), and the
claim on a build in progress

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 06:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'documents',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(64), nullable=False),
        sa.Column('digest', sa.String(64), nullable=False),
        sa.Column('state', sa.String(16), nullable=False),
        sa.Column('body', sa.LargeBinary(), nullable=True),
        sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True),
        sa.Column('build_s', sa.Float(), nullable=True),
        sa.Column('built_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("state IN ('building', 'ready')",
                           name=op.f('ck_documents_state_valid')),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'],
                                name=op.f('fk_documents_event_id_events'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_documents')),
        sa.UniqueConstraint('event_id', 'key', name=op.f('uq_documents_event_id_key')),
        sqlite_autoincrement=True,
    )
    op.create_index('ix_documents_building', 'documents', ['lease_until'],
                    sqlite_where=sa.text("state = 'building'"),
                    postgresql_where=sa.text("state = 'building'"))


def downgrade():
    op.drop_index('ix_documents_building', table_name='documents')
    op.drop_table('documents')
