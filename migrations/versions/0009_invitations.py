"""invitations: invitees, personal links, the e-mail outbox

* participants: statuses 'invited' (before 'registered') and 'declined'; an invitee has no
  sector, organisation or consent yet, so those hold only for people who take part
  (registered, checked in). SQLite rebuilds the table (with AUTOINCREMENT kept).
* events: registration_closes_at (invitees' pages take answers until then) and
  contact_email (whom they write to afterwards).
* personal_links: one hashed secret per invitee; messages: the transactional outbox.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 02:00:00

"""
import sqlalchemy as sa
from alembic import op



# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

TAKES_PART = "status IN ('registered', 'checked_in')"
OLD_STATUSES = "status IN ('registered', 'checked_in', 'withdrawn')"
NEW_STATUSES = "status IN ('invited', 'registered', 'checked_in', 'declined', 'withdrawn')"


def _participants(statuses, consent, sector_nullable):
    sqlite = op.get_bind().dialect.name == 'sqlite'
    kwargs = {'recreate': 'always', 'table_kwargs': {'sqlite_autoincrement': True}} \
        if sqlite else {}
    with op.batch_alter_table('participants', **kwargs) as batch_op:
        batch_op.drop_constraint(op.f('ck_participants_status_valid'), type_='check')
        batch_op.drop_constraint(op.f('ck_participants_consent_given'), type_='check')
        batch_op.create_check_constraint(op.f('ck_participants_status_valid'), statuses)
        batch_op.create_check_constraint(op.f('ck_participants_consent_given'), consent)
        if sector_nullable:
            batch_op.create_check_constraint(op.f('ck_participants_sector_given'),
                                             f"sector IS NOT NULL OR NOT ({TAKES_PART})")
        else:
            batch_op.drop_constraint(op.f('ck_participants_sector_given'), type_='check')
        batch_op.alter_column('sector', existing_type=sa.String(64), nullable=sector_nullable)
        batch_op.alter_column('consent_at', existing_type=sa.DateTime(timezone=True),
                              nullable=sector_nullable)


def upgrade():
    _participants(NEW_STATUSES, f"consent OR NOT ({TAKES_PART})", True)
    op.add_column('events', sa.Column('registration_closes_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('events', sa.Column('contact_email', sa.String(254), nullable=False,
                                      server_default=''))
    op.create_table(
        'personal_links',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('participant_id', sa.Integer(), nullable=False),
        sa.Column('secret_hash', sa.String(64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('opened_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'],
                                name=op.f('fk_personal_links_event_id_events'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['participant_id'], ['participants.id'],
                                name=op.f('fk_personal_links_participant_id_participants'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_personal_links')),
        sa.UniqueConstraint('secret_hash', name=op.f('uq_personal_links_secret_hash')),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f('ix_personal_links_event_id'), 'personal_links', ['event_id'])
    op.create_index(op.f('ix_personal_links_participant_id'), 'personal_links',
                    ['participant_id'])
    op.create_table(
        'messages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('participant_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(16), nullable=False),
        sa.Column('recipient', sa.String(254), nullable=False),
        sa.Column('subject', sa.String(300), nullable=False),
        sa.Column('body_text', sa.Text(), nullable=False),
        sa.Column('body_html', sa.Text(), nullable=False),
        sa.Column('calendar', sa.Text(), nullable=True),
        sa.Column('link', sa.Text(), nullable=True),
        sa.Column('group_id', sa.Integer(), nullable=True),
        sa.Column('message_id', sa.String(200), nullable=False),
        sa.Column('status', sa.String(16), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("kind IN ('invitation', 'confirmation', 'reminder', 'groups', "
                           "'change')", name=op.f('ck_messages_kind_valid')),
        sa.CheckConstraint("status IN ('queued', 'sent', 'failed')",
                           name=op.f('ck_messages_status_valid')),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'],
                                name=op.f('fk_messages_event_id_events'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['participant_id'], ['participants.id'],
                                name=op.f('fk_messages_participant_id_participants'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_messages')),
        sa.UniqueConstraint('message_id', name=op.f('uq_messages_message_id')),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f('ix_messages_event_id'), 'messages', ['event_id'])
    op.create_index(op.f('ix_messages_participant_id'), 'messages', ['participant_id'])
    op.create_index('ix_messages_due', 'messages', ['status', 'next_attempt_at'])


def downgrade():
    op.drop_index('ix_messages_due', table_name='messages')
    op.drop_index(op.f('ix_messages_participant_id'), table_name='messages')
    op.drop_index(op.f('ix_messages_event_id'), table_name='messages')
    op.drop_table('messages')
    op.drop_index(op.f('ix_personal_links_participant_id'), table_name='personal_links')
    op.drop_index(op.f('ix_personal_links_event_id'), table_name='personal_links')
    op.drop_table('personal_links')
    op.drop_column('events', 'contact_email')
    op.drop_column('events', 'registration_closes_at')
    # Invitees who never answered leave with the statuses that describe them.
    # (foreign keys are not enforced while SQLite migrates: what points at them goes first)
    gone = ("SELECT id FROM participants WHERE status IN ('invited', 'declined') "
            "OR sector IS NULL OR consent_at IS NULL OR NOT consent")
    op.execute(f"DELETE FROM preferences WHERE participant_id IN ({gone})")
    op.execute(f"DELETE FROM assignments WHERE participant_id IN ({gone})")
    op.execute(f"DELETE FROM allocation_rules WHERE participant_id IN ({gone}) "
               f"OR other_id IN ({gone})")
    op.execute(f"DELETE FROM participants WHERE id IN ({gone})")
    _participants(OLD_STATUSES, "consent", False)
