"""translations record their provider and time; erasures say whether a DELETE or a purge

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 22:43:17.959599
"""
from alembic import op
import sqlalchemy as sa
import store.models
from sqlalchemy.dialects import postgresql

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ('alerts', 'answers'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('translation_provider', sa.String(length=32), nullable=True))
            batch_op.add_column(sa.Column('translated_at', store.models.UTCDateTime(timezone=True), nullable=True))

    with op.batch_alter_table('erasures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('counts', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('erasures', schema=None) as batch_op:
        batch_op.drop_column('counts')
        batch_op.drop_column('kind')

    for table in ('answers', 'alerts'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('translated_at')
            batch_op.drop_column('translation_provider')
