"""screened addresses: a keyed hash of an under-13's address, for a while; replies to
people since erased no longer keep their address once final

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 23:20:35.158769
"""
from alembic import op
import sqlalchemy as sa
import store.models


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('screened_addresses',
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('survey', sa.String(length=64), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=True),
    sa.Column('until', store.models.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('digest', name=op.f('pk_screened_addresses'))
    )
    with op.batch_alter_table('screened_addresses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_screened_addresses_until'), ['until'], unique=False)

    # A reply to someone erased meanwhile (DELETE's confirmation, an under-13's thank-you)
    # kept their address after it was sent; the outbox now blanks it once the row is final.
    messages = sa.table('messages', sa.column('direction'), sa.column('contact_id'),
                        sa.column('reply_to_id'), sa.column('status'), sa.column('address'))
    op.execute(messages.update().where(
        messages.c.direction == 'out', messages.c.contact_id.is_(None),
        messages.c.reply_to_id.isnot(None),
        messages.c.status.in_(['sent', 'delivered', 'read', 'failed', 'undelivered',
                               'cancelled'])).values(address=''))



def downgrade() -> None:
    with op.batch_alter_table('screened_addresses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_screened_addresses_until'))

    op.drop_table('screened_addresses')
