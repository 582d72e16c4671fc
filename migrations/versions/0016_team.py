"""team: staff given access from the pages (a token each, a sign-in link by e-mail), and
messages to them from the outbox

* team_members: name, e-mail, role, working group, the token that holds the access, the
  hash of the sign-in link and when it ends;
* messages: member_id beside participant_id (exactly one of them), kind 'team'. SQLite
  rebuilds messages for its CHECKs (foreign keys are off while migrating, see env.py),
  keeping AUTOINCREMENT.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 08:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

KINDS_BEFORE = "kind IN ('invitation', 'confirmation', 'reminder', 'groups', 'change')"
KINDS_AFTER = ("kind IN ('invitation', 'confirmation', 'reminder', 'groups', 'change', "
               "'team')")


def _batch():
    sqlite = op.get_bind().dialect.name == 'sqlite'
    kwargs = {'recreate': 'always', 'table_kwargs': {'sqlite_autoincrement': True}} \
        if sqlite else {}
    return op.batch_alter_table('messages', **kwargs)


def upgrade():
    op.create_table(
        'team_members',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('token_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(200), nullable=False),
        sa.Column('email', sa.String(254), nullable=False),
        sa.Column('role', sa.String(16), nullable=False),
        sa.Column('group_id', sa.Integer(), nullable=True),
        sa.Column('participant_id', sa.Integer(), nullable=True),
        sa.Column('link_hash', sa.String(64), nullable=True),
        sa.Column('link_expires_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('link_sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("role IN ('organizer', 'desk', 'viewer', 'facilitator')",
                           name=op.f('ck_team_members_role_valid')),
        sa.CheckConstraint('email = lower(email)', name=op.f('ck_team_members_email_lower')),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'],
                                name=op.f('fk_team_members_event_id_events'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['token_id'], ['api_tokens.id'],
                                name=op.f('fk_team_members_token_id_api_tokens'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['group_id'], ['working_groups.id'],
                                name=op.f('fk_team_members_group_id_working_groups'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['participant_id'], ['participants.id'],
                                name=op.f('fk_team_members_participant_id_participants'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_team_members')),
        sa.UniqueConstraint('token_id', name=op.f('uq_team_members_token_id')),
        sa.UniqueConstraint('link_hash', name=op.f('uq_team_members_link_hash')),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f('ix_team_members_event_id'), 'team_members', ['event_id'])
    op.create_index(op.f('ix_team_members_participant_id'), 'team_members',
                    ['participant_id'])
    op.create_index('uq_team_members_event_email_active', 'team_members',
                    ['event_id', 'email'], unique=True,
                    sqlite_where=sa.text('removed_at IS NULL'),
                    postgresql_where=sa.text('removed_at IS NULL'))
    with _batch() as batch_op:
        batch_op.add_column(sa.Column('member_id', sa.Integer(), nullable=True))
        batch_op.alter_column('participant_id', existing_type=sa.Integer(), nullable=True)
        batch_op.drop_constraint(op.f('ck_messages_kind_valid'), type_='check')
        batch_op.create_check_constraint(op.f('ck_messages_kind_valid'), KINDS_AFTER)
        batch_op.create_check_constraint(
            op.f('ck_messages_one_recipient'),
            '(participant_id IS NULL) <> (member_id IS NULL)')
        batch_op.create_foreign_key(op.f('fk_messages_member_id_team_members'),
                                    'team_members', ['member_id'], ['id'],
                                    ondelete='CASCADE')
        batch_op.create_index(op.f('ix_messages_member_id'), ['member_id'])


def downgrade():
    op.execute("DELETE FROM messages WHERE member_id IS NOT NULL")
    with _batch() as batch_op:
        batch_op.drop_index(op.f('ix_messages_member_id'))
        batch_op.drop_constraint(op.f('fk_messages_member_id_team_members'),
                                 type_='foreignkey')
        batch_op.drop_constraint(op.f('ck_messages_one_recipient'), type_='check')
        batch_op.drop_constraint(op.f('ck_messages_kind_valid'), type_='check')
        batch_op.create_check_constraint(op.f('ck_messages_kind_valid'), KINDS_BEFORE)
        batch_op.alter_column('participant_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('member_id')
    op.drop_index('uq_team_members_event_email_active', table_name='team_members')
    op.drop_index(op.f('ix_team_members_participant_id'), table_name='team_members')
    op.drop_index(op.f('ix_team_members_event_id'), table_name='team_members')
    op.drop_table('team_members')
