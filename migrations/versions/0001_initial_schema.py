"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-28 15:37:04.704938

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    
    op.create_table('events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('venue', sa.String(length=200), nullable=False),
    sa.Column('language', sa.String(length=64), nullable=False),
    sa.Column('sectors', sa.JSON(), nullable=False),
    sa.Column('retention_days', sa.Integer(), nullable=False),
    sa.Column('purged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_events_ends_after_start')),
    sa.CheckConstraint('retention_days >= 0 AND retention_days <= 3650', name=op.f('ck_events_retention_range')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_events'))
    )
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=16), nullable=False),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("role IN ('organizer', 'desk', 'viewer')", name=op.f('ck_api_tokens_role_valid')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_api_tokens_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('public_id', name=op.f('uq_api_tokens_public_id'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index('uq_api_tokens_name_active', ['name'], unique=True, sqlite_where=sa.text('revoked_at IS NULL'), postgresql_where=sa.text('revoked_at IS NULL'))

    op.create_table('participants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('organization', sa.String(length=200), nullable=False),
    sa.Column('sector', sa.String(length=64), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=True),
    sa.Column('gender', sa.String(length=16), nullable=True),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('consent', sa.Boolean(), nullable=False),
    sa.Column('consent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('consent_version', sa.String(length=32), nullable=False),
    sa.Column('checked_in_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('search_key', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("gender IS NULL OR gender IN ('female', 'male', 'non_binary', 'undisclosed')", name=op.f('ck_participants_gender_valid')),
    sa.CheckConstraint("role IN ('participant', 'facilitator')", name=op.f('ck_participants_role_valid')),
    sa.CheckConstraint("status IN ('registered', 'checked_in', 'withdrawn')", name=op.f('ck_participants_status_valid')),
    sa.CheckConstraint('consent', name=op.f('ck_participants_consent_given')),
    sa.CheckConstraint('email = lower(email)', name=op.f('ck_participants_email_lower')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_participants_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_participants'))
    )
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_participants_event_id'), ['event_id'], unique=False)
        batch_op.create_index('ix_participants_event_status', ['event_id', 'status'], unique=False)
        batch_op.create_index('uq_participants_event_email_active', ['event_id', 'email'], unique=True, sqlite_where=sa.text("status <> 'withdrawn'"), postgresql_where=sa.text("status <> 'withdrawn'"))

    op.create_table('themes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_themes_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_themes')),
    sa.UniqueConstraint('event_id', 'key', name=op.f('uq_themes_event_id_key'))
    )
    with op.batch_alter_table('themes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_themes_event_id'), ['event_id'], unique=False)

    op.create_table('idempotency_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('headers', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['token_id'], ['api_tokens.id'], name=op.f('fk_idempotency_records_token_id_api_tokens'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idempotency_records')),
    sa.UniqueConstraint('token_id', 'key', name=op.f('uq_idempotency_records_token_id_key'))
    )
    op.create_table('preferences',
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('theme_id', sa.Integer(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.CheckConstraint('rank >= 1', name=op.f('ck_preferences_rank_positive')),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_preferences_participant_id_participants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['theme_id'], ['themes.id'], name=op.f('fk_preferences_theme_id_themes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('participant_id', 'theme_id', name=op.f('pk_preferences')),
    sa.UniqueConstraint('participant_id', 'rank', name=op.f('uq_preferences_participant_id_rank'))
    )
    with op.batch_alter_table('preferences', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_preferences_theme_id'), ['theme_id'], unique=False)

    op.create_table('working_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('theme_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('room', sa.String(length=200), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('min_size', sa.Integer(), nullable=False),
    sa.CheckConstraint('capacity >= 1', name=op.f('ck_working_groups_capacity_positive')),
    sa.CheckConstraint('min_size >= 0 AND min_size <= capacity', name=op.f('ck_working_groups_min_size_range')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_working_groups_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['theme_id'], ['themes.id'], name=op.f('fk_working_groups_theme_id_themes'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_working_groups')),
    sa.UniqueConstraint('event_id', 'name', name=op.f('uq_working_groups_event_id_name'))
    )
    with op.batch_alter_table('working_groups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_working_groups_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_working_groups_theme_id'), ['theme_id'], unique=False)




def downgrade():
    
    with op.batch_alter_table('working_groups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_working_groups_theme_id'))
        batch_op.drop_index(batch_op.f('ix_working_groups_event_id'))

    op.drop_table('working_groups')
    with op.batch_alter_table('preferences', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_preferences_theme_id'))

    op.drop_table('preferences')
    op.drop_table('idempotency_records')
    with op.batch_alter_table('themes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_themes_event_id'))

    op.drop_table('themes')
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.drop_index('uq_participants_event_email_active', sqlite_where=sa.text("status <> 'withdrawn'"), postgresql_where=sa.text("status <> 'withdrawn'"))
        batch_op.drop_index('ix_participants_event_status')
        batch_op.drop_index(batch_op.f('ix_participants_event_id'))

    op.drop_table('participants')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index('uq_api_tokens_name_active', sqlite_where=sa.text('revoked_at IS NULL'), postgresql_where=sa.text('revoked_at IS NULL'))

    op.drop_table('api_tokens')
    op.drop_table('events')

