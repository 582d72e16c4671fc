"""participants name themes they cannot take part in (vetoes); a run may place as many as
the rooms hold and keep the rest on a waiting list (overflow, unplaced); messages of kind
'waiting' tell them (SQLite rebuilds messages for its CHECK)

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07 18:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None

KINDS_BEFORE = ("kind IN ('invitation', 'confirmation', 'reminder', 'groups', 'change', "
                "'team', 'contacts')")
KINDS_AFTER = ("kind IN ('invitation', 'confirmation', 'reminder', 'groups', 'change', "
               "'team', 'contacts', 'waiting')")


def _batch(table='messages', recreate='always'):
    # SQLite rebuilds a table for some changes: keep its ids never reused (AUTOINCREMENT)
    sqlite = op.get_bind().dialect.name == 'sqlite'
    kwargs = {'recreate': recreate, 'table_kwargs': {'sqlite_autoincrement': True}} \
        if sqlite else {}
    return op.batch_alter_table(table, **kwargs)


def upgrade():
    with _batch('participants', 'auto') as batch:
        batch.add_column(sa.Column('vetoes', sa.JSON(), nullable=False,
                                   server_default=sa.text("'[]'")))
    with _batch('allocation_runs', 'auto') as batch:
        batch.add_column(sa.Column('overflow', sa.String(length=16), nullable=False,
                                   server_default='refuse'))
        batch.add_column(sa.Column('unplaced', sa.JSON(), nullable=True))
    with _batch() as batch_op:
        batch_op.drop_constraint(op.f('ck_messages_kind_valid'), type_='check')
        batch_op.create_check_constraint(op.f('ck_messages_kind_valid'), KINDS_AFTER)


def downgrade():
    op.execute("DELETE FROM messages WHERE kind = 'waiting'")
    with _batch() as batch_op:
        batch_op.drop_constraint(op.f('ck_messages_kind_valid'), type_='check')
        batch_op.create_check_constraint(op.f('ck_messages_kind_valid'), KINDS_BEFORE)
    with _batch('allocation_runs', 'auto') as batch:
        batch.drop_column('unplaced')
        batch.drop_column('overflow')
    with _batch('participants', 'auto') as batch:
        batch.drop_column('vetoes')
