"""products.waterproof: the first attribute added through the vocabulary registry

Revision ID: 0002_waterproof
Revises: 0001
Create Date: 2026-12-01 18:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0002_waterproof'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.add_column(sa.Column('waterproof', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.drop_column('waterproof')
