"""members link Telegram with a one-time code: when the code expires

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 23:18:34.680361
"""
from alembic import op
import sqlalchemy as sa
import store.models


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.add_column(sa.Column('link_code_expires_at', store.models.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.drop_column('link_code_expires_at')
