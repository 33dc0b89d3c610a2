"""quote reviews: staff approve or exclude each quote the evidence pack would use, with a
reason, before the pack is shared

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-08 10:00:00.000000
"""
from alembic import op
import sqlalchemy as sa

import store.models


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('quote_reviews',
    sa.Column('answer_id', sa.Integer(), nullable=False),
    sa.Column('decision', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('reviewer', sa.String(length=255), nullable=False),
    sa.Column('decided_at', store.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['answer_id'], ['answers.id'], name=op.f('fk_quote_reviews_answer_id_answers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('answer_id', name=op.f('pk_quote_reviews'))
    )


def downgrade() -> None:
    op.drop_table('quote_reviews')
