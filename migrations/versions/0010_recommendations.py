"""recommendations: what working groups produce, facilitator tokens

* recommendations and their history (recommendation_versions);
* api_tokens: role 'facilitator' and an optional group_id; working_groups:
  recommendations_locked_at. SQLite rebuilds api_tokens for its role CHECK (foreign keys
  are off while migrating, see env.py), keeping AUTOINCREMENT.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 03:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

ROLES_BEFORE = "role IN ('organizer', 'desk', 'viewer')"
ROLES_AFTER = "role IN ('organizer', 'desk', 'viewer', 'facilitator')"


def _token_roles(check):
    sqlite = op.get_bind().dialect.name == 'sqlite'
    kwargs = {'recreate': 'always', 'table_kwargs': {'sqlite_autoincrement': True}} \
        if sqlite else {}
    with op.batch_alter_table('api_tokens', **kwargs) as batch_op:
        batch_op.drop_constraint(op.f('ck_api_tokens_role_valid'), type_='check')
        batch_op.create_check_constraint(op.f('ck_api_tokens_role_valid'), check)


def upgrade():
    _token_roles(ROLES_AFTER)
    op.add_column('api_tokens', sa.Column('group_id', sa.Integer(), nullable=True))
    op.add_column('working_groups', sa.Column('recommendations_locked_at',
                                              sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        'recommendations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('group_id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(300), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('question', sa.Text(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(16), nullable=False),
        sa.Column('merged_into_id', sa.Integer(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('changed_by_token_id', sa.Integer(), nullable=True),
        sa.Column('changed_by_role', sa.String(16), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('draft', 'proposed', 'adopted', 'amended', 'merged', "
                           "'dropped')", name=op.f('ck_recommendations_status_valid')),
        sa.CheckConstraint("(status = 'merged') = (merged_into_id IS NOT NULL)",
                           name=op.f('ck_recommendations_merged_names_target')),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'],
                                name=op.f('fk_recommendations_event_id_events'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['group_id'], ['working_groups.id'],
                                name=op.f('fk_recommendations_group_id_working_groups'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['merged_into_id'], ['recommendations.id'],
                                name=op.f('fk_recommendations_merged_into_id_recommendations'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_recommendations')),
        sqlite_autoincrement=True,
    )
    op.create_index('ix_recommendations_event_group', 'recommendations',
                    ['event_id', 'group_id'])
    op.create_index(op.f('ix_recommendations_group_id'), 'recommendations', ['group_id'])
    op.create_table(
        'recommendation_versions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('recommendation_id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(300), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('status', sa.String(16), nullable=False),
        sa.Column('changed_by_token_id', sa.Integer(), nullable=True),
        sa.Column('changed_by_role', sa.String(16), nullable=False),
        sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['recommendation_id'], ['recommendations.id'],
            name=op.f('fk_recommendation_versions_recommendation_id_recommendations'),
            ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_recommendation_versions')),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f('ix_recommendation_versions_recommendation_id'),
                    'recommendation_versions', ['recommendation_id'])


def downgrade():
    op.drop_index(op.f('ix_recommendation_versions_recommendation_id'),
                  table_name='recommendation_versions')
    op.drop_table('recommendation_versions')
    op.drop_index(op.f('ix_recommendations_group_id'), table_name='recommendations')
    op.drop_index('ix_recommendations_event_group', table_name='recommendations')
    op.drop_table('recommendations')
    op.drop_column('working_groups', 'recommendations_locked_at')
    op.drop_column('api_tokens', 'group_id')
    # (foreign keys are not enforced while SQLite migrates: what points at them goes first)
    gone = "SELECT id FROM api_tokens WHERE role = 'facilitator'"
    op.execute(f"DELETE FROM web_sessions WHERE token_id IN ({gone})")
    op.execute(f"DELETE FROM idempotency_records WHERE token_id IN ({gone})")
    op.execute("DELETE FROM api_tokens WHERE role = 'facilitator'")
    _token_roles(ROLES_BEFORE)
