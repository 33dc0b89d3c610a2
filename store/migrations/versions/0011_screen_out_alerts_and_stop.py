"""a screen-out keeps an open alert's way to the person: alerts say the person is under
13; a screened address remembers a STOP (a flag)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 03:55:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('under_13', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
    with op.batch_alter_table('screened_addresses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stopped', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('screened_addresses', schema=None) as batch_op:
        batch_op.drop_column('stopped')
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_column('under_13')
