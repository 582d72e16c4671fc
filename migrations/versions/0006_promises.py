"""promises that hold: ids never reused, erased rows anonymous, server-side page sessions

* SQLite gave a deleted row's id to the next row (the largest id plus one), so the audit
  log could read "allocation.deleted 11" and then "allocation.started 11" for another
  run. Tables with integer keys are rebuilt with AUTOINCREMENT. PostgreSQL's sequences
  never hand an id out twice; nothing changes there.
* An erased participant holds no personal data, whatever writes to the row later: a
  CHECK constraint, on both databases.
* Page sessions live in the database; the cookie holds only a random id.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

# Every table with an integer key of its own (preferences and assignments have
# composite keys, auth_throttle a text key).
INTEGER_KEYS = ['events', 'themes', 'working_groups', 'participants', 'api_tokens',
                'idempotency_records', 'allocation_rules', 'allocation_runs', 'audit_log']
ERASED_IS_ANONYMOUS = (
    "erased_at IS NULL OR (full_name = 'Erased participant' AND organization = 'erased' "
    "AND country IS NULL AND gender IS NULL AND search_key = '' "
    "AND email LIKE 'erased-%@erased.invalid' AND status = 'withdrawn' "
    "AND checked_in_at IS NULL)")
AUDIT_TRIGGERS_SQLITE = [
    f"CREATE TRIGGER audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
    for verb in ("UPDATE", "DELETE")]


def _rebuild_sqlite(autoincrement: bool) -> None:
    """Rebuild each table (SQLite can only set AUTOINCREMENT when creating one)."""
    # The copy of the audit log must not trip its own append-only triggers.
    op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
    op.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
    for table in INTEGER_KEYS:
        with op.batch_alter_table(table, recreate='always',
                                  table_kwargs={'sqlite_autoincrement': autoincrement}
                                  ) as batch_op:
            if table == 'participants':
                if autoincrement:
                    batch_op.create_check_constraint(
                        op.f('ck_participants_erased_is_anonymous'), ERASED_IS_ANONYMOUS)
                else:
                    batch_op.drop_constraint(op.f('ck_participants_erased_is_anonymous'),
                                             type_='check')
    for statement in AUDIT_TRIGGERS_SQLITE:
        op.execute(statement)


def upgrade():
    # Before the constraint: anyone erased whose data an earlier version let be written
    # back is erased again.
    op.execute("UPDATE participants SET full_name = 'Erased participant', "
               "organization = 'erased', country = NULL, gender = NULL, search_key = '', "
               "email = 'erased-' || id || '@erased.invalid', status = 'withdrawn', "
               "checked_in_at = NULL WHERE erased_at IS NOT NULL")
    if op.get_bind().dialect.name == 'sqlite':
        _rebuild_sqlite(True)
    else:
        op.create_check_constraint(op.f('ck_participants_erased_is_anonymous'),
                                   'participants', ERASED_IS_ANONYMOUS)
    op.create_table('web_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sid_hash', sa.String(length=64), nullable=False),
    sa.Column('token_id', sa.Integer(), nullable=True),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['token_id'], ['api_tokens.id'], name=op.f('fk_web_sessions_token_id_api_tokens'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_web_sessions')),
    sa.UniqueConstraint('sid_hash', name=op.f('uq_web_sessions_sid_hash')),
    sqlite_autoincrement=True,
    )
    with op.batch_alter_table('web_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_web_sessions_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_web_sessions_token_id'), ['token_id'], unique=False)


def downgrade():
    with op.batch_alter_table('web_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_web_sessions_token_id'))
        batch_op.drop_index(batch_op.f('ix_web_sessions_expires_at'))
    op.drop_table('web_sessions')
    if op.get_bind().dialect.name == 'sqlite':
        _rebuild_sqlite(False)
    else:
        op.drop_constraint(op.f('ck_participants_erased_is_anonymous'), 'participants',
                           type_='check')
