"""outbox claims and opt-outs: a claim token per sending row; replies that go despite an
opt-out (the STOP's confirmation)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 19:59:03.504316
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claim_token', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('despite_opt_out', sa.Boolean(),
                                      server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_column('despite_opt_out')
        batch_op.drop_column('claim_token')
