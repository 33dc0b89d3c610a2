"""assembly members: the roster (contacts with a role), sessions, RSVPs, check-ins

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 22:36:44.647189
"""
from alembic import op
import sqlalchemy as sa
import store.models


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('assembly_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('starts_at', store.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', store.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('venue', sa.Text(), nullable=False),
    sa.Column('bring', sa.Text(), nullable=True),
    sa.Column('access', sa.Text(), nullable=True),
    sa.Column('travel', sa.Text(), nullable=True),
    sa.Column('created_at', store.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', store.models.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assembly_sessions'))
    )
    with op.batch_alter_table('assembly_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assembly_sessions_starts_at'), ['starts_at'], unique=False)

    op.create_table('members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('link_code', sa.String(length=16), nullable=True),
    sa.Column('created_at', store.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', store.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_members_contact_id_contacts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_members')),
    sa.UniqueConstraint('contact_id', name=op.f('uq_members_contact_id')),
    sa.UniqueConstraint('link_code', name=op.f('uq_members_link_code')),
    sa.UniqueConstraint('token', name=op.f('uq_members_token'))
    )
    op.create_table('check_ins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('week', sa.String(length=10), nullable=False),
    sa.Column('started_at', store.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_check_ins_member_id_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_check_ins')),
    sa.UniqueConstraint('member_id', 'week', name=op.f('uq_check_ins_member_id_week'))
    )
    op.create_table('rsvps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('answer', sa.String(length=8), nullable=False),
    sa.Column('for_starts', store.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('at', store.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_rsvps_member_id_members'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['assembly_sessions.id'], name=op.f('fk_rsvps_session_id_assembly_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rsvps')),
    sa.UniqueConstraint('member_id', 'session_id', name=op.f('uq_rsvps_member_id_session_id'))
    )
    with op.batch_alter_table('rsvps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rsvps_session_id'), ['session_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('rsvps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rsvps_session_id'))

    op.drop_table('rsvps')
    op.drop_table('check_ins')
    op.drop_table('members')
    with op.batch_alter_table('assembly_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assembly_sessions_starts_at'))

    op.drop_table('assembly_sessions')
