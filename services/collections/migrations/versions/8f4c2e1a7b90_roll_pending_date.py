"""bucket roll waiting for its business day's close

Revision ID: 8f4c2e1a7b90
Revises: 3d0b686ca21f
Create Date: 2026-11-29 06:40:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '8f4c2e1a7b90'
down_revision = '3d0b686ca21f'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('collection_case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('roll_pending_date', sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('collection_case', schema=None) as batch_op:
        batch_op.drop_column('roll_pending_date')
