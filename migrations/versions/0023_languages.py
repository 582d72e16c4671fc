"""participants read one of the six UN languages (null: not chosen); messages say theirs

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 15:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('participants') as batch:
        batch.add_column(sa.Column('language', sa.String(length=8), nullable=True))
    with op.batch_alter_table('messages') as batch:
        batch.add_column(sa.Column('language', sa.String(length=8), nullable=True))


def downgrade():
    with op.batch_alter_table('messages') as batch:
        batch.drop_column('language')
    with op.batch_alter_table('participants') as batch:
        batch.drop_column('language')
