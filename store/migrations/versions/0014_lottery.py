"""the civic lottery: draws, letters and their codes (hashed), registrants, reviewed targets, selection runs

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 23:22:20.871952
"""
from alembic import op
import sqlalchemy as sa
import store.models
from sqlalchemy.dialects import postgresql

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('lottery_draws',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seed', sa.Text(), nullable=False),
    sa.Column('addresses', sa.Integer(), nullable=False),
    sa.Column('letters', sa.Integer(), nullable=False),
    sa.Column('per_household', sa.Integer(), nullable=False),
    sa.Column('source_digest', sa.String(length=64), nullable=False),
    sa.Column('closes_at', store.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', store.models.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lottery_draws'))
    )
    op.create_table('lottery_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('seed', sa.Text(), nullable=False),
    sa.Column('wanted', sa.Integer(), nullable=False),
    sa.Column('reserves', sa.Integer(), nullable=False),
    sa.Column('algorithm', sa.String(length=32), nullable=False),
    sa.Column('library_version', sa.String(length=32), nullable=False),
    sa.Column('report', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('created_at', store.models.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lottery_runs'))
    )
    op.create_table('lottery_targets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dimension', sa.String(length=32), nullable=False),
    sa.Column('category', sa.Text(), nullable=False),
    sa.Column('min', sa.Integer(), nullable=False),
    sa.Column('max', sa.Integer(), nullable=False),
    sa.Column('panel', sa.Integer(), nullable=False),
    sa.Column('loaded_at', store.models.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lottery_targets')),
    sa.UniqueConstraint('dimension', 'category', name=op.f('uq_lottery_targets_dimension_category'))
    )
    op.create_table('lottery_letters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('draw_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('ward', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['draw_id'], ['lottery_draws.id'], name=op.f('fk_lottery_letters_draw_id_lottery_draws'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lottery_letters')),
    sa.UniqueConstraint('draw_id', 'number', name=op.f('uq_lottery_letters_draw_id_number'))
    )
    with op.batch_alter_table('lottery_letters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lottery_letters_draw_id'), ['draw_id'], unique=False)

    op.create_table('lottery_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('letter_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['letter_id'], ['lottery_letters.id'], name=op.f('fk_lottery_codes_letter_id_lottery_letters'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lottery_codes')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_lottery_codes_code_hash'))
    )
    with op.batch_alter_table('lottery_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lottery_codes_letter_id'), ['letter_id'], unique=False)

    op.create_table('registrants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code_id', sa.Integer(), nullable=False),
    sa.Column('letter_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('status_at', store.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('probability', sa.Float(), nullable=True),
    sa.Column('asked_at', store.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('confirm_by', store.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('told_at', store.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('registered_at', store.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['code_id'], ['lottery_codes.id'], name=op.f('fk_registrants_code_id_lottery_codes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_registrants_contact_id_contacts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['letter_id'], ['lottery_letters.id'], name=op.f('fk_registrants_letter_id_lottery_letters'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_registrants_member_id_members'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['response_id'], ['responses.id'], name=op.f('fk_registrants_response_id_responses'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['run_id'], ['lottery_runs.id'], name=op.f('fk_registrants_run_id_lottery_runs'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registrants')),
    sa.UniqueConstraint('code_id', name=op.f('uq_registrants_code_id'))
    )
    with op.batch_alter_table('registrants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registrants_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_registrants_letter_id'), ['letter_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_registrants_response_id'), ['response_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_registrants_status'), ['status'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('registrants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registrants_status'))
        batch_op.drop_index(batch_op.f('ix_registrants_response_id'))
        batch_op.drop_index(batch_op.f('ix_registrants_letter_id'))
        batch_op.drop_index(batch_op.f('ix_registrants_contact_id'))

    op.drop_table('registrants')
    with op.batch_alter_table('lottery_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lottery_codes_letter_id'))

    op.drop_table('lottery_codes')
    with op.batch_alter_table('lottery_letters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lottery_letters_draw_id'))

    op.drop_table('lottery_letters')
    op.drop_table('lottery_targets')
    op.drop_table('lottery_runs')
    op.drop_table('lottery_draws')
