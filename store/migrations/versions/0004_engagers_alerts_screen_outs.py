"""youth engagement and safeguarding: engagers, alerts, screen-out counts

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 22:07:04.720604
"""
from alembic import op
import sqlalchemy as sa
import store.models


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('screen_outs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.String(length=64), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_screen_outs'))
    )
    op.create_table('engagers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('paused_at', store.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('pack_week', sa.Integer(), nullable=True),
    sa.Column('created_at', store.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_engagers_contact_id_contacts'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_engagers')),
    sa.UniqueConstraint('code', name=op.f('uq_engagers_code'))
    )
    with op.batch_alter_table('engagers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_engagers_contact_id'), ['contact_id'], unique=False)

    op.create_table('alerts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('severity', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=True),
    sa.Column('text_en', sa.Text(), nullable=True),
    sa.Column('translation_status', sa.String(length=16), nullable=True),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('survey', sa.String(length=64), nullable=True),
    sa.Column('question', sa.String(length=64), nullable=True),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('conversation_id', sa.Integer(), nullable=True),
    sa.Column('message_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('created_at', store.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('acked_at', store.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('acked_by', sa.String(length=255), nullable=True),
    sa.Column('ack_note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_alerts_contact_id_contacts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'], name=op.f('fk_alerts_conversation_id_conversations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['message_id'], ['messages.id'], name=op.f('fk_alerts_message_id_messages'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alerts'))
    )
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alerts_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index('ix_alerts_open', ['acked_at', 'severity'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_index('ix_alerts_open')
        batch_op.drop_index(batch_op.f('ix_alerts_contact_id'))

    op.drop_table('alerts')
    with op.batch_alter_table('engagers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_engagers_contact_id'))

    op.drop_table('engagers')
    op.drop_table('screen_outs')
