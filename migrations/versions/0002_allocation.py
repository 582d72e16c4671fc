"""allocation runs, rules, assignments, audit log

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 16:32:42.347229

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('actor_token_id', sa.Integer(), nullable=True),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('subject_type', sa.String(length=32), nullable=False),
    sa.Column('subject_id', sa.String(length=64), nullable=False),
    sa.Column('details', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_event_id'), ['event_id'], unique=False)

    op.create_table('allocation_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('include', sa.JSON(), nullable=False),
    sa.Column('stable', sa.Boolean(), nullable=False),
    sa.Column('time_limit_s', sa.Double(), nullable=False),
    sa.Column('seed', sa.Integer(), nullable=False),
    sa.Column('people', sa.Integer(), nullable=False),
    sa.Column('inputs_hash', sa.String(length=64), nullable=False),
    sa.Column('problem', sa.JSON(), nullable=True),
    sa.Column('solver_version', sa.String(length=32), nullable=False),
    sa.Column('ortools_version', sa.String(length=32), nullable=False),
    sa.Column('solver_status', sa.String(length=16), nullable=True),
    sa.Column('objective', sa.JSON(), nullable=True),
    sa.Column('best_bound', sa.JSON(), nullable=True),
    sa.Column('stages', sa.JSON(), nullable=True),
    sa.Column('metrics', sa.JSON(), nullable=True),
    sa.Column('reasons', sa.JSON(), nullable=True),
    sa.Column('moves', sa.JSON(), nullable=True),
    sa.Column('conflicts', sa.JSON(), nullable=True),
    sa.Column('ignored_rules', sa.JSON(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('wall_s', sa.Double(), nullable=True),
    sa.Column('triggered_by', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deadline_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('published', sa.Boolean(), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('published_by', sa.String(length=100), nullable=True),
    sa.CheckConstraint("status IN ('queued', 'running', 'succeeded', 'failed')", name=op.f('ck_allocation_runs_status_valid')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_allocation_runs_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_allocation_runs'))
    )
    with op.batch_alter_table('allocation_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_allocation_runs_event_id'), ['event_id'], unique=False)
        batch_op.create_index('uq_allocation_runs_event_active', ['event_id'], unique=True, sqlite_where=sa.text("status IN ('queued', 'running')"), postgresql_where=sa.text("status IN ('queued', 'running')"))
        batch_op.create_index('uq_allocation_runs_event_published', ['event_id'], unique=True, sqlite_where=sa.text('published'), postgresql_where=sa.text('published'))

    op.create_table('allocation_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('other_id', sa.Integer(), nullable=True),
    sa.Column('group_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.CheckConstraint("(kind = 'pin' AND group_id IS NOT NULL AND other_id IS NULL) OR (kind <> 'pin' AND other_id IS NOT NULL AND group_id IS NULL AND participant_id < other_id)", name=op.f('ck_allocation_rules_shape')),
    sa.CheckConstraint("kind IN ('pin', 'apart', 'together')", name=op.f('ck_allocation_rules_kind_valid')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_allocation_rules_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['group_id'], ['working_groups.id'], name=op.f('fk_allocation_rules_group_id_working_groups'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['other_id'], ['participants.id'], name=op.f('fk_allocation_rules_other_id_participants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_allocation_rules_participant_id_participants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_allocation_rules')),
    sa.UniqueConstraint('participant_id', 'other_id', 'kind', name=op.f('uq_allocation_rules_participant_id_other_id_kind'))
    )
    with op.batch_alter_table('allocation_rules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_allocation_rules_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_allocation_rules_group_id'), ['group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_allocation_rules_other_id'), ['other_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_allocation_rules_participant_id'), ['participant_id'], unique=False)
        batch_op.create_index('uq_allocation_rules_pin', ['participant_id'], unique=True, sqlite_where=sa.text("kind = 'pin'"), postgresql_where=sa.text("kind = 'pin'"))

    op.create_table('assignments',
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('solver_group_id', sa.Integer(), nullable=True),
    sa.Column('moved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('moved_by', sa.String(length=100), nullable=True),
    sa.ForeignKeyConstraint(['group_id'], ['working_groups.id'], name=op.f('fk_assignments_group_id_working_groups'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_assignments_participant_id_participants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['run_id'], ['allocation_runs.id'], name=op.f('fk_assignments_run_id_allocation_runs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('run_id', 'participant_id', name=op.f('pk_assignments'))
    )
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assignments_group_id'), ['group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assignments_participant_id'), ['participant_id'], unique=False)




def downgrade():

    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assignments_participant_id'))
        batch_op.drop_index(batch_op.f('ix_assignments_group_id'))

    op.drop_table('assignments')
    with op.batch_alter_table('allocation_rules', schema=None) as batch_op:
        batch_op.drop_index('uq_allocation_rules_pin', sqlite_where=sa.text("kind = 'pin'"), postgresql_where=sa.text("kind = 'pin'"))
        batch_op.drop_index(batch_op.f('ix_allocation_rules_participant_id'))
        batch_op.drop_index(batch_op.f('ix_allocation_rules_other_id'))
        batch_op.drop_index(batch_op.f('ix_allocation_rules_group_id'))
        batch_op.drop_index(batch_op.f('ix_allocation_rules_event_id'))

    op.drop_table('allocation_rules')
    with op.batch_alter_table('allocation_runs', schema=None) as batch_op:
        batch_op.drop_index('uq_allocation_runs_event_published', sqlite_where=sa.text('published'), postgresql_where=sa.text('published'))
        batch_op.drop_index('uq_allocation_runs_event_active', sqlite_where=sa.text("status IN ('queued', 'running')"), postgresql_where=sa.text("status IN ('queued', 'running')"))
        batch_op.drop_index(batch_op.f('ix_allocation_runs_event_id'))

    op.drop_table('allocation_runs')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_event_id'))
        batch_op.drop_index(batch_op.f('ix_audit_log_at'))

    op.drop_table('audit_log')

