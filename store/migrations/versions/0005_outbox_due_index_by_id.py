"""outbox due index ends with the id: the claim reads due rows in order (next attempt,
then id) straight from the index and stops at its batch, instead of sorting every due row
(a broadcast queues thousands at one moment)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 22:15:00.000000
"""
from alembic import op


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_index('ix_messages_due')
        batch_op.create_index('ix_messages_due', ['status', 'next_attempt_at', 'id'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_index('ix_messages_due')
        batch_op.create_index('ix_messages_due', ['status', 'next_attempt_at'], unique=False)
