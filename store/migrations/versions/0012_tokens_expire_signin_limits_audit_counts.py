"""staff accounts: API tokens get a name, an expiry and revocation; wrong passwords are
counted in signin_limits (under a row lock); audit rows carry a count (tallied failures)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08 10:00:00.000000
"""
from datetime import UTC, datetime, timedelta

from alembic import op
import sqlalchemy as sa
import store.models


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('signin_limits',
    sa.Column('key', sa.String(length=300), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('last_failed_at', store.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('blocked_until', store.models.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_signin_limits'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('count', sa.Integer(), server_default='1',
                                      nullable=False))
    with op.batch_alter_table('staff_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name', sa.String(length=100), server_default='',
                                      nullable=False))
        batch_op.add_column(sa.Column('expires_at', store.models.UTCDateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('revoked_at', store.models.UTCDateTime(timezone=True),
                                      nullable=True))
    # Tokens made before expiry existed get the default 90 days from now.
    tokens = sa.table('staff_tokens', sa.column('expires_at', store.models.UTCDateTime()))
    op.execute(tokens.update().where(tokens.c.expires_at.is_(None)).values(
        expires_at=datetime.now(UTC) + timedelta(days=90)))
    with op.batch_alter_table('staff_tokens', schema=None) as batch_op:
        batch_op.alter_column('expires_at', existing_type=store.models.UTCDateTime(
            timezone=True), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table('staff_tokens', schema=None) as batch_op:
        batch_op.drop_column('revoked_at')
        batch_op.drop_column('expires_at')
        batch_op.drop_column('name')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_column('count')
    op.drop_table('signin_limits')
