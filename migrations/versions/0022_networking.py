"""networking by consent: each person's sharing choice and directory listing, meet codes,
contact requests; messages of kind 'contacts' (SQLite rebuilds messages for its CHECK)

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 12:30:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None

KINDS_BEFORE = ("kind IN ('invitation', 'confirmation', 'reminder', 'groups', 'change', "
                "'team')")
KINDS_AFTER = ("kind IN ('invitation', 'confirmation', 'reminder', 'groups', 'change', "
               "'team', 'contacts')")


def _batch():
    sqlite = op.get_bind().dialect.name == 'sqlite'
    kwargs = {'recreate': 'always', 'table_kwargs': {'sqlite_autoincrement': True}} \
        if sqlite else {}
    return op.batch_alter_table('messages', **kwargs)


def upgrade():
    op.create_table(
        'networking_profiles',
        sa.Column('participant_id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('listed', sa.Boolean(), nullable=False),
        sa.Column('fields', sa.JSON(), nullable=False),
        sa.Column('about', sa.String(200), nullable=False),
        sa.Column('consent_version', sa.String(16), nullable=True),
        sa.Column('consented_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('meet_salt', sa.String(64), nullable=True),
        sa.Column('meet_hash', sa.String(64), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['participant_id'], ['participants.id'],
                                name=op.f('fk_networking_profiles_participant_id_participants'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'],
                                name=op.f('fk_networking_profiles_event_id_events'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('participant_id', name=op.f('pk_networking_profiles')),
        sa.UniqueConstraint('meet_hash', name=op.f('uq_networking_profiles_meet_hash')),
    )
    op.create_index(op.f('ix_networking_profiles_event_id'), 'networking_profiles',
                    ['event_id'])
    op.create_table(
        'contact_requests',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('from_id', sa.Integer(), nullable=False),
        sa.Column('to_id', sa.Integer(), nullable=True),
        sa.Column('code_hash', sa.String(64), nullable=False),
        sa.Column('status', sa.String(16), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('pending', 'accepted', 'declined')",
                           name=op.f('ck_contact_requests_status_valid')),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'],
                                name=op.f('fk_contact_requests_event_id_events'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['from_id'], ['participants.id'],
                                name=op.f('fk_contact_requests_from_id_participants'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['to_id'], ['participants.id'],
                                name=op.f('fk_contact_requests_to_id_participants'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_contact_requests')),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f('ix_contact_requests_event_id'), 'contact_requests', ['event_id'])
    op.create_index(op.f('ix_contact_requests_from_id'), 'contact_requests', ['from_id'])
    op.create_index(op.f('ix_contact_requests_to_id'), 'contact_requests', ['to_id'])
    op.create_index('uq_contact_requests_from_code', 'contact_requests',
                    ['from_id', 'code_hash'], unique=True)
    with _batch() as batch_op:
        batch_op.add_column(sa.Column('vcard', sa.Text(), nullable=True))
        batch_op.drop_constraint(op.f('ck_messages_kind_valid'), type_='check')
        batch_op.create_check_constraint(op.f('ck_messages_kind_valid'), KINDS_AFTER)


def downgrade():
    op.execute("DELETE FROM messages WHERE kind = 'contacts'")
    with _batch() as batch_op:
        batch_op.drop_constraint(op.f('ck_messages_kind_valid'), type_='check')
        batch_op.create_check_constraint(op.f('ck_messages_kind_valid'), KINDS_BEFORE)
        batch_op.drop_column('vcard')
    op.drop_index('uq_contact_requests_from_code', table_name='contact_requests')
    op.drop_index(op.f('ix_contact_requests_to_id'), table_name='contact_requests')
    op.drop_index(op.f('ix_contact_requests_from_id'), table_name='contact_requests')
    op.drop_index(op.f('ix_contact_requests_event_id'), table_name='contact_requests')
    op.drop_table('contact_requests')
    op.drop_index(op.f('ix_networking_profiles_event_id'), table_name='networking_profiles')
    op.drop_table('networking_profiles')
