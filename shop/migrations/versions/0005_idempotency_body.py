"""orders.idempotency_body: a hash of the checkout request an idempotency key was used with

Revision ID: 0005_idempotency_body
Revises: 0002_waterproof
Create Date: 2026-12-01 19:05:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0005_idempotency_body'
down_revision = '0004_variant_options'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('idempotency_body', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_column('idempotency_body')
