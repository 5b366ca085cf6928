"""discount_codes; carts.discount_code_id; orders.discount_code and orders.discount

Revision ID: 0010_discounts
Revises: 0008_search
Create Date: 2026-12-01 20:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0010_discounts'
down_revision = '0009_outbox'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('discount_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('value', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('min_spend', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=True),
    sa.Column('ends_at', sa.DateTime(), nullable=True),
    sa.Column('max_uses', sa.Integer(), nullable=True),
    sa.Column('uses', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('percent', 'amount')", name=op.f('ck_discount_codes_kind_known')),
    sa.CheckConstraint('max_uses IS NULL OR uses <= max_uses', name=op.f('ck_discount_codes_uses_within_limit')),
    sa.CheckConstraint('value > 0', name=op.f('ck_discount_codes_value_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_discount_codes')),
    sa.UniqueConstraint('code', name=op.f('uq_discount_codes_code')),
    )
    with op.batch_alter_table('carts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('discount_code_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_carts_discount_code_id_discount_codes'),
                                    'discount_codes', ['discount_code_id'], ['id'], ondelete='SET NULL')
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('discount_code', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('discount', sa.Numeric(precision=10, scale=2),
                                      server_default='0.00', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_column('discount')
        batch_op.drop_column('discount_code')
    with op.batch_alter_table('carts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_carts_discount_code_id_discount_codes'), type_='foreignkey')
        batch_op.drop_column('discount_code_id')
    op.drop_table('discount_codes')
